"""Certificates as Open Badges 3.0 credentials (issue 17): the credential and its proof, the 1EdTech JSON
Schema, a name withheld at the holder's request, Thai text (NFC) through canonicalization and signing, key
rotation, the status list before and after a revocation, a reissue's successor, and the checks of
uploaded credentials (bad input included), on the page, in JSON and on the command line."""
import copy
import gzip
import io
import json
import struct
import zlib
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fairapp.badges import checking, credential, keys, proof, status
from fairapp.certificates import operations as ops
from fairapp.certificates import signing
from fairapp.core.time import utcnow
from fairapp.core.transaction import unit_of_work

from tests.certificates.world import build_issued_world
from tests.conftest import csrf_token_from

SCHEMA = json.loads((Path(proof.__file__).parent / "schema" / "ob_v3p0_achievementcredential_schema.json")
                    .read_text("utf-8"))
JSON = {"Accept": "application/json"}


@pytest.fixture
def w(app, db):
    return build_issued_world(app, db)


def _credential(client, cert) -> dict:
    response = client.get(f"/verify/{cert.grouped_serial}/credential.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def _upload(client, data: bytes, name="credential.json", headers=None):
    """POST a file (the multipart body built here: the test client would spool a large one to a temporary
    file it never closes)."""
    token = csrf_token_from(client.get("/verify/credential").get_data(as_text=True))
    boundary = "fairapp-badge-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"credential\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post("/verify/credential", data=body, headers=headers or {},
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_the_credential_is_an_open_badge_signed_and_schema_valid(app, client, w):
    doc = _credential(client, w.cert)
    jsonschema.Draft201909Validator(SCHEMA).validate(doc)
    assert doc["@context"] == [proof.VC_V2, proof.OB_V3]
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["id"] == f"https://fair.example.org/verify/{w.cert.grouped_serial}"
    assert doc["issuer"]["type"] == ["Profile"] and doc["issuer"]["id"] == "https://fair.example.org/badges/issuer"
    subject = doc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"] and subject["name"] == "นางสาวมาลี ใจงาม"
    assert subject["achievement"]["name"] == "ผู้เข้าร่วมงาน" and "ลงทะเบียน" in subject["achievement"]["criteria"]["narrative"]
    assert w.cert.grouped_serial in doc["evidence"][0]["name"]
    assert doc["credentialStatus"]["statusListIndex"] == str(w.cert.id)
    assert doc["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    with app.app_context():
        assert proof.verify(doc, keys.resolver(app))["proofValue"] == doc["proof"][0]["proofValue"]
    # the same certificate gives the same bytes (deterministic: nothing stored); an unknown serial is 404
    again = client.get(f"/verify/{w.cert.serial.lower()}/credential.json").get_json()
    assert again == doc
    assert client.get("/verify/MC69-ZZZZ-ZZZZ-ZZZZ/credential.json").status_code == 404
    assert client.get("/verify/nonsense/credential.json").status_code == 404
    # the controller document publishes the key as a Multikey, the one the proof names
    issuer = client.get("/badges/issuer").get_json()
    assert doc["proof"][0]["verificationMethod"] in issuer["assertionMethod"]
    assert issuer["verificationMethod"][0]["type"] == "Multikey"


def test_a_withheld_name_is_nowhere_in_the_credential(app, db, client, w):
    with app.test_request_context(), unit_of_work():
        cert = db.session.get(type(w.cert), w.cert.id)
        cert.holder_withheld_at = utcnow()  # as erasure leaves it (name kept here to prove it is not used)
    text = client.get(f"/verify/{w.cert.grouped_serial}/credential.json").get_data(as_text=True)
    assert "มาลี" not in text and "ใจงาม" not in text
    doc = json.loads(text)
    assert "name" not in doc["credentialSubject"]
    jsonschema.Draft201909Validator(SCHEMA).validate(doc)
    with app.app_context():
        proof.verify(doc, keys.resolver(app))


def test_thai_text_round_trips_exactly_nfc(app, db, w):
    decomposed = "นางสาวมาลี ใจงาม Rene\u0301e ผู้ใหญ่บ้าน"  # e + combining acute: NFC makes it é
    with app.test_request_context(), unit_of_work():
        cert = db.session.get(type(w.cert), w.cert.id)
        cert.holder_name = decomposed
        doc = credential.issue(cert, "https://fair.example.org", signing.signing_key())
        resolve = keys.resolver(app)
    name = doc["credentialSubject"]["name"]
    assert name == "นางสาวมาลี ใจงาม Renée ผู้ใหญ่บ้าน" and "\u0301" not in name
    for ascii_only in (False, True):
        again = json.loads(json.dumps(doc, ensure_ascii=ascii_only).encode("utf-8"))
        assert again["credentialSubject"]["name"] == name
        proof.verify(again, resolve)
    assert f'"{name}"' in proof.canonicalize({k: v for k, v in doc.items() if k != "proof"})
    # one code point changed (the tone mark) is tampering
    changed = copy.deepcopy(doc)
    changed["credentialSubject"]["name"] = name.replace("ผู้ใหญ่", "ผู่ใหญ่")
    with pytest.raises(proof.ProofError):
        proof.verify(changed, resolve)


def test_key_rotation_keeps_earlier_keys(app, db, client, w):
    old = Ed25519PrivateKey.generate()
    with app.test_request_context():
        cert = db.session.get(type(w.cert), w.cert.id)
        old_doc = credential.issue(cert, "https://fair.example.org", old)
    data = json.dumps(old_doc).encode()
    assert _upload(client, data, headers=JSON).get_json()["verdict"] == "unknown_key"
    app.config["CERTIFICATE_EARLIER_PUBLIC_KEYS"] = [proof.multikey(old.public_key())]
    try:
        assert _upload(client, data, headers=JSON).get_json()["verdict"] == "valid"
        issuer = client.get("/badges/issuer").get_json()
        current = signing.signing_key(app).public_key()
        assert [m["publicKeyMultibase"] for m in issuer["verificationMethod"]] == [
            proof.multikey(current), proof.multikey(old.public_key())]  # the current key first
    finally:
        app.config.pop("CERTIFICATE_EARLIER_PUBLIC_KEYS")


def _bit(client, fair_id, index):
    doc = client.get(f"/badges/status/{fair_id}").get_json()
    return status.bit(status.decode(doc["credentialSubject"]["encodedList"]), index), doc


def test_status_list_flips_on_revocation_and_a_reissue_points_to_its_successor(app, db, client, w):
    before, doc = _bit(client, w.fair.id, w.other.id)
    assert before is False and doc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert len(status.decode(doc["credentialSubject"]["encodedList"])) * 8 == status.MIN_BITS
    with app.app_context():
        proof.verify(doc, keys.resolver(app))
    other_doc = _credential(client, w.other)
    cert_doc = _credential(client, w.cert)
    with app.test_request_context(), unit_of_work():
        ops.revoke(db.session.get(type(w.other), w.other.id), "มอบผิดคน", w.staff, public_reason="issued_in_error")
        new = ops.reissue(db.session.get(type(w.cert), w.cert.id), "สะกดชื่อผิด", w.staff,
                          holder_name="นางสาวมาลี ใจงามดี")
        new_serial = new.grouped_serial
    after, doc2 = _bit(client, w.fair.id, w.other.id)
    assert after is True and _bit(client, w.fair.id, w.cert.id)[0] is True
    assert doc2["proof"]["proofValue"] != doc["proof"]["proofValue"]
    # a revoked certificate's credential is still served (its status says so)
    assert client.get(f"/verify/{w.other.grouped_serial}/credential.json").status_code == 200
    answer = _upload(client, json.dumps(other_doc).encode(), headers=JSON)
    assert answer.status_code == 422 and answer.get_json()["verdict"] == "revoked"
    answer = _upload(client, json.dumps(cert_doc).encode(), headers=JSON).get_json()
    assert answer["verdict"] == "superseded" and answer["superseded_by"] == new_serial
    html = _upload(client, json.dumps(cert_doc).encode()).get_data(as_text=True)
    assert new_serial in html and "มีฉบับใหม่แทนแล้ว" in html


def _png(chunks: list[tuple[bytes, bytes]]) -> bytes:
    out = b"\x89PNG\r\n\x1a\n"
    for kind, body in chunks:
        out += struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return out


def test_uploads_get_a_clear_verdict_never_a_500(app, client, w):
    good = _credential(client, w.cert)
    raw = json.dumps(good, ensure_ascii=False).encode()
    assert _upload(client, raw, headers=JSON).get_json()["verdict"] == "valid"
    tampered = copy.deepcopy(good)
    tampered["credentialSubject"]["name"] = "นายปลอม แปลงชื่อ"
    foreign = copy.deepcopy(good)
    foreign["@context"].append("https://evil.example/context.jsonld")
    ihdr = _png([(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)), (b"IEND", b"")])
    cases = {
        "tampered": json.dumps(tampered).encode(),
        "unsupported_context": json.dumps(foreign).encode(),
        "too_large": b"{" + b" " * (10 * 1024 * 1024) + b"}",
        "malformed": b"{\"a\": " + b"[" * 30000 + b"]" * 30000 + b"}",  # a nesting bomb
        "png_without_credential": ihdr,
    }
    nested = copy.deepcopy(good)
    nested["evidence"][0]["x"] = json.loads("[" * 50 + "]" * 50)
    for code, data in cases.items():
        response = _upload(client, data, headers=JSON)
        assert response.status_code == 422 and response.get_json()["verdict"] == code, code
    for data in (json.dumps(nested).encode(), b'{"a": ' * 5000 + b"1" + b"}" * 5000, b"\xff\xfe", b"null",
                 json.dumps({"type": ["VerifiableCredential"], "@context": 5}).encode()):
        body = _upload(client, data, headers=JSON).get_json()
        assert body["verdict"] in ("malformed", "unsupported_context"), body
    # the page, in Thai and English
    html = _upload(client, json.dumps(tampered).encode()).get_data(as_text=True)
    assert "ถูกแก้ไข" in html and 'data-verdict="tampered"' in html
    client.get("/lang/en")
    html = _upload(client, json.dumps(tampered).encode()).get_data(as_text=True)
    assert "has been altered" in html and "ถูกแก้ไข" not in html
    html = _upload(client, raw).get_data(as_text=True)
    assert 'data-verdict="valid"' in html and w.cert.grouped_serial in html
    # nothing uploaded: the form says so
    token = csrf_token_from(client.get("/verify/credential").get_data(as_text=True))
    assert client.post("/verify/credential", data={"csrf_token": token}).status_code == 400


def test_a_baked_png_is_read(app, client, w):
    text = client.get(f"/verify/{w.cert.grouped_serial}/credential.json").get_data()
    itxt = b"openbadges\0\0\0\0\0" + text
    png = _png([(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)), (b"iTXt", itxt), (b"IEND", b"")])
    assert _upload(client, png, "badge.png", headers=JSON).get_json()["verdict"] == "valid"
    zipped = b"openbadges\0\1\0\0\0" + zlib.compress(text)
    png = _png([(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)), (b"iTXt", zipped), (b"IEND", b"")])
    assert checking.png_credential(png) == text


