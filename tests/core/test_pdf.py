"""Thai in PDFs: shaped drawing that extracts back exactly, widths, sizes that fit, line breaking."""
from __future__ import annotations

import io
import subprocess
import unicodedata

import pytest
from PIL import Image, ImageOps
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from fairapp.core import pdf

HARD = ["ที่นี่", "ญี่ปุ่น", "น้ำ", "ผู้ใหญ่", "ฐู"]
LONG_ORG = ("สำนักงานวัฒนธรรมจังหวัดเชียงราย และศูนย์คุณธรรม (องค์การมหาชน) "
            "ร่วมกับภาคีเครือข่ายชุมชนคุณธรรมน้อมนำหลักปรัชญาของเศรษฐกิจพอเพียงบ้านป่าซางน้อย")


def pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def render(draw, size=(595, 842)) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=size)
    draw(canvas)
    canvas.save()
    return out.getvalue()


def test_register_fonts_is_idempotent():
    pdf.register_fonts()
    pdf.register_fonts()
    names = pdfmetrics.getRegisteredFontNames()
    assert names.count("Sarabun") == 1 and names.count("Sarabun-Bold") == 1


@pytest.mark.parametrize("align", ["left", "center", "right"])
def test_pdftotext_returns_the_exact_thai(align):
    strings = HARD + [LONG_ORG]

    def draw(canvas):
        y = 800
        for text in strings:
            pdf.draw_text(canvas, 300, y, text, size=9 if text is LONG_ORG else 20, align=align)
            y -= 40

    lines = [line for line in pdftotext(render(draw)).splitlines() if line.strip()]
    assert lines == strings


def test_bold_and_latin_extract_too():
    data = render(lambda c: pdf.draw_text(c, 50, 700, "บูธ A01 ผู้ใหญ่", font="Sarabun-Bold", size=30))
    assert pdftotext(data).strip() == "บูธ A01 ผู้ใหญ่"


def test_draw_text_refuses_an_unknown_alignment():
    with pytest.raises(ValueError):
        render(lambda c: pdf.draw_text(c, 0, 0, "ก", align="justify"))


def _ink_box(draw) -> tuple[int, int, int, int]:
    png = subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", "-gray", "-"],
                         input=render(draw, (200, 100)), capture_output=True, check=True).stdout
    return ImageOps.invert(Image.open(io.BytesIO(png)).convert("L")).getbbox()


def test_marks_stack_when_shaped():
    """Picture check: shaped, the tone mark of ที่ sits above the vowel (taller ink); unshaped it sinks in."""
    def plain(canvas):
        pdf.register_fonts()
        canvas.setFont("Sarabun", 40)
        canvas.drawString(10, 30, "ที่นี่")

    shaped_top = _ink_box(lambda c: pdf.draw_text(c, 10, 30, "ที่นี่", size=40))[1]
    assert shaped_top < _ink_box(plain)[1] - 5


def test_text_width_is_the_shaped_width_and_scales():
    assert pdf.text_width("", "Sarabun", 12) == 0
    # Marks take no room: ที่ is as wide as ท.
    assert pdf.text_width("ที่", "Sarabun", 12) == pytest.approx(pdf.text_width("ท", "Sarabun", 12))
    assert pdf.text_width(LONG_ORG, "Sarabun", 24) == pytest.approx(2 * pdf.text_width(LONG_ORG, "Sarabun", 12))
    assert pdf.text_width("ผู้ใหญ่", "Sarabun-Bold", 12) > pdf.text_width("ผู้ใหญ่", "Sarabun", 12)


