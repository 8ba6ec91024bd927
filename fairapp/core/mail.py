"""Outgoing mail: SMTP when MAIL_SERVER is set; otherwise written to instance/mail/ (the outbox).

The outbox keeps the demo working offline; admins read it at /admin/mail.
"""
from __future__ import annotations

import email.policy
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
import os
import re
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes
from email.utils import formatdate, make_msgid, parsedate_to_datetime
from pathlib import Path

from flask import current_app, flash, g, has_request_context, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from .text import header_text, is_clean
from .time import utcnow

_WIRE = email.policy.compat32.clone(linesep="\r\n")  # the classic generator, with CRLF as on the wire
_NAME = re.compile(r"^[0-9]{8}T[0-9]{12}-[0-9a-f]{8}\.eml$")


def send_mail(to: str, subject: str, template: str, locale: str = "th", **context) -> Message:
    """Render templates/mail/<template>.txt in the recipient's language and send it."""
    with force_locale(locale):
        body = render_template(f"mail/{template}.txt", **context)
        subject = header_text(subject)  # no text a person typed (an organization's name) can break it
    msg = MIMEText(body, "plain", "utf-8")
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = _address(to)
    msg["Subject"] = _encoded(subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="fairapp.local")
    cfg = current_app.config
    if cfg.get("MAIL_SERVER"):
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.send_message(msg)
    else:
        outbox = Path(cfg["MAIL_OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow():%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
        tmp = outbox / (name + ".tmp")
        tmp.write_bytes(msg.as_bytes(policy=_WIRE))
        os.replace(tmp, outbox / name)  # readers never see a half-written message
    return msg


def _encoded(subject: str) -> Header:
    """The subject as RFC 2047 encoded words that keep their spaces. The modern email policy folds a long
    Thai subject at a space between two encoded words, where every reader drops it ("คำเชิญเข้าร่วม ชุมชน"
    arrives as "คำเชิญเข้าร่วมชุมชน"); the classic Header keeps each space inside an encoded word."""
    return Header(subject, "us-ascii" if subject.isascii() else "utf-8")


def _address(to: str) -> str:
    """The one recipient address, refused (ValueError) when it is anything else: never a header made of
    what someone typed."""
    address = str(to).strip()
    if not address or any(c in address for c in ",;<>\"") or not is_clean(address) or " " in address:
        raise ValueError(f"not a single mail address: {address!r}")
    return address


def queue_mail(to: str, subject: str, template: str, locale: str = "th", **context) -> None:
    """Mail to send once the request's transaction commits (see send_queued_mail)."""
    g.setdefault("mail_queue", []).append((to, subject, template, locale, context))


def send_queued_mail() -> int:
    """Send what operations queued; called by the unit of work right after its commit.

    A failed send is logged and, in a request, told to the person as a warning (what they did is saved;
    the mail is what failed): never a crash, never an undo of the committed change.
    """
    sent, failed = 0, []
    for to, subject, template, locale, context in g.pop("mail_queue", []):
        try:
            send_mail(to, subject, template, locale=locale, **context)
            sent += 1
        except Exception:  # noqa: BLE001  (SMTP, socket, template: the change is committed either way)
            current_app.logger.exception("mail to %s failed", to)
            failed.append(to)
    if failed and has_request_context():
        flash(_("บันทึกแล้ว แต่ส่งอีเมลถึง %(to)s ไม่สำเร็จ กรุณาแจ้งเจ้าหน้าที่งานหรือลองใหม่ภายหลัง",
                to=", ".join(failed)), "warning")
    return sent


def discard_queued_mail() -> None:
    """Forget queued mail (the transaction rolled back, so what it announced did not happen)."""
    g.pop("mail_queue", None)


@dataclass
class OutboxMessage:
    name: str
    to: str
    subject: str
    sent_at: datetime | None
    body: str


def _read(path: Path) -> OutboxMessage:
    msg = message_from_bytes(path.read_bytes(), policy=email.policy.default)
    part = msg.get_body(preferencelist=("plain",))
    try:
        sent = parsedate_to_datetime(msg["Date"])
    except (TypeError, ValueError):
        sent = None
    return OutboxMessage(path.name, str(msg["To"]), str(msg["Subject"]), sent,
                         part.get_content() if part else "")


def outbox_messages(limit: int = 200) -> list[OutboxMessage]:
    """The newest messages of the file outbox first."""
    outbox = Path(current_app.config["MAIL_OUTBOX_DIR"])
    if not outbox.is_dir():
        return []
    names = sorted((p for p in outbox.iterdir() if _NAME.match(p.name)), reverse=True)
    return [_read(p) for p in names[:limit]]


def outbox_message(name: str) -> OutboxMessage | None:
    """One outbox message by file name; None for a name that is not an outbox file."""
    if not _NAME.match(name):
        return None
    path = Path(current_app.config["MAIL_OUTBOX_DIR"]) / name
    return _read(path) if path.is_file() else None
