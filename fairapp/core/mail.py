"""Outgoing mail: written as a row with the change it tells about, delivered by a job (core.jobs).

Delivery is SMTP when MAIL_SERVER is set; otherwise a file in instance/mail/ (the outbox), which keeps the
demo working offline. Admins see every mail, its state and its last error at /admin/mail, and send a
failed one again.
"""
from __future__ import annotations

import email.policy
from email.header import Header
from email.mime.text import MIMEText
import os
import re
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes
from email.utils import formatdate, make_msgid, parsedate_to_datetime
from pathlib import Path

from flask import current_app, flash, g, has_request_context, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, Text, and_, inspect, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .jobs import enqueue, every, job
from .text import header_text, is_clean
from .time import UTCDateTime, utcnow
from .transaction import after_commit, unit_of_work

_WIRE = email.policy.compat32.clone(linesep="\r\n")  # the classic generator, with CRLF as on the wire
_NAME = re.compile(r"^[0-9]{8}T[0-9]{12}-[0-9a-f]{8}\.eml$")


class MailMessage(db.Model):
    """One mail, written in the transaction of the change it tells about (so it is sent if and only if that
    change commits), then delivered by a job: queued -> sending -> sent, or failed after its retries (shown
    to admins at /admin/mail, who can send it again)."""

    __tablename__ = "mail_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "sending": a worker holds it until then; "queued" after a failure: its retry is due by then.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


STATUS_LABELS = {"queued": _l("รอส่ง"), "sending": _l("กำลังส่ง"), "sent": _l("ส่งแล้ว"),
                 "failed": _l("ส่งไม่สำเร็จ")}
SEND_LEASE = timedelta(minutes=2)  # a worker that holds a mail longer than this is taken to have died
SWEEP_AFTER = timedelta(minutes=2)  # default of MAIL_SWEEP_AFTER: a queued mail no job took by then is re-sent
RETRY_BASE = 30  # seconds before the first retry; each next waits twice as long (Celery's countdown)


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


class QueuedMail(tuple):
    """(to, subject, template, locale, context) as operations queued it, with its row as `.message`."""

    message: "MailMessage"


def render_message(to: str, subject: str, template: str, locale: str = "th", **context) -> MailMessage:
    """The mail as its recipient will read it (templates/mail/<template>.txt in their language)."""
    with force_locale(locale):
        body = render_template(f"mail/{template}.txt", **context)
        subject = header_text(subject)  # no text a person typed (an organization's name) can break it
    return MailMessage(to=_address(to), subject=subject, body=body, template=template)


def queue_mail(to: str, subject: str, template: str, locale: str = "th", **context) -> None:
    """Mail to send once the unit of work commits: its row is written now, in the same transaction."""
    message = render_message(to, subject, template, locale, **context)
    db.session.add(message)
    queued = QueuedMail((to, subject, template, locale, context))
    queued.message = message
    g.setdefault("mail_queue", []).append(queued)


def send_queued_mail() -> int:
    """Hand the committed unit's mail to the mail job; called by the unit of work right after its commit.

    Inline (tests), the mail goes now: a failure is told to the person as a warning (what they did is
    saved; the mail is what failed), never a crash or an undo. Otherwise the request does not wait for
    the mail server: workers send it, retry it, and admins see what failed. Returns the number sent
    inline, or handed over.
    """
    from .jobs import dispatch

    # The ids as flushed (read without a query: after the commit, a load would open a transaction that the
    # inline job, on SQLite, would wait behind).
    queued = [(inspect(q.message).identity[0], q[0]) for q in g.pop("mail_queue", [])
              if inspect(q.message).identity]
    app = current_app._get_current_object()
    outcomes = [(to, dispatch(app, deliver, message_id)) for message_id, to in queued]
    if app.config["JOBS_MODE"] != "inline":
        return len(queued)
    failed = [to for to, outcome in outcomes if outcome != "sent"]
    if failed and has_request_context():
        flash(_("บันทึกแล้ว แต่ส่งอีเมลถึง %(to)s ไม่สำเร็จ กรุณาแจ้งเจ้าหน้าที่งานหรือลองใหม่ภายหลัง",
                to=", ".join(failed)), "warning")
    return len(queued) - len(failed)


