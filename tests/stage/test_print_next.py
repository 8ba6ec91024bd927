"""Printing from the stage desk (issue 16): the control page says how many awardee certificates are issued
but not printed, and "print the next N not printed" prints those (in stage order) through the certificates
package's print operation, each copy recorded once, and gives one PDF of them; certificates printed since
(another desk) need the same reprint confirmation as elsewhere; only this fair's awardee certificates."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from fairapp.certificates import operations as cert_ops
from fairapp.certificates import printing
from fairapp.certificates.models import CertificatePrint
from fairapp.core.transaction import unit_of_work
from fairapp.nominations.models import Category
from tests.conftest import csrf_token_from
from tests.stage.test_stage import _url, w  # noqa: F401  (the fixture: two awardees on stage)


def _issue(app, db, w, *, printed: int = 0) -> list[int]:
    """Issue the awardee certificates (stage order), the first `printed` of them printed once."""
    with app.test_request_context(), unit_of_work():
        from fairapp.certificates.candidates import candidates_for
        from fairapp.fairs.models import Fair
        fair = db.session.get(Fair, w.fair.id)
        staff = db.session.get(type(w.staff), w.staff.id)
        issued, _ = cert_ops.issue(fair, candidates_for(fair, "awardee", category=db.session.get(
            Category, w.category.id)), staff)
        if printed:
            printing.print_certificates(issued[:printed], staff, "single")
        ids = [c.id for c in issued]
    return ids


def _copies(db, cert_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(CertificatePrint.id)).where(CertificatePrint.certificate_id == cert_id))


def _print(client, w, **data):
    token = csrf_token_from(client.get(_url(w, "/control")).get_data(as_text=True))
    return client.post(_url(w, "/print"), data={**data, "csrf_token": token})


def _pages(response) -> int:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return len(PdfReader(io.BytesIO(response.data)).pages)


def test_the_control_page_counts_what_waits_to_be_printed(client, login_as, w, app, db):
    login_as(w.staff)
    html = client.get(_url(w, "/control")).get_data(as_text=True)
    assert 'id="print-form"' not in html  # nothing issued yet
    _issue(app, db, w, printed=1)
    html = client.get(_url(w, "/control")).get_data(as_text=True)
    assert "ออกเกียรติบัตรแล้วแต่ยังไม่พิมพ์ 1 ฉบับ" in html
    assert 'id="print-form"' in html and 'name="n" value="5"' in html


def test_prints_the_next_not_printed_in_stage_order_once(client, login_as, w, app, db):
    first, second = _issue(app, db, w)
    login_as(w.staff)
    assert _pages(_print(client, w, n="1")) == 1  # the first on stage only
    assert (_copies(db, first), _copies(db, second)) == (1, 0)
    assert _pages(_print(client, w, n="5")) == 1  # then the one left: the printed one is not printed again
    assert (_copies(db, first), _copies(db, second)) == (1, 1)
    response = _print(client, w, n="5")  # nothing left
    assert response.status_code == 303 and response.headers["Location"].endswith("/stage/control#print-next")
    assert (_copies(db, first), _copies(db, second)) == (1, 1)
    html = client.get(_url(w, "/control")).get_data(as_text=True)
    assert "ไม่มีเกียรติบัตรที่ยังไม่พิมพ์ให้พิมพ์" in html and "พิมพ์แล้ว 1 ฉบับ" in html


def test_a_reprint_needs_the_confirmation(client, login_as, w, app, db):
    """The desk chose certificates another desk printed since: the certificates' "printed before" warning
    and its confirmation, then printed again."""
    first, second = _issue(app, db, w, printed=1)
    login_as(w.staff)
    response = _print(client, w, ids=[str(first), str(second)])
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "ชุดนี้มี 1 ฉบับที่พิมพ์ไปแล้ว" in html and 'id="reprint-confirm"' in html
    assert f'name="ids" value="{first}"' in html and f'name="ids" value="{second}"' in html
    assert (_copies(db, first), _copies(db, second)) == (1, 0)  # nothing printed
    token = csrf_token_from(html)
    response = client.post(_url(w, "/print"), data={"ids": [str(first), str(second)], "confirm": "y",
                                                     "csrf_token": token})
    assert _pages(response) == 2
    assert (_copies(db, first), _copies(db, second)) == (2, 1)


@pytest.mark.parametrize("n", ["0", "-3", "abc", "999"])
def test_an_unreadable_count_is_the_default(client, login_as, w, app, db, n):
    _issue(app, db, w)
    login_as(w.staff)
    assert _pages(_print(client, w, n=n)) == 2  # five at most: both


def test_only_this_fairs_awardee_certificates(client, login_as, w, app, db):
    first, _second = _issue(app, db, w)
    login_as(w.other_staff)  # staff of another fair: not found
    token = client.get("/session").get_json()["csrf_token"]
    assert client.post(_url(w, "/print"), data={"n": "5", "csrf_token": token}).status_code == 404
    login_as(w.staff)
    response = _print(client, w, ids=[str(first + 1000)])  # no such awardee certificate here
    assert response.status_code == 303
    assert _copies(db, first) == 0


def test_printing_n_costs_the_same_queries_for_2_and_10(client, login_as, w, app, db):
    """The print makes a fixed number of queries whatever N (the slides, the certificates, the print
    operation's lock, last prints and audit entry), besides the printed copies' rows themselves (the
    certificates package's insert: one statement per row on SQLite, batched on PostgreSQL)."""
    from contextlib import contextmanager

    from sqlalchemy import event

    from fairapp.extensions import db as _db
    from tests.stage.test_stage import _more_awardees

    @contextmanager
    def counted():
        seen = [0, 0]  # [statements, of which inserts of printed copies]

        def before(_conn, _cursor, statement, *args, **kwargs):
            seen[0] += 1
            seen[1] += statement.startswith("INSERT INTO certificate_prints")
        event.listen(_db.engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(_db.engine, "before_cursor_execute", before)

    _issue(app, db, w)
    login_as(w.staff)
    token = csrf_token_from(client.get(_url(w, "/control")).get_data(as_text=True))
    with counted() as small:
        assert _pages(client.post(_url(w, "/print"), data={"n": "5", "csrf_token": token})) == 2
    _more_awardees(db, w, 4)
    with app.test_request_context(), unit_of_work():
        from fairapp.certificates.candidates import candidates_for
        from fairapp.fairs.models import Fair
        fair = db.session.get(Fair, w.fair.id)
        staff = db.session.get(type(w.staff), w.staff.id)
        for category in db.session.scalars(select(Category).where(Category.fair_id == fair.id,
                                                                  Category.id != w.category.id)):
            cert_ops.issue(fair, candidates_for(fair, "awardee", category=category), staff)
    with counted() as large:
        assert _pages(client.post(_url(w, "/print"), data={"n": "50", "csrf_token": token})) == 8
    print(f"print_next statements: {small} for 2 certificates, {large} for 8 ([all, copies' inserts])")
    assert large[0] - large[1] == small[0] - small[1], (small, large)
