"""`flask certificates verify-qr`: a valid signature is not a valid certificate. The command says that
revocation can be known only online and asks the site (a live server on this machine: no internet),
with exit codes that tell valid (0), bad signature (1), not valid online (3) and not checked (4) apart
(issue 12, item 9)."""
import socket

import pytest

from fairapp.certificates import online, operations as ops, serials, signing
from fairapp.certificates.models import Certificate
from fairapp.core.transaction import unit_of_work

from tests.certificates.world import build_issued_world


@pytest.fixture
def w(app, db):
    return build_issued_world(app, db)


def _qr(site: str, cert: Certificate) -> str:
    return signing.qr_url(site, cert.grouped_serial, cert.token)


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["certificates", "verify-qr", *args])


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_revoked_certificate_is_not_reported_valid(app, live_server, w, db):
    with app.test_request_context(), unit_of_work():
        ops.revoke(db.session.get(Certificate, w.cert.id), "ภายใน: ผู้รับแอบอ้าง", w.staff,
                   public_reason="issued_in_error")
    result = _run(app, _qr(live_server, w.cert), "--site", live_server)
    assert result.exit_code == online.EXIT_NOT_VALID, result.output
    assert "Signature: VALID" in result.output and "REVOKED" in result.output
    assert "ออกเกียรติบัตรโดยคลาดเคลื่อน" in result.output and "แอบอ้าง" not in result.output
    assert "VALID (not revoked" not in result.output
    # Offline it says plainly that revocation was not checked.
    result = _run(app, _qr(live_server, w.cert), "--offline")
    assert result.exit_code == online.EXIT_VALID and "Revocation: NOT CHECKED" in result.output


def test_valid_replaced_and_unknown_online(app, live_server, w, db):
    result = _run(app, _qr(live_server, w.other), "--site", live_server)
    assert result.exit_code == online.EXIT_VALID, result.output
    assert f"Status at {live_server}: VALID (not revoked, not replaced)" in result.output
    with app.test_request_context(), unit_of_work():
        new = ops.reissue(db.session.get(Certificate, w.other.id), "สะกดผิด", w.staff, holder_name="นายก้องภพ ศรีสุขดี")
        new_serial = new.grouped_serial
    result = _run(app, _qr(live_server, w.other), "--site", live_server)
    assert result.exit_code == online.EXIT_NOT_VALID and f"REPLACED by {new_serial}" in result.output
    # Signed with the right key, but the site never issued that serial.
    with app.app_context():
        stranger = serials.new_serial("MC69")
        token = signing.sign(signing.Facts(serial=stranger, holder="ใครก็ไม่รู้", kind="participant",
                                           fair_id=w.fair.id, date="2025-11-13"), signing.signing_key())
    result = _run(app, signing.qr_url(live_server, serials.grouped(stranger), token), "--site", live_server)
    assert result.exit_code == online.EXIT_NOT_VALID and "NOT FOUND" in result.output


def test_the_site_is_this_installations_or_the_qrs(app, live_server, w, db):
    """BASE_URL when it was set; the QR's own address when it was not (the command says which it asked)."""
    with app.test_request_context(), unit_of_work():
        ops.revoke(db.session.get(Certificate, w.cert.id), "ภายใน", w.staff, public_reason="holder_request")
    saved = app.config["BASE_URL"]
    try:
        app.config["BASE_URL"] = live_server
        result = _run(app, _qr("https://somewhere-else.example", w.cert))
        assert result.exit_code == online.EXIT_NOT_VALID, result.output
        assert f"the QR names https://somewhere-else.example; asking {live_server}" in result.output
        app.config["BASE_URL"] = ops.LOOPBACK_BASE  # not set: the address in the QR
        result = _run(app, _qr(live_server, w.cert))
        assert result.exit_code == online.EXIT_NOT_VALID and f"Status at {live_server}: REVOKED" in result.output
    finally:
        app.config["BASE_URL"] = saved


def test_an_unreachable_site_is_its_own_exit_code(app, w, db):
    site = f"http://127.0.0.1:{_closed_port()}"
    result = _run(app, _qr(site, w.cert), "--site", site, "--timeout", "3")
    assert result.exit_code == online.EXIT_UNCHECKED, result.output
    assert "COULD NOT CHECK" in result.output and "may have been revoked" in result.output
    # A bad signature is 1, whatever the network.
    token = w.cert.token
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    result = _run(app, tampered, "--site", site)
    assert result.exit_code == online.EXIT_BAD_SIGNATURE and "INVALID" in result.output


def test_the_exit_codes_are_in_the_help(app):
    result = app.test_cli_runner().invoke(args=["certificates", "verify-qr", "--help"])
    assert result.exit_code == 0
    for line in ("0  signature valid", "1  signature invalid", "3  signature valid, but the site says",
                 "4  signature valid, but the site could not be reached", "--offline"):
        assert line in result.output