def discard_queued_mail() -> None:
    """Forget queued mail (the transaction rolled back, so what it announced did not happen; its rows went
    with it)."""
    g.pop("mail_queue", None)


def _claim(message_id: int) -> MailMessage | None:
    """Take the message for sending (one unit of work): None when it is sent, or another worker holds it."""
    now = utcnow()
    with unit_of_work():
        message = db.session.get(MailMessage, message_id, with_for_update=True)
        if message is None or message.status == "sent" or (
                message.status == "sending" and message.lease_until and message.lease_until > now):
            return None
        message.status, message.lease_until = "sending", now + SEND_LEASE
        message.attempts += 1
    return message


@job("mail", own_units=True, max_retries=5)
def deliver(message_id: int, *, attempt: int = 0, task=None) -> str:
    """Send one mail row: claimed under its lock, sent with no transaction open (a slow mail server holds
    no lock), then marked sent, or queued again for Celery's retry with backoff, or failed."""
    message = _claim(message_id)
    if message is None:
        return "skipped"
    try:
        transmit(message)
        error = None
    except Exception as failure:  # noqa: BLE001  (SMTP, socket, refused address: told in the row)
        current_app.logger.warning("mail %s to %s failed: %s", message_id, message.to, failure)
        error = f"{type(failure).__name__}: {failure}"[:1000]
    retry = error is not None and task is not None and attempt < task.max_retries
    with unit_of_work():
        message = db.session.get(MailMessage, message_id, with_for_update=True)
        message.lease_until = None
        if error is None:
            message.status, message.sent_at, message.last_error = "sent", utcnow(), None
        else:
            message.status, message.last_error = ("queued" if retry else "failed"), error
        if retry:
            countdown = RETRY_BASE * 2 ** attempt
            message.lease_until = utcnow() + timedelta(seconds=countdown) + SEND_LEASE  # the sweep waits
            after_commit(lambda: task.retry(countdown=countdown, throw=False))
    return message.status


def resend(message: MailMessage) -> None:
    """An admin sends a failed (or stuck) mail again."""
    message.status, message.lease_until, message.last_error = "queued", None, None
    enqueue(deliver, message.id)


def _sweep_after() -> timedelta:
    seconds = current_app.config.get("MAIL_SWEEP_AFTER")
    return SWEEP_AFTER if seconds is None else timedelta(seconds=seconds)


@every(timedelta(minutes=1))
@job("mail")
def sweep_mail(*, attempt: int = 0, task=None) -> int:
    """Send again what no worker holds: mail queued a while ago whose job was lost (the broker was down
    when it was sent, or its worker was killed mid-send and its lease ran out)."""
    now = utcnow()
    stale = db.session.scalars(select(MailMessage.id).where(
        MailMessage.status.in_(("queued", "sending")),
        or_(MailMessage.lease_until < now,
            and_(MailMessage.lease_until.is_(None), MailMessage.created_at < now - _sweep_after()))
    ).order_by(MailMessage.id).limit(500)).all()
    for message_id in stale:
        enqueue(deliver, message_id)
    return len(stale)


def transmit(message: MailMessage) -> None:
    """Put one message on the wire: SMTP when MAIL_SERVER is set, else a file in the outbox folder."""
    msg = MIMEText(message.body, "plain", "utf-8")
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = _address(message.to)
    msg["Subject"] = _encoded(message.subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=f"m{message.id}", domain="fairapp.local")
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


def send_mail(to: str, subject: str, template: str, locale: str = "th", **context) -> MailMessage:
    """Render and send one mail now, outside any queue (a command's test message); the row is kept."""
    message = render_message(to, subject, template, locale, **context)
    db.session.add(message)
    db.session.flush()
    transmit(message)
    message.status, message.sent_at, message.attempts = "sent", utcnow(), 1
    return message


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
