"""The minutes PDF is linear in its rows (issue 14: 55x the time at 10x the data). Wrapping measured
every growing candidate of a line (one HarfBuzz shaping per piece, each longer than the last) even when
the whole paragraph fits, which is nearly every cell of the minutes; the one-off prefixes also flushed
the shaping cache. A paragraph that fits is now shaped once, and the lines are the same."""
from __future__ import annotations

from fairapp.core import pdf


def _shapings(monkeypatch, text: str, width: float) -> tuple[int, list[str]]:
    pdf._shaped.cache_clear()
    calls = []
    real = pdf.shapeStr

    def counting(s, font, size):
        calls.append(s)
        return real(s, font, size)

    monkeypatch.setattr(pdf, "shapeStr", counting)
    lines = pdf.wrap_text(text, "Sarabun", 10, width)
    monkeypatch.setattr(pdf, "shapeStr", real)
    return len(calls), lines


def test_a_paragraph_that_fits_is_shaped_once_whatever_its_pieces(monkeypatch):
    short = "กรรมการ 1: 55.00 · กรรมการ 2: 60.00"
    long = " · ".join(f"กรรมการ {i}: {50 + i}.00" for i in range(1, 9))
    counts = [_shapings(monkeypatch, text, 5000) for text in (short, long)]
    assert counts[0][0] == counts[1][0] == 1, counts
    assert counts[0][1] == [short] and counts[1][1] == [long]


def test_lines_that_do_not_fit_break_as_before():
    text = "องค์กรคุณธรรมต้นแบบด้านความซื่อสัตย์สุจริต มีวินัย และมีจิตสาธารณะ " * 3
    lines = pdf.wrap_text(text, "Sarabun", 10, 150)
    assert len(lines) > 1 and all(pdf.text_width(line, "Sarabun", 10) <= 150 for line in lines)
    assert "".join(lines).replace(" ", "") == text.rstrip().replace(" ", "")
    assert pdf.wrap_text("", "Sarabun", 10, 100) == [""] and pdf.wrap_text("ก\nข", "Sarabun", 10, 100) == ["ก", "ข"]


def test_the_documents_queries_do_not_grow_with_their_rows(app, db, count_queries):
    """The minutes and the results list every nomination of a category: their nominations (with the
    nominee organization) come in one query, not one more per 500 rows (15 -> 18 queries at 10x)."""
    from fairapp.judging.queries import nominations_by_id
    from fairapp.nominations.models import Nomination, NominationStatus
    from tests.factories import create_org
    from tests.judging.test_chair_views import build_world

    w = build_world(db)
    orgs = [create_org(f"องค์กรที่ {i}") for i in range(3)]
    db.session.add_all([Nomination(fair_id=w.fair.id, category_id=w.category.id, nominator_org_id=orgs[i % 3].id,
                                   nominee_org_id=create_org(f"ผู้ถูกเสนอชื่อ {i}").id,
                                   status=NominationStatus.eligible) for i in range(520)])
    db.session.commit()
    ids = [n.id for n in Nomination.query.all()]
    seen = []
    for wanted in (ids[:3], ids):
        db.session.expire_all()
        with count_queries() as q:
            found = nominations_by_id(wanted)
            names = [n.nominee_name() for n in found.values()]
        seen.append((q[0], len(names)))
    assert seen[0][0] == seen[1][0] == 1 and seen[1][1] == len(ids), seen
