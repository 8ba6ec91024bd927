"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C VC-DI-EdDSA), over JSON-LD canonicalized
with pyld (RDFC-1.0, formerly URDNA2015), and the Multikey encoding of Ed25519 public keys.

Every JSON-LD context a credential may name is bundled in `contexts/` and served by `document_loader`, which
refuses every other URL: nothing is fetched from the network when a credential is issued or checked, and a
credential naming a context we do not bundle is refused (`UnsupportedContext`) rather than looked up.

The algorithm (VC-DI-EdDSA §3.3, what 1EdTech's test vector spells out):
  proof configuration = the proof without `proofValue`, with the document's `@context`;
  data = SHA-256(canonical N-Quads of the configuration) + SHA-256(canonical N-Quads of the document
  without its proof); proofValue = "z" + base58btc(Ed25519 signature over data).
The bundled files, as published: credentials-v2.jsonld (W3C VC 2.0, as in npm @digitalbazaar/credentials-context
3.2.0), multikey-v1.jsonld (npm @digitalbazaar/multikey-context 2.0.1), ob-v3p0-context-3.0.3.json (1EdTech
openbadges-specification, ob_v3p0/context-3.0.3.json); schema/ holds 1EdTech's AchievementCredential JSON
Schema (tests only). This module is pure (no Flask): tests/badges/test_vector.py checks it byte for byte against 1EdTech's vector.
"""
from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

CONTEXT_DIR = Path(__file__).parent / "contexts"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
CONTEXT_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-context-3.0.3.json",
    MULTIKEY_V1: "multikey-v1.jsonld",
}
CRYPTOSUITE = "eddsa-rdfc-2022"
ED25519_PUB_PREFIX = b"\xed\x01"  # multicodec ed25519-pub (varint 0xed)
_contexts: dict[str, dict] = {}


class UnsupportedContext(ValueError):
    """The document names a JSON-LD context we do not bundle (never fetched)."""


class ProofError(ValueError):
    """The proof is missing, malformed or does not verify; str() says why (English)."""


def bundled_context(url: str) -> dict:
    document = _contexts.get(url)
    if document is None:
        name = CONTEXT_FILES.get(url)
        if name is None:
            raise UnsupportedContext(url)
        document = _contexts[url] = json.loads((CONTEXT_DIR / name).read_text("utf-8"))
    return document


def document_loader(url: str, options: dict | None = None) -> dict:
    """pyld's document loader: the bundled contexts only; any other URL is refused (no network)."""
    try:
        document = bundled_context(url)
    except UnsupportedContext:
        raise jsonld.JsonLdError(f"context not bundled: {url[:200]}", "jsonld.LoadDocumentError",
                                 {"url": url}, code="loading document failed") from None
    return {"contextUrl": None, "documentUrl": url, "document": document}


def check_contexts(document: dict) -> None:
    """Refuse a document whose @context is not a list of bundled context URLs (before pyld sees it)."""
    contexts = document.get("@context")
    if isinstance(contexts, str):
        contexts = [contexts]
    if not isinstance(contexts, list) or not contexts:
        raise UnsupportedContext("no @context")
    for context in contexts:
        if not isinstance(context, str) or context not in CONTEXT_FILES:
            raise UnsupportedContext(str(context)[:200])


def canonicalize(document: dict) -> str:
    """The RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document, with the bundled contexts only.
    Raises UnsupportedContext for a context we do not bundle, ProofError for a document that is not valid
    JSON-LD under them (VC 2.0's context gives undefined terms its @vocab, so nothing is left out unsigned)."""
    check_contexts(document)
    try:
        return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                           "documentLoader": document_loader})
    except jsonld.JsonLdError as error:
        if "not bundled" in str(error) or "loading" in str(getattr(error, "code", "")):
            raise UnsupportedContext(str(error)[:200]) from None
        raise ProofError(f"not valid JSON-LD under its contexts: {str(error)[:200]}") from None


# --- base58btc and Multikey -------------------------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(_B58[rest])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    if len(text) > 200:
        raise ValueError("too long for base58 here")
    number = 0
    for char in text:
        if char not in _B58_INDEX:
            raise ValueError("not base58btc")
        number = number * 58 + _B58_INDEX[char]
    pad = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * pad + body


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def multikey(key: Ed25519PublicKey) -> str:
    """The key's publicKeyMultibase: "z" + base58btc(0xed01 + 32 raw bytes), e.g. "z6Mk…"."""
    return "z" + b58encode(ED25519_PUB_PREFIX + public_raw(key))


def key_from_multikey(text: str) -> Ed25519PublicKey:
    if not isinstance(text, str) or not text.startswith("z"):
        raise ValueError("not a base58btc multibase value")
    raw = b58decode(text[1:])
    if len(raw) != 34 or not raw.startswith(ED25519_PUB_PREFIX):
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


# --- the proof --------------------------------------------------------------------------------------------

def hash_data(document: dict, proof_config: dict) -> tuple[bytes, str, str]:
    """(the bytes signed, canonical proof configuration, canonical document) for eddsa-rdfc-2022."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in proof_config.items() if k != "proofValue"}
    config["@context"] = document.get("@context")
    canonical_config = canonicalize(config)
    canonical_document = canonicalize(unsecured)
    data = (hashlib.sha256(canonical_config.encode("utf-8")).digest()
            + hashlib.sha256(canonical_document.encode("utf-8")).digest())
    return data, canonical_config, canonical_document


def proof_options(verification_method: str, created: str) -> dict:
    return {"type": "DataIntegrityProof", "created": created, "verificationMethod": verification_method,
            "cryptosuite": CRYPTOSUITE, "proofPurpose": "assertionMethod"}


def sign(document: dict, key: Ed25519PrivateKey, verification_method: str, created: str) -> dict:
    """A copy of the document with a DataIntegrityProof (eddsa-rdfc-2022) by this key."""
    options = proof_options(verification_method, created)
    data, _, _ = hash_data(document, options)
    signed = copy.deepcopy(document)
    signed["proof"] = {**options, "proofValue": "z" + b58encode(key.sign(data))}
    return signed


def verify(document: dict, resolve_key) -> dict:
    """Check the document's proof; `resolve_key(verification_method)` gives the Ed25519 public key or None.

    Returns the proof. Raises UnsupportedContext, or ProofError with the reason ("unknown key" starts the
    message when the verification method is not one we know)."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("no proof")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("not an eddsa-rdfc-2022 DataIntegrityProof")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("the proof's purpose is not assertionMethod")
    method = proof.get("verificationMethod")
    value = proof.get("proofValue")
    if not isinstance(method, str) or not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("the proof lacks its verification method or value")
    key = resolve_key(method)
    if key is None:
        raise ProofError("unknown key: " + method[:200])
    try:
        signature = b58decode(value[1:])
    except ValueError:
        raise ProofError("the proof value is not base58btc") from None
    data, _, _ = hash_data(document, proof)
    try:
        key.verify(signature, data)
    except InvalidSignature:
        raise ProofError("the signature does not match the credential") from None
    return proof