def test_verify_credential_command(app, client, w, tmp_path):
    good = _credential(client, w.cert)
    path = tmp_path / "c.json"
    path.write_text(json.dumps(good), "utf-8")
    result = app.test_cli_runner().invoke(args=["certificates", "verify-credential", str(path)])
    assert result.exit_code == 0 and result.output.startswith(f"VALID: {w.cert.grouped_serial}")
    good["name"] = "อื่น"
    path.write_text(json.dumps(good), "utf-8")
    result = app.test_cli_runner().invoke(args=["certificates", "verify-credential", str(path)])
    assert result.exit_code == 1 and result.output.startswith("TAMPERED")


def test_status_list_encoding():
    encoded = status.encode([0, 9, 131071], status.MIN_BITS)
    bits = status.decode(encoded)
    assert [status.bit(bits, i) for i in (0, 1, 8, 9, 131071)] == [True, False, False, True, True]
    assert gzip.decompress(__import__("base64").urlsafe_b64decode(encoded[1:] + "==="))[:2] == b"\x80\x40"


def test_every_kind_validates_and_the_pages_link_the_credential(app, db, client, login_as, w):
    from fairapp.certificates.candidates import candidates_for
    with app.test_request_context(), unit_of_work():
        issued = []
        for kind, category in (("judge", None), ("awardee", w.category), ("exhibitor", None)):
            certs, _ = ops.issue(w.fair, candidates_for(w.fair, kind, category), w.staff)
            issued += [(c.grouped_serial, c.kind, c.holder_name) for c in certs]
    validator = jsonschema.Draft201909Validator(SCHEMA)
    for serial, kind, holder in issued:
        doc = client.get(f"/verify/{serial}/credential.json").get_json()
        validator.validate(doc)
        assert doc["credentialSubject"]["name"] == holder
        assert doc["credentialSubject"]["achievement"]["achievementType"] == ("Award" if kind == "awardee" else "Certificate")
    page = client.get(f"/verify/{w.cert.grouped_serial}").get_data(as_text=True)
    assert f"/verify/{w.cert.grouped_serial}/credential.json" in page and "/verify/credential" in page
    login_as(w.judge1)
    page = client.get("/my/certificates").get_data(as_text=True)
    judge_serial = next(serial for serial, kind, holder in issued if kind == "judge" and holder == w.judge1.full_name)
    assert f"/verify/{judge_serial}/credential.json" in page


