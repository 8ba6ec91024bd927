"""One copy of each font in a merged print file and in the store (issue 14: the merged PDF no larger than one
render). ReportLab subsets a font per document, in the order the document first uses each character, and
gives the glyphs shaping picks (Thai marks lowered or narrowed) private codes in the order the process first
meets them: each chunk of a batch carried its own subset (a merged file of real, varied names was 1.2x one
render). core.pdf.prime gives every Thai character and glyph its code first, in one order, in every
process, so chunks carry byte-identical fonts, which the merge and the store keep once."""
from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from pypdf import PdfReader

from fairapp.certificates import batch_render
from fairapp.certificates.pdf_copy import PlainPdf
from fairapp.certificates.render import render_pages
from tests.certificates.thai_samples import DESIGN, SAMPLES

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["ผู้ใหญ่ ที่นี่ ญี่ปุ่น", "นางสาวฐิติพร ปู่ย่า", "ชุมชนบ้านฝั่งธนฯ ก๋วยเตี๋ยว", "นายญาณวุฒิ ฤๅษี",
         "วัดป่าฦๅชา ดอยสะเก็ด", "Ms. Jane O'Neil – “fair”", "โรงเรียนบ้านหนองบัว ๒๕๖๙", "นายเจ้ย ชื่นจิตต์"]


def _faces(names, start: int = 0):
    return [replace(SAMPLES["marks"], holder=name, serial=f"MC68-0000-0000-{i:04d}")
            for i, name in enumerate(names, start)]


def _fonts(data: bytes) -> list[str]:
    """The SHA-256 of each embedded font file of the PDF, in the file's order."""
    source = PlainPdf(data)
    found = []
    for n in sorted(source.spans, key=lambda n: source.spans[n][0]):
        stream = source.stream(n)
        if stream is not None and b"/Length1" in source._head(n):
            found.append(stream[2])
    return found


def test_chunks_of_different_names_carry_the_same_fonts_and_the_merge_keeps_one_copy():
    chunks = [render_pages([(DESIGN, face) for face in _faces(names, start)])
              for names, start in ((NAMES[:4], 0), (NAMES[4:], 4))]
    assert len(_fonts(chunks[0])) == 2 and _fonts(chunks[0]) == _fonts(chunks[1])
    one = render_pages([(DESIGN, face) for face in _faces(NAMES)])
    out = io.BytesIO()
    assert batch_render.merge_pdfs([lambda c=c: c for c in chunks], out, "ชุด") == 8
    merged = out.getvalue()
    assert _fonts(merged) == _fonts(one) and len(merged) <= len(one), (len(merged), len(one))
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(merged)).pages]
    assert all(f"MC68-0000-0000-{i:04d}" in text for i, text in enumerate(texts))


def test_a_name_beyond_thai_gets_its_own_copy_and_prints_right():
    """A character outside what prime gives codes to (here Vietnamese) is added after them, as ReportLab
    always did: that chunk's font differs, and the merge keeps both."""
    plain = render_pages([(DESIGN, face) for face in _faces(NAMES[:2])])
    other = render_pages([(DESIGN, face) for face in _faces(["Nguyễn Thị Ánh", NAMES[2]])])
    assert _fonts(plain)[0] == _fonts(other)[0] and _fonts(plain)[1] != _fonts(other)[1]
    out = io.BytesIO()
    batch_render.merge_pdfs([lambda: plain, lambda: other], out, "ชุด")
    assert len(set(_fonts(out.getvalue()))) == 3
    assert "Nguyễn Thị Ánh" in PdfReader(io.BytesIO(out.getvalue())).pages[2].extract_text()


def test_a_process_that_shaped_other_text_first_writes_the_same_fonts():
    """Private codes are fixed when the fonts are registered, not in the order a process meets glyphs: a
    process that shaped other Thai first (another chunk, the minutes) writes the same bytes."""
    code = (f"import hashlib, json, sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from fairapp.core import pdf\n"
            "for text in ('ฐู ญี่ปุ่น ป่ำ ปั้น', 'ผู้ใหญ่ ฤๅษี'):\n"
            "    pdf.text_width(text, 'Sarabun-Bold', 30); pdf.text_width(text[::-1], 'Sarabun', 12)\n"
            "from tests.certificates.test_shared_fonts import NAMES, _faces, _fonts, render_pages, DESIGN\n"
            "print(json.dumps(_fonts(render_pages([(DESIGN, f) for f in _faces(NAMES[:4])]))))\n")
    there = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    here = _fonts(render_pages([(DESIGN, face) for face in _faces(NAMES[:4])]))
    assert json.loads(there.stdout.strip().splitlines()[-1]) == here


def test_stored_certificates_leave_out_the_fonts_and_the_fixed_part():
    jobs = [(DESIGN, face, True) for face in _faces(NAMES[:3])]
    stored, merged, shared = batch_render.render_for_store(jobs, True)
    own, _ = batch_render.render_chunk(jobs)
    assert set(_fonts(merged)) <= set(shared)
    for data, pdf_bytes in zip(stored, own):
        assert len(data.data) < len(pdf_bytes) / 3 and data.sha256 == hashlib.sha256(pdf_bytes).hexdigest()
        assert batch_render.unpack(data.data, shared.__getitem__) == pdf_bytes
