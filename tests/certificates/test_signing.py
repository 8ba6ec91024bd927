"""QR signatures: Ed25519 over the certificate's facts; checked offline with the published key; any change
to the payload, the signature or the key is refused; `flask certificates verify-qr` says so."""
import base64
import json

import pytest

from fairapp.certificates import signing
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

FACTS = signing.Facts(serial="MC687K2MQX9DR4TX", holder="ผู้ใหญ่บ้าน ที่นี่", kind="awardee", fair_id=3,
                      date="2025-11-13")


def _keys(key):
    return {signing.key_id(key.public_key()): key.public_key()}


def test_a_signed_payload_verifies_and_gives_back_the_facts():
    key = Ed25519PrivateKey.generate()
    token = signing.sign(FACTS, key)
    assert signing.verify_token(token, _keys(key)) == FACTS
    url = signing.qr_url("https://fair.example.org", "MC68-7K2M-QX9D-R4TX", token)
    assert url.startswith("https://fair.example.org/verify/MC68-7K2M-QX9D-R4TX?q=")
    assert signing.verify_token(signing.extract_token(url), _keys(key)) == FACTS


def _tamper_holder(token):
    payload, signature = token.split(".")
    data = json.loads(signing.b64d(payload))
    data["h"] = "ผู้ใหญ่บ้าน ที่โน่น"
    forged = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return signing.b64e(forged) + "." + signature


def _flip_signature_bit(token):
    payload, signature = token.split(".")
    raw = bytearray(signing.b64d(signature))
    raw[5] ^= 1
    return payload + "." + signing.b64e(bytes(raw))


@pytest.mark.parametrize("tamper", [_tamper_holder, _flip_signature_bit, lambda t: t.split(".")[0],
                                    lambda t: "not base64 at all.!!", lambda t: t + "A",
                                    lambda t: t[:-1] + chr(ord(t[-1]) ^ 1)])
def test_tampered_payloads_are_refused(tamper):
    key = Ed25519PrivateKey.generate()
    with pytest.raises(signing.Tampered):
        signing.verify_token(tamper(signing.sign(FACTS, key)), _keys(key))


def test_another_key_is_refused_even_when_it_claims_our_key_id():
    ours, theirs = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    payload = FACTS.payload(signing.key_id(ours.public_key()))
    forged = signing.b64e(payload) + "." + signing.b64e(theirs.sign(signing.DOMAIN + payload))
    with pytest.raises(signing.Tampered, match="signature"):
        signing.verify_token(forged, _keys(ours))


def test_the_public_key_is_published(client, db):
    data = client.get("/verify/public-key").get_json()
    assert data["alg"] == "Ed25519" and len(base64.urlsafe_b64decode(data["public_key"] + "=")) == 32
    pem = client.get("/verify/public-key.pem").get_data(as_text=True)
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    key = signing.load_public_key(data["public_key"])
    assert signing.key_id(key) == data["kid"] == signing.key_id(signing.load_public_key(pem))


def test_cli_verify_qr_offline(app, db, tmp_path):
    runner = app.test_cli_runner()
    with app.app_context():
        key = signing.signing_key()
        token = signing.sign(FACTS, key)
    pem = tmp_path / "public.pem"
    pem.write_text(runner.invoke(args=["certificates", "public-key"]).output)
    url = signing.qr_url("https://fair.example.org", "MC68-7K2M-QX9D-R4TX", token)
    result = runner.invoke(args=["certificates", "verify-qr", url, "--public-key", str(pem), "--offline"])
    assert result.exit_code == 0, result.output
    assert "Revocation: NOT CHECKED" in result.output  # a valid signature is not "valid": it says so
    assert "VALID" in result.output and "ผู้ใหญ่บ้าน ที่นี่" in result.output and "MC687K2MQX9DR4TX" in result.output
    bad = runner.invoke(args=["certificates", "verify-qr", _tamper_holder(token), "--public-key", str(pem),
                              "--offline"])
    assert bad.exit_code == 1 and "INVALID" in bad.output


def test_threads_making_the_key_file_at_once_all_read_one_whole_key(tmp_path):
    """A fresh instance's first batch: its chunk threads sign at once. None may read the key file while
    another is still writing it (a half-written file was "not a PEM key": the batch failed)."""
    import threading
    from types import SimpleNamespace

    for round_ in range(20):
        app = SimpleNamespace(config={}, instance_path=str(tmp_path / f"instance-{round_}"))
        start, keys, errors = threading.Barrier(8), [], []

        def sign_first():
            start.wait()
            try:
                keys.append(signing.key_id(signing.signing_key(app).public_key()))
            except Exception as error:  # noqa: BLE001
                errors.append(error)
        threads = [threading.Thread(target=sign_first) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors and len(keys) == 8 and len(set(keys)) == 1
        assert [p.name for p in (tmp_path / f"instance-{round_}").iterdir()] == ["certificate-signing-key.pem"]