def test_the_baked_png_carries_the_credential_and_linkedin_gets_the_verify_link(app, client, login_as, w):
    from urllib.parse import parse_qs, urlsplit
    from fairapp.certificates.candidates import candidates_for
    response = client.get(f"/verify/{w.cert.grouped_serial}/badge.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    png = response.data
    from PIL import Image
    assert Image.open(io.BytesIO(png)).size == (360, 360)
    baked = json.loads(checking.png_credential(png))
    assert baked == _credential(client, w.cert)
    assert _upload(client, png, "badge.png", headers=JSON).get_json()["verdict"] == "valid"
    assert client.get("/verify/MC69-ZZZZ-ZZZZ-ZZZZ/badge.png").status_code == 404
    with app.test_request_context(), unit_of_work():
        ops.issue(w.fair, candidates_for(w.fair, "judge"), w.staff)
    login_as(w.judge1)
    page = client.get("/my/certificates").get_data(as_text=True)
    assert "/badge.png" in page
    link = next(part.split('"')[0] for part in page.split('href="')[1:] if "linkedin.com" in part)
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query["certUrl"][0].startswith("https://fair.example.org/verify/") and query["certId"][0]


def test_earlier_keys_come_from_the_environment_too(monkeypatch, tmp_path):
    """A rotation on a server: the old public key is given by CERTIFICATE_EARLIER_PUBLIC_KEYS (config.py)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from fairapp import create_app
    from fairapp.badges import keys, proof

    old = Ed25519PrivateKey.generate().public_key()
    monkeypatch.setenv("CERTIFICATE_EARLIER_PUBLIC_KEYS", proof.multikey(old))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'k.db'}", "SECRET_KEY": "x"})
    app.instance_path = str(tmp_path)
    with app.app_context():
        assert proof.multikey(old) in keys.published(app)


def test_a_judges_credential_carries_a_hashed_email_and_every_achievement_an_image(app, client, w, db):
    """The holder's email only as Open Badges' salted hash (a judge has an account; others none), and the
    kind's badge image; an erased judge's has neither name nor hash."""
    import hashlib

    from fairapp.certificates.candidates import judge_candidates

    with app.test_request_context(), unit_of_work():
        (judge_cert, *_), _ = ops.issue(w.fair, judge_candidates(w.fair), w.staff)
    doc = _credential(client, judge_cert)
    jsonschema.Draft201909Validator(SCHEMA).validate(doc)
    (identity,) = doc["credentialSubject"]["identifier"]
    email = db.session.get(__import__("fairapp.accounts.models", fromlist=["User"]).User,
                           int(judge_cert.subject_key.split(":")[1])).email
    assert identity["hashed"] is True and identity["identityType"] == "emailAddress"
    assert identity["identityHash"] == "sha256$" + hashlib.sha256((email + judge_cert.serial).encode()).hexdigest()
    assert email not in json.dumps(doc)
    image = doc["credentialSubject"]["achievement"]["image"]
    assert image["type"] == "Image" and image["id"].endswith("/static/img/badge-judge.svg")
    served = client.get("/static/img/badge-judge.svg")
    assert served.status_code == 200
    served.close()
    assert "identifier" not in _credential(client, w.cert)["credentialSubject"]  # a participant: no account
