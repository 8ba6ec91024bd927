"""The Open Badges 3.0 credential (an `OpenBadgeCredential`, VC Data Model 2.0) of a certificate.

Everything in it is a function of the certificate row, its fair, the site's address and the signing key:
it is built and signed when asked for (Ed25519 is deterministic, so the same certificate gives the same
bytes every time) and nothing is stored. Its parts:
- issuer: a Profile, the fair's organizer (Fair.organizer_th), id the controller document of our keys;
- validFrom and the proof's `created`: when the certificate was issued (UTC);
- credentialSubject: an AchievementSubject with the holder's name, or NO name when it was withheld at the
  holder's request (PDPA s.33: `holder_withheld_at`; then the certificate's printed reason, which may
  carry the name, is left out too), a judge's hashed email (an IdentityObject, salt the serial), and the
  Achievement: the award or role as printed (Thai), with a criteria narrative in Thai and the kind's badge
  image (static/img/badge-<kind>.svg);
- the serial: the credential's id is `<site>/verify/<serial>` (the public check page) and its evidence
  names the serial;
- credentialStatus: its bit in the fair's Bitstring Status List (status.py), index the certificate's id.
All text is NFC-normalized Thai (as the page shows it), so the signed N-Quads are the text a holder reads.
"""
from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime, timezone

from ..certificates.models import Certificate
from . import keys, proof

# No `credentialSchema`: its type "1EdTechJsonSchemaValidator2019" is defined by no bundled context (a relative
# @type, which strict verifiers refuse); the credential is checked against that schema in our tests instead.
CRITERIA_TH = {
    "awardee": "ผ่านการพิจารณาของคณะกรรมการตัดสินรางวัลตามเกณฑ์ของงาน{fair} และได้รับ{role}",
    "exhibitor": "ได้รับการคัดเลือกเป็นผู้ออกบูธและลงทะเบียนเข้าร่วมออกบูธในงาน{fair} ({role})",
    "judge": "ได้รับแต่งตั้งเป็นกรรมการและร่วมพิจารณาตัดสินรางวัลในงาน{fair}",
    "participant": "ลงทะเบียนและเข้าร่วมงาน{fair}",
}
DESCRIPTION_TH = "เกียรติบัตรเลขที่ {serial} ออกโดย{issuer} ตรวจสอบได้ที่ {url}"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def verify_url(base: str, cert: Certificate) -> str:
    return f"{base.rstrip('/')}/verify/{cert.grouped_serial}"


def status_list_url(base: str, fair_id: int) -> str:
    return f"{base.rstrip('/')}/badges/status/{fair_id}"


def achievement_id(base: str, cert: Certificate) -> str:
    """One Achievement per award or role of a fair: the same for every holder of it."""
    digest = hashlib.sha256(nfc(cert.role_th).encode("utf-8")).hexdigest()[:12]
    return f"{base.rstrip('/')}/badges/achievements/{cert.fair_id}/{cert.kind}-{digest}"


def hashed_email(email: str, salt: str) -> str:
    """Open Badges' IdentityObject hash: "sha256$" and the hex SHA-256 of the address and the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def holder_email(cert: Certificate) -> str | None:
    """The address of a certificate's holder when the holder is a person with an account (a judge)."""
    if cert.kind != "judge" or not cert.subject_key.startswith("judge:"):
        return None
    from ..accounts.models import User
    from ..extensions import db

    user = db.session.get(User, int(cert.subject_key.split(":", 1)[1]))
    return user.email if user is not None and user.erased_at is None else None


def unsigned(cert: Certificate, base: str) -> dict:
    """The credential without its proof."""
    fair = cert.fair
    url = verify_url(base, cert)
    issuer_name = nfc(fair.organizer_th)
    role = nfc(cert.role_th) or nfc(str(cert.kind_label))
    withheld = cert.holder_withheld_at is not None
    achievement = {
        "id": achievement_id(base, cert), "type": ["Achievement"], "name": role,
        "description": nfc(f"{role} — {fair.name_th}"),
        "criteria": {"narrative": nfc(CRITERIA_TH[cert.kind].format(fair=fair.name_th, role=role))},
        "achievementType": "Award" if cert.kind == "awardee" else "Certificate",
        "image": {"id": f"{base.rstrip('/')}/static/img/badge-{cert.kind}.svg", "type": "Image"},
        "inLanguage": "th",
    }
    subject = {"type": ["AchievementSubject"], "achievement": achievement}
    if not withheld:
        subject["name"] = nfc(cert.holder_name)
        email = holder_email(cert)
        if email:  # a judge: a hashed email lets a verifier match the holder without publishing the address
            subject["identifier"] = [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                                      "salt": cert.serial, "identityHash": hashed_email(email, cert.serial)}]
    if cert.holder_org:
        subject["description"] = nfc(cert.holder_org)
    evidence = {"id": url, "type": ["Evidence"], "name": nfc(f"เกียรติบัตรเลขที่ {cert.grouped_serial}"),
                "genre": nfc(str(cert.kind))}
    if cert.reason and not withheld:
        evidence["narrative"] = nfc(cert.reason)
    return {
        "@context": [proof.VC_V2, proof.OB_V3],
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": nfc(f"{role} — {fair.name_th}"),
        "description": nfc(DESCRIPTION_TH.format(serial=cert.grouped_serial, issuer=issuer_name, url=url)),
        "issuer": {"id": keys.controller_url(base), "type": ["Profile"], "name": issuer_name,
                   "url": base.rstrip("/") + "/"},
        "validFrom": iso_utc(cert.issued_at),
        "credentialSubject": subject,
        "evidence": [evidence],
        "credentialStatus": {"id": f"{status_list_url(base, cert.fair_id)}#{cert.id}",
                             "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                             "statusListIndex": str(cert.id),
                             "statusListCredential": status_list_url(base, cert.fair_id)},
    }


def issue(cert: Certificate, base: str, key) -> dict:
    """The signed credential of a certificate (key: the Ed25519 private key that signs)."""
    document = unsigned(cert, base)
    signed = proof.sign(document, key, keys.method_id(base, key.public_key()), iso_utc(cert.issued_at))
    signed["proof"] = [signed["proof"]]  # a set of one: 1EdTech's formal JSON Schema wants `proof` an array
    return signed
