"""1EdTech's eddsa-rdfc-2022 test vector for Open Badges 3.0, reproduced byte for byte (fairapp.badges.proof).

The vector (tests/badges/vector/: the credential, canonical N-Quads of the document and of the proof
configuration, hashes, signature and proof value) is copied from 1EdTech's openbadges-specification
repository (ob_v3p0/impl/linked-data-proof-ob and its test-vectors/obv3p0 files)."""
import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fairapp.badges import proof

VECTOR = Path(__file__).parent / "vector"


def _load():
    expected = json.loads((VECTOR / "expected.json").read_text("utf-8"))
    credential = json.loads((VECTOR / "credential.json").read_text("utf-8"))
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(expected["private_key_hex"])[:32])
    return expected, credential, key


def test_1edtech_ob_v3p0_eddsa_rdfc_2022_vector_byte_for_byte():
    expected, credential, key = _load()
    assert proof.public_raw(key.public_key()).hex() == expected["public_key_hex"]
    assert proof.multikey(key.public_key()) == expected["public_key_multibase"]
    options = proof.proof_options(expected["verification_method"], expected["created"])
    data, canonical_proof, canonical_document = proof.hash_data(credential, options)
    assert canonical_document == (VECTOR / "document-canon.txt").read_text("utf-8")
    assert canonical_proof == (VECTOR / "proof-canon.txt").read_text("utf-8")
    assert hashlib.sha256(canonical_document.encode()).hexdigest() == expected["document_hash_hex"]
    assert hashlib.sha256(canonical_proof.encode()).hexdigest() == expected["proof_hash_hex"]
    assert data.hex() == expected["data_to_sign_hex"]
    signed = proof.sign(credential, key, expected["verification_method"], expected["created"])
    assert proof.b58decode(signed["proof"]["proofValue"][1:]).hex() == expected["signature_hex"]
    assert signed["proof"]["proofValue"] == expected["proof_value"]
    assert proof.verify(signed, lambda method: key.public_key()) == signed["proof"]


def test_vector_tampered_or_unknown_key_or_foreign_context_refused():
    expected, credential, key = _load()
    signed = proof.sign(credential, key, expected["verification_method"], expected["created"])
    changed = json.loads(json.dumps(signed))
    changed["credentialSubject"]["achievement"]["name"] = "Teamwork!"
    try:
        proof.verify(changed, lambda method: key.public_key())
        raise AssertionError("a changed credential verified")
    except proof.ProofError as error:
        assert "does not match" in str(error)
    try:
        proof.verify(signed, lambda method: None)
        raise AssertionError("an unknown key verified")
    except proof.ProofError as error:
        assert str(error).startswith("unknown key")
    foreign = dict(signed, **{"@context": [*signed["@context"], "https://example.com/evil-context.jsonld"]})
    try:
        proof.verify(foreign, lambda method: key.public_key())
        raise AssertionError("a foreign context was accepted")
    except proof.UnsupportedContext:
        pass


def test_base58_round_trip_keeps_leading_zeros():
    for data in (b"", b"\0", b"\0\0abc", bytes(range(40))):
        assert proof.b58decode(proof.b58encode(data)) == data
