"""core.pdf_check: no evidence PDF does anything by itself. Every automatic action is refused whatever its
type (the document's /OpenAction when it is an action, /AA on the catalog, a page, an annotation or a form
field), a link may only lead to the web, mail or a phone number (never `javascript:`), and a PDF whose
dictionaries say a key twice (two readers would see two documents) is refused. The plain "open at page 1"
destination that office suites write is not an action and is accepted.

The builders here are shared with tests/nominations/test_evidence.py (the same files through the route).
"""
from __future__ import annotations

import pytest
from pypdf.generic import ArrayObject, FloatObject, NullObject, NumberObject, TextStringObject

from fairapp.core.uploads import accept_evidence
from tests.core.test_uploads import Upload, refused, stored_files
from tests.nominations.hostile import _dict, _name, good_pdf, pdf_with


@pytest.fixture
def store(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    with app.test_request_context():
        yield tmp_path / "uploads"


def _rect() -> ArrayObject:
    return ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(100)])


def _first_page(w) -> ArrayObject:
    return ArrayObject([w.pages[0].indirect_reference, _name("/Fit")])


def _uri(uri: str):
    return _dict(S=_name("/URI"), URI=TextStringObject(uri))


def _open_action(name: str, make):
    """The catalog's /OpenAction: make(writer) gives the value (an action dictionary or a destination)."""
    def change(w):
        value = make(w)
        w._root_object[_name("/OpenAction")] = w._add_object(value) if isinstance(value, dict) else value

    def build() -> bytes:
        return pdf_with(change)
    build.__name__ = name
    return build


pdf_open_action_uri = _open_action("pdf_open_action_uri", lambda w: _uri("http://evil.example/track?id=1"))
pdf_open_action_javascript_uri = _open_action("pdf_open_action_javascript_uri",
                                              lambda w: _uri("javascript:alert(document.cookie)"))
pdf_open_action_goto = _open_action("pdf_open_action_goto", lambda w: _dict(S=_name("/GoTo"), D=_first_page(w)))
pdf_open_action_named = _open_action("pdf_open_action_named", lambda w: _dict(S=_name("/Named"), N=_name("/Print")))
# What Word, LibreOffice, Google Docs and TCPDF write: "open at the first page, this zoom". Not an action.
pdf_open_at_first_page = _open_action("pdf_open_at_first_page", lambda w: ArrayObject(
    [w.pages[0].indirect_reference, _name("/XYZ"), NullObject(), NullObject(), FloatObject(0)]))
pdf_open_at_page_fit = _open_action("pdf_open_at_page_fit", _first_page)


def pdf_page_aa_uri() -> bytes:
    """/AA on a page, of a harmless-looking type (open a web page when the page is shown)."""
    def change(w):
        w.pages[0][_name("/AA")] = _dict(O=_uri("https://evil.example/page-opened"))
    return pdf_with(change)


def pdf_annotation_aa() -> bytes:
    """A link whose /AA goes somewhere when the pointer enters it (no click)."""
    def change(w):
        annot = _dict(Type=_name("/Annot"), Subtype=_name("/Link"), Rect=_rect(),
                      AA=_dict(E=_dict(S=_name("/GoTo"), D=_first_page(w))))
        w.pages[0][_name("/Annots")] = ArrayObject([w._add_object(annot)])
    return pdf_with(change)


def pdf_field_aa() -> bytes:
    """A form text field whose /AA runs on each keystroke (here a harmless-looking /URI)."""
    def change(w):
        field = _dict(Type=_name("/Annot"), Subtype=_name("/Widget"), FT=_name("/Tx"), T=TextStringObject("name"),
                      Rect=_rect(), P=w.pages[0].indirect_reference,
                      AA=_dict(K=_uri("https://evil.example/keystroke")))
        ref = w._add_object(field)
        w.pages[0][_name("/Annots")] = ArrayObject([ref])
        w._root_object[_name("/AcroForm")] = _dict(Fields=ArrayObject([ref]))
    return pdf_with(change)


