"""The keys that sign credentials, published as Multikeys in one controller document (the issuer's).

The certificate signing key (certificates.signing.signing_key) signs; earlier keys stay published so that
credentials they signed still verify after a rotation: CERTIFICATE_EARLIER_PUBLIC_KEYS (config: a list or
a comma/space separated string of public keys, each PEM, base64url of its 32 raw bytes or a Multikey
"z6Mk…") and the file instance/certificate-earlier-public-keys.txt (one per line, # comments).

A verification method is `<site>/badges/issuer#<publicKeyMultibase>`; the controller document at
`<site>/badges/issuer` (JSON) lists every published key under `verificationMethod` and `assertionMethod`,
the current one first.
"""
from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import current_app

from ..certificates import signing
from . import proof

SECURITY_V2 = "https://w3id.org/security/v2"  # defines assertionMethod/verificationMethod for verifiers that frame
CONTROLLER_PATH = "/badges/issuer"


def _parse(text: str) -> Ed25519PublicKey:
    text = text.strip()
    if text.startswith("z6Mk"):
        return proof.key_from_multikey(text)
    return signing.load_public_key(text)


def earlier_keys(app=None) -> list[Ed25519PublicKey]:
    app = app or current_app._get_current_object()
    configured = app.config.get("CERTIFICATE_EARLIER_PUBLIC_KEYS") or []
    if isinstance(configured, str):
        configured = configured.replace(",", " ").split()
    texts = list(configured)
    path = Path(app.instance_path) / "certificate-earlier-public-keys.txt"
    if path.exists():
        body = path.read_text("utf-8")
        if "-----BEGIN" in body:
            texts += [f"-----BEGIN{part}" for part in body.split("-----BEGIN")[1:]]
        else:
            texts += [line for line in body.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [_parse(text) for text in texts]


def published(app=None) -> dict[str, Ed25519PublicKey]:
    """Every published key by its Multikey, the current one first."""
    current = signing.signing_key(app).public_key()
    keys = {proof.multikey(current): current}
    for key in earlier_keys(app):
        keys.setdefault(proof.multikey(key), key)
    return keys


def controller_url(base: str) -> str:
    return base.rstrip("/") + CONTROLLER_PATH


def method_id(base: str, key: Ed25519PublicKey) -> str:
    return f"{controller_url(base)}#{proof.multikey(key)}"


def resolver(app=None):
    """resolve_key for proof.verify: a verification method `…/badges/issuer#<multikey>` naming a published
    key gives that key (whatever site address it was issued under: the key decides); anything else None."""
    keys = published(app)

    def resolve(method: str):
        address, _, fragment = method.partition("#")
        if not address.endswith(CONTROLLER_PATH):
            return None
        return keys.get(fragment)
    return resolve


def controller_document(base: str, app=None) -> dict:
    controller = controller_url(base)
    methods = [{"@context": proof.MULTIKEY_V1, "id": f"{controller}#{multibase}", "type": "Multikey",
                "controller": controller, "publicKeyMultibase": multibase}
               for multibase in published(app)]
    return {"@context": [SECURITY_V2, proof.MULTIKEY_V1], "id": controller,
            "verificationMethod": methods, "assertionMethod": [m["id"] for m in methods]}
