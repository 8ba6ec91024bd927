"""Asking the site whether a certificate whose QR signature holds is still valid (`flask certificates
verify-qr`).

A valid signature proves only that the organizer issued those facts: it cannot say that the certificate
was not revoked or replaced since. Only the site knows that, so the command asks it: GET
<site>/verify/<serial>?q=<token> with Accept: application/json, the same public answer anyone gets.

Which site: the one named on the command line; else this installation's BASE_URL when one was set; else
the address printed in the QR (that address is not covered by the signature, so the answer says which
site was asked). Plain urllib, a short timeout, no redirects followed across sites.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

# Exit codes of `flask certificates verify-qr` (documented in its --help).
EXIT_VALID = 0          # signature valid, and valid online (or --offline: revocation not checked)
EXIT_BAD_SIGNATURE = 1  # the QR is not a certificate signed by this key (forged, altered, unreadable)
EXIT_NOT_VALID = 3      # signature valid, but the site says revoked, replaced, unknown or different
EXIT_UNCHECKED = 4      # signature valid, but the site could not be asked: revocation NOT checked
OUTCOME_EXIT = {"valid": EXIT_VALID, "revoked": EXIT_NOT_VALID, "superseded": EXIT_NOT_VALID,
                "not_found": EXIT_NOT_VALID, "mismatch": EXIT_NOT_VALID, "unreachable": EXIT_UNCHECKED}
MAX_ANSWER = 64 * 1024


@dataclass
class Answer:
    """What the site said: outcome (valid, revoked, superseded, not_found, mismatch, unreachable), the
    site asked, and the public details (date, reason label, the replacing serial) or why it failed."""

    outcome: str
    site: str
    revoked_at: str | None = None
    reason: str | None = None
    superseded_by: str | None = None
    error: str | None = None

    @property
    def exit_code(self) -> int:
        return OUTCOME_EXIT[self.outcome]


def origin(url: str) -> str | None:
    """scheme://host[:port] of an http(s) URL, None for anything else (a bare token)."""
    parts = urlsplit((url or "").strip())
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def choose_site(scanned: str, configured: str | None, override: str | None,
                default_base: str) -> tuple[str, str]:
    """(site, where it came from: "option", "BASE_URL" or "QR")."""
    if override:
        return override.rstrip("/"), "option"
    configured = (configured or "").rstrip("/")
    if configured and configured != default_base:
        return configured, "BASE_URL"
    from_qr = origin(scanned)
    if from_qr:
        return from_qr, "QR"
    return (configured or default_base), "BASE_URL"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # the JSON answer is never a redirect: treat one as an error
        return None


def check(site: str, serial_grouped: str, token: str, *, timeout: float = 10.0) -> Answer:
    """Ask `site` about the certificate; never raises for network or protocol trouble (outcome
    "unreachable" with the reason)."""
    url = f"{site.rstrip('/')}/verify/{quote(serial_grouped)}?q={quote(token, safe='.-_')}"
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   "User-Agent": "fairapp-verify-qr"})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            status, raw = response.status, response.read(MAX_ANSWER)
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read(MAX_ANSWER) if error.fp else b""
    except (urllib.error.URLError, OSError, ValueError) as error:
        return Answer("unreachable", site, error=str(getattr(error, "reason", error)))
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        return Answer("unreachable", site, error=f"HTTP {status}: not a certificate check answer")
    state = body["status"]
    if state == "not_found" and status == 404:
        return Answer("not_found", site)
    if state not in ("valid", "revoked", "superseded") or status != 200:
        return Answer("unreachable", site, error=f"HTTP {status}: {state}")
    qr = body.get("qr") or {}
    if qr.get("signature") != "valid" or not qr.get("matches_record"):
        # The site holds that serial with other facts (or does not trust this signature): not this one.
        return Answer("mismatch", site)
    return Answer(state, site, revoked_at=body.get("revoked_at"), reason=body.get("revoked_reason"),
                  superseded_by=body.get("superseded_by"))