def _link(name: str, uri: str):
    def make() -> bytes:
        def change(w):
            annot = _dict(Type=_name("/Annot"), Subtype=_name("/Link"), Rect=_rect(), A=_uri(uri))
            w.pages[0][_name("/Annots")] = ArrayObject([w._add_object(annot)])
        return pdf_with(change)
    make.__name__ = name
    return make


pdf_link_javascript = _link("pdf_link_javascript", "javascript:app.alert(1)")
pdf_link_javascript_hidden = _link("pdf_link_javascript_hidden", " Java\tScript:app.alert(1)")  # a browser runs it
pdf_link_file = _link("pdf_link_file", "file:///C:/Windows/System32/calc.exe")
pdf_link_web = _link("pdf_link_web", "https://www.example.ac.th/report")             # an ordinary link: accepted
pdf_link_mail = _link("pdf_link_mail", "mailto:school@example.ac.th")


def pdf_open_action_escaped() -> bytes:
    """/Open#41ction is /OpenAction spelled with a hex escape."""
    return pdf_open_action_uri().replace(b"/OpenAction", b"/Open#41ction")


def pdf_duplicate_open_action() -> bytes:
    """The catalog says /OpenAction twice: pypdf (lenient, after repairing the moved offsets) keeps the first,
    a harmless destination; a viewer that keeps the last opens a javascript: URI."""
    data = good_pdf()
    catalog = b"/Type /Catalog"
    assert data.count(catalog) == 1
    return data.replace(catalog, catalog + b" /OpenAction [3 0 R /Fit]"   # the second one escaped: /A is #41
                        b" /Open#41ction << /S /URI /URI (javascript:alert(1)) >>")


AUTOMATIC = [pdf_open_action_uri, pdf_open_action_javascript_uri, pdf_open_action_goto, pdf_open_action_named,
             pdf_page_aa_uri, pdf_annotation_aa, pdf_field_aa, pdf_open_action_escaped]
BAD_LINKS = [pdf_link_javascript, pdf_link_javascript_hidden, pdf_link_file]


@pytest.mark.parametrize("make", AUTOMATIC, ids=lambda f: f.__name__)
def test_every_automatic_action_is_refused_whatever_its_type(store, make):
    message = refused(make(), "รายงาน.pdf")
    assert message == ("ไฟล์ รายงาน.pdf เป็น PDF ที่มีสคริปต์หรือคำสั่งอัตโนมัติ ซึ่งระบบไม่รับ "
                       "กรุณาพิมพ์เป็น PDF ใหม่ (Print to PDF) แล้วส่งอีกครั้ง")
    assert stored_files(store) == set()


@pytest.mark.parametrize("make", BAD_LINKS, ids=lambda f: f.__name__)
def test_a_link_that_is_not_to_the_web_mail_or_a_phone_is_refused(store, make):
    assert "สคริปต์หรือคำสั่งอัตโนมัติ" in refused(make(), "report.pdf")
    assert stored_files(store) == set()


def test_a_key_said_twice_is_refused_as_broken(store):
    assert "เสียหรือไม่สมบูรณ์" in refused(pdf_duplicate_open_action(), "twice.pdf")
    assert stored_files(store) == set()


@pytest.mark.parametrize("make", [pdf_open_at_first_page, pdf_open_at_page_fit, pdf_link_web, pdf_link_mail],
                         ids=lambda f: f.__name__)
def test_what_office_suites_write_is_accepted(store, make):
    """"Open at page 1" (a destination, not an action) and ordinary web and mail links."""
    data = make()
    accepted = accept_evidence(Upload(data, "report.pdf"))
    assert accepted.kind == "pdf" and accepted.pages == 2 and not accepted.flagged
    assert stored_files(store) == {accepted.key}


def test_a_destination_that_is_not_a_page_of_the_document_is_refused(store):
    """The destination form is accepted only as [page /Fit…]: a reference to anything else is not one."""
    make = _open_action("pdf_open_at_a_link",
                        lambda w: ArrayObject([w._add_object(_uri("https://evil.example/")), _name("/Fit")]))
    assert "สคริปต์หรือคำสั่งอัตโนมัติ" in refused(make(), "report.pdf")
