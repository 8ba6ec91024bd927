"""The issued certificates list: searched (a name without spaces or tone marks, or a serial) and filtered in
pages of 50, and printed again from it: the ticked certificates, or every one the search and filters match
("select all matching", sent as the filter, read again and confirmed with its number), as a print batch
per kind through the existing printing; one that may not be printed (revoked, replaced, withheld) is left
out and named."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from fairapp.certificates import operations as ops, printing
from fairapp.certificates.models import Certificate, PrintBatch
from fairapp.core.transaction import unit_of_work
from fairapp.extensions import db as _db
from tests.certificates.world import build_cert_world


@pytest.fixture
def w(app, db):
    w = build_cert_world(db)
    names = [f"นายสมศักดิ์ บ้านนา{i:03d} | ชุมชนบ้านป่าซาง" for i in range(55)]
    names += ["นางสาวมาลี ใจงาม | โรงเรียนสามัคคี", "นายก้องภพ ศรีสุข"]
    with app.test_request_context(), unit_of_work():
        certs, _ = ops.issue(w.fair, ops.participant_candidates(w.fair, "\n".join(names)), w.staff)
    w.banna = [c.id for c in certs[:55]]
    w.malee, w.kongpop = certs[55].id, certs[56].id
    with app.test_request_context(), unit_of_work():
        ops.new_template(w.other_fair, "participant", w.staff)
    with app.test_request_context(), unit_of_work():
        other, _ = ops.issue(w.other_fair, ops.participant_candidates(w.other_fair, "นายสมศักดิ์ บ้านนา999"),
                             w.staff)
    w.elsewhere = other[0].id
    return w


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="ids" value="(\d+)"', html)]


def _get(client, w, query: str) -> str:
    response = client.get(f"/fairs/{w.fair.id}/certificates/issued?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _batches() -> list[PrintBatch]:
    _db.session.expire_all()
    return _db.session.scalars(select(PrintBatch).order_by(PrintBatch.id)).all()


def test_search_finds_names_without_spaces_or_tone_marks_and_serials(client, login_as, w):
    login_as(w.staff)
    assert _ids(_get(client, w, "q=มาลีใจงาม")) == [w.malee]
    assert _ids(_get(client, w, "q=กองภพ")) == [w.kongpop]
    serial = _db.session.get(Certificate, w.kongpop).serial
    assert _ids(_get(client, w, f"q={serial.lower()}")) == [w.kongpop]
    assert _ids(_get(client, w, "q=ไม่มีชื่อนี้")) == []


def test_search_with_filters_and_pages(app, client, login_as, w):
    with app.test_request_context(), unit_of_work():
        printing.print_certificates([_db.session.get(Certificate, w.banna[0])], w.staff, "single")
    login_as(w.staff)
    first = _get(client, w, "q=บานนา&kind=participant")
    assert _ids(first) == w.banna[:50] and 'value="บานนา"' in first
    nxt = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "q=" in nxt and "kind=participant" in nxt
    assert _ids(client.get(nxt).get_data(as_text=True)) == w.banna[50:]
    assert _ids(_get(client, w, "q=บานนา&printed=yes")) == [w.banna[0]]
    assert len(_ids(_get(client, w, "q=บานนา&printed=no"))) == 50
    assert _ids(_get(client, w, "q=บานนา&kind=judge")) == []


def test_print_all_matching_makes_a_batch_of_exactly_the_matching_valid_ones(app, client, login_as, post_form, w):
    with app.test_request_context(), unit_of_work():
        ops.revoke(_db.session.get(Certificate, w.banna[3]), "ออกให้ผิดคน", w.staff, public_reason="issued_in_error")
    login_as(w.staff)
    page = f"/fairs/{w.fair.id}/certificates/issued?q=บานนา&select=all"
    assert 'name="scope" value="matching"' in _get(client, w, "q=บานนา&select=all")
    url = f"/fairs/{w.fair.id}/certificates/issued/print?q=บานนา"
    asked = post_form(url, {"scope": "matching"}, page=page)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'name="expected" value="55"' in html
    assert "พิมพ์ได้ 54 ฉบับ" in html and "ข้าม 1 ฉบับ" in html  # the revoked one, named
    assert _batches() == []
    again = post_form(url, {"scope": "matching", "confirmed": "1", "expected": "30"}, page=page)
    assert again.status_code == 200 and _batches() == []  # the number changed: asked again
    done = post_form(url, {"scope": "matching", "confirmed": "1", "expected": "55"}, page=page)
    assert done.status_code == 302
    [batch] = _batches()
    assert batch.kind == "participant" and batch.total == 54 and batch.fair_id == w.fair.id
    wanted = set(w.banna) - {w.banna[3]}
    assert "/certificates/batches/" in done.location
    assert batch.status == "done"  # tests run jobs inline
    assert {c.id for c in printing.batch_certificates(batch)} == wanted
    # the same certificates, none issued again
    assert _db.session.scalar(select(func.count(Certificate.id)).where(Certificate.fair_id == w.fair.id)) == 57


def test_print_the_ticked_ones_leaves_out_another_fairs_and_names_the_refused(app, client, login_as, post_form, w):
    with app.test_request_context(), unit_of_work():
        ops.revoke(_db.session.get(Certificate, w.malee), "ออกให้ผิดคน", w.staff, public_reason="issued_in_error")
    login_as(w.staff)
    page = f"/fairs/{w.fair.id}/certificates/issued"
    url = f"/fairs/{w.fair.id}/certificates/issued/print"
    ticked = [str(w.kongpop), str(w.malee), str(w.elsewhere)]
    asked = post_form(url, {"ids": ticked}, page=page)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "พิมพ์ได้ 1 ฉบับ" in html and "ข้าม 1 ฉบับ" in html
    assert set(_ids(html)) == {w.kongpop, w.malee} and f'name="ids" value="{w.elsewhere}"' not in html
    done = post_form(url, {"ids": [str(w.kongpop), str(w.malee)], "scope": "page", "confirmed": "1"}, page=page)
    assert done.status_code == 302
    [batch] = _batches()
    assert [c.id for c in printing.batch_certificates(batch)] == [w.kongpop]
    shown = client.get(done.location).get_data(as_text=True)
    assert "ข้าม 1 ฉบับ" in shown


def test_nothing_printable_makes_no_batch(app, client, login_as, post_form, w):
    with app.test_request_context(), unit_of_work():
        ops.revoke(_db.session.get(Certificate, w.malee), "ออกให้ผิดคน", w.staff, public_reason="issued_in_error")
    login_as(w.staff)
    done = post_form(f"/fairs/{w.fair.id}/certificates/issued/print",
                     {"ids": [str(w.malee)], "scope": "page", "confirmed": "1"},
                     page=f"/fairs/{w.fair.id}/certificates/issued")
    assert done.status_code == 302 and _batches() == []


def test_printing_needs_the_csrf_token_and_the_fairs_staff(client, login_as, w):
    url = f"/fairs/{w.fair.id}/certificates/issued/print"
    data = {"scope": "matching", "confirmed": "1", "expected": "57"}
    login_as(w.staff)
    assert client.post(url, data=data).status_code == 400
    login_as(w.other_staff)
    assert client.post(url, data=data).status_code in (400, 404)
    assert _batches() == []


def test_the_searched_list_reads_a_constant_number_of_queries(app, client, login_as, w, count_queries):
    login_as(w.staff)
    counts = []
    for size in (3, 40):
        with app.test_request_context(), unit_of_work():
            certs, _ = ops.issue(w.fair, ops.participant_candidates(
                w.fair, "\n".join(f"นายทดสอบ บ้านนา{size}-{i}" for i in range(size))), w.staff)
            printing.print_certificates(certs, w.staff, "single", confirmed=True)
        url = f"/fairs/{w.fair.id}/certificates/issued?q=บานนา&select=all"
        client.get(url)
        with count_queries() as n:
            assert client.get(url).status_code == 200
        counts.append(n[0])
    print(f"issued certificates searched, all selected: {counts} queries with 3 and 43 matching rows")
    assert counts[0] == counts[1], counts


def test_a_page_of_the_list_reads_one_page_of_rows_at_five_times_the_fair(app, client, login_as, w, db):
    """The list is read in its order from an index (migration 0029), not sorted whole for each page: the
    database's work for the first page (counts aside) is the same for a fair of about 100 certificates and
    one of about 500 (issue 14)."""
    from sqlalchemy import insert

    from fairapp.certificates.models import Certificate
    from tests.core.db_work import db_work

    login_as(w.staff)
    model = _db.session.get(Certificate, w.malee)
    base = {c.key: getattr(model, c.key) for c in Certificate.__table__.columns if c.key != "id"}
    url = f"/fairs/{w.fair.id}/certificates/issued"
    work, made = [], 0
    for size in (100, 500):
        _db.session.execute(insert(Certificate), [
            {**base, "serial": f"MCTEST{i:06d}", "subject_key": f"participant:bulk:{i}", "stage_order": 1000 + i}
            for i in range(made, size)])
        _db.session.commit()
        made = size
        client.get(url)
        with db_work() as measured:
            assert client.get(url).status_code == 200
        work.append(measured.rows(skip=("count(",)))
    assert work[1] < work[0] * 1.5, work  # sorted whole: about 5x