def test_one_shaping_serves_every_size(monkeypatch):
    """Shaping is cached by text and font only: HarfBuzz gives the same glyphs and advances (per 1,000
    units of size) at any size, so fitting a line over several sizes shapes it once."""
    from reportlab.pdfbase.ttfonts import shapeStr
    for font in pdf.FONTS:
        for text in HARD + [LONG_ORG]:
            shaped = [shapeStr(text, font, size) for size in (6, 12, 40, 1000)]
            assert len({str(s) for s in shaped}) == 1
            assert all(s.__shapeData__ == shaped[0].__shapeData__ for s in shaped)
    pdf._shaped.cache_clear()
    calls = []
    real = pdf.shapeStr
    monkeypatch.setattr(pdf, "shapeStr", lambda *args: calls.append(args) or real(*args))
    width = pdf.text_width(LONG_ORG, "Sarabun", 10)
    assert pdf.fit_text_size(LONG_ORG, "Sarabun", width, 20, 6) < 20 and len(calls) == 1


def test_fit_text_size():
    width = pdf.text_width(LONG_ORG, "Sarabun", 10)
    assert pdf.fit_text_size(LONG_ORG, "Sarabun", width * 3, 20, 6) == 20       # fits as asked
    size = pdf.fit_text_size(LONG_ORG, "Sarabun", width, 20, 6)
    assert 9.5 <= size <= 10 and pdf.text_width(LONG_ORG, "Sarabun", size) <= width
    assert pdf.fit_text_size(LONG_ORG, "Sarabun", 10, 20, 6) == 6               # nothing fits
    sizes = [pdf.fit_text_size(LONG_ORG, "Sarabun", w, 28, 6) for w in range(50, 1400, 25)]
    assert sizes == sorted(sizes), "more room never gives a smaller size"
    for w, s in zip(range(50, 1400, 25), sizes):
        assert s == 6 or pdf.text_width(LONG_ORG, "Sarabun", s) <= w


def _check_lines(lines: list[str], text: str, font: str, size: float, width: float) -> None:
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    for line in lines:
        assert line == line.strip() and line
        assert unicodedata.category(line[0]) not in ("Mn", "Mc"), f"line starts with a mark: {line!r}"
        assert line[0] not in "ะาำๅๆฯ)", f"line starts with what belongs to the line before: {line!r}"
        assert line[-1] not in "เแโใไ(", f"line ends with what belongs to the next line: {line!r}"
        assert pdf.text_width(line, font, size) <= width + 1e-6, f"{line!r} wider than {width}"


@pytest.mark.parametrize("width", [60, 90, 120, 200, 400])
@pytest.mark.parametrize("font", ["Sarabun", "Sarabun-Bold"])
def test_wrap_text_breaks_at_thai_words_and_fits(width, font):
    lines = pdf.wrap_text(LONG_ORG, font, 14, width)
    _check_lines(lines, LONG_ORG, font, 14, width)
    assert len(lines) > 1


def test_wrap_text_breaks_between_words_not_syllables():
    lines = pdf.wrap_text(LONG_ORG, "Sarabun", 12, 150)
    words = {"สำนักงาน", "วัฒนธรรม", "จังหวัด", "เชียงราย", "ศูนย์", "คุณธรรม", "เครือข่าย", "ชุมชน", "ปรัชญา"}
    for word in words:
        assert any(word in line for line in lines), f"{word} was split: {lines}"


def test_wrap_text_keeps_short_text_and_newlines():
    assert pdf.wrap_text("น้ำ", "Sarabun", 12, 500) == ["น้ำ"]
    assert pdf.wrap_text("ผู้ใหญ่\nฐู", "Sarabun", 12, 500) == ["ผู้ใหญ่", "ฐู"]


def test_a_word_longer_than_the_line_is_cut_between_clusters():
    word = "ผู้ใหญ่ที่นี่น้ำญี่ปุ่น" * 3
    lines = pdf.wrap_text(word, "Sarabun", 16, 40)
    _check_lines(lines, word, "Sarabun", 16, 40)
    # Emoji (outside the BMP) keep their place too.
    assert "".join(pdf.wrap_text("ก😀ข ค", "Sarabun", 12, 8)) == "ก😀ขค"
