"""Open Badges baking (OB 3.0 §5.3): the credential carried inside a PNG of the badge, in an iTXt chunk with
the keyword "openbadges" (uncompressed, the signed credential's JSON as its text), put before IEND.

The picture is drawn here (Pillow): a round seal with the serial, the same for every holder of a kind but
for its serial; what proves anything is the credential in it, checked like an uploaded JSON
(checking.png_credential reads it back). Also the LinkedIn "add to profile" link of a certificate.
"""
from __future__ import annotations

import io
import struct
import zlib
from urllib.parse import urlencode

from PIL import Image, ImageDraw, ImageFont

from ..certificates.models import Certificate

SIZE = 360
KIND_COLOURS = {"awardee": (184, 134, 11), "exhibitor": (30, 110, 70), "judge": (40, 70, 140),
                "participant": (120, 60, 130)}


def picture(cert: Certificate) -> bytes:
    colour = KIND_COLOURS.get(cert.kind, (90, 90, 90))
    image = Image.new("RGBA", (SIZE, SIZE), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=colour + (255,))
    draw.ellipse((30, 30, SIZE - 30, SIZE - 30), outline=(255, 255, 255, 255), width=6)
    draw.line((120, 180, 165, 225, 245, 135), fill=(255, 255, 255, 255), width=18, joint="curve")
    font = ImageFont.load_default(size=22)
    draw.text((SIZE / 2, 272), cert.grouped_serial, fill=(255, 255, 255, 255), font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def bake(png: bytes, credential_json: str) -> bytes:
    """The PNG with an iTXt "openbadges" chunk holding the credential (any earlier one dropped)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    chunks, position = [], 8
    while position + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        whole = png[position:position + 12 + length]
        body = whole[8:8 + length]
        if kind == b"IEND":
            break
        if not (kind == b"iTXt" and body.startswith(b"openbadges\0")):
            chunks.append(whole)
        position += 12 + length
    text = b"openbadges\0" + b"\0\0" + b"\0" + b"\0" + credential_json.encode("utf-8")
    return png[:8] + b"".join(chunks) + _chunk(b"iTXt", text) + _chunk(b"IEND", b"")


def linkedin_url(cert: Certificate, verify_url: str) -> str:
    """LinkedIn's "add licence or certification" link, filled in with this certificate."""
    issued = cert.issued_at
    return "https://www.linkedin.com/profile/add?" + urlencode({
        "startTask": "CERTIFICATION_NAME", "name": f"{cert.role_th} — {cert.fair.name_th}",
        "organizationName": cert.fair.organizer_th, "issueYear": issued.year, "issueMonth": issued.month,
        "certUrl": verify_url, "certId": cert.grouped_serial})
