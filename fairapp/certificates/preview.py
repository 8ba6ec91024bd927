"""The template editor's live preview: a sample certificate of the template with the editor's unsaved
texts applied (they come in the query string), as a PDF or as a PNG of its page (pypdfium2)."""
from __future__ import annotations

import io
import threading
from dataclasses import replace
from datetime import date

from flask_babel import gettext as _

from .candidates import fill
from .models import CertificateTemplate
from .operations import design_for, public_base_url
from .render import Face, Signatory, render_one

_pdfium_lock = threading.Lock()
LONG_SAMPLE = "ศูนย์การเรียนรู้ชุมชนคุณธรรมต้นแบบบ้านป่าซางงามเพื่อการพัฒนาที่ยั่งยืนจังหวัดเชียงราย"
SAMPLES = {"awardee": ("เทศบาลตำบลแม่ยาว", "อำเภอเมืองเชียงราย จังหวัดเชียงราย"),
           "exhibitor": ("นางสาวจีรนันท์ ใจงาม", "โรงเรียนสามัคคีวิทยาคม"),
           "judge": ("ผู้ช่วยศาสตราจารย์ ดร.กมล ทองดี", "มหาวิทยาลัยราชภัฏเชียงราย"),
           "participant": ("นายสมชาย ใจดี", "")}


def png_of(pdf_bytes: bytes, width: int = 1100) -> bytes:
    """The first page of a PDF as a PNG `width` pixels wide (pypdfium2; one at a time: it is not
    thread-safe)."""
    import pypdfium2 as pdfium

    with _pdfium_lock:
        document = pdfium.PdfDocument(pdf_bytes)
        try:
            page = document[0]
            scale = width / page.get_width()
            image = page.render(scale=scale).to_pil()
            page.close()
        finally:
            document.close()
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG", optimize=False)
    return out.getvalue()


def _signatories(args, design) -> tuple | None:
    """The typed signatories (None when the query string has none: the saved ones stay)."""
    signatories = []
    for index in range(3):
        name = args.get(f"signatories-{index}-name")
        if name is None:
            return None
        if name.strip():
            old = design.signatories[index] if index < len(design.signatories) else None
            signatories.append(Signatory(name.strip()[:150], args.get(f"signatories-{index}-position", "")[:200],
                                         old.signature if old else None))
    return tuple(signatories)


def preview_pdf(template: CertificateTemplate, args) -> bytes:
    """A sample certificate of the template, with the unsaved texts in `args` (a query string) applied."""
    fair = template.fair
    design = design_for(template, fair)
    texts = {}
    for field, attr, limit in (("title_th", "title", 200), ("preamble_th", "preamble", 400),
                               ("date_line_th", "date_line", 300)):
        if field in args:
            texts[attr] = args.get(field, "")[:limit]
    if "issuer_th" in args:
        texts["issuer"] = fill(args.get("issuer_th", "")[:400], {"หน่วยงาน": fair.organizer_th, "งาน": fair.name_th})
    if args.get("page_size") in ("A4", "A5", "LETTER"):
        texts["page_size"] = args["page_size"]
    if args.get("orientation") in ("landscape", "portrait"):
        texts["orientation"] = args["orientation"]
    signatories = _signatories(args, design)
    if signatories is not None:
        texts["signatories"] = signatories
    design = replace(design, key="preview", **texts)
    holder, org = SAMPLES[template.kind]
    if args.get("long"):
        holder = LONG_SAMPLE
    reason_text = args.get("reason_th", template.reason_th)[:1000]
    values = {"ระดับ": template.level_th or "ต้นแบบ",
              "ประเภทรางวัล": template.category.name_th if template.category else "องค์กรคุณธรรมต้นแบบ",
              "งาน": fair.name_th, "หน่วยงาน": fair.organizer_th, "องค์กร": org or fair.organizer_th,
              "บูธ": "A01"}
    given = template.given_on or fair.ends_on
    if args.get("given_on"):
        try:
            given = date.fromisoformat(args["given_on"])
        except ValueError:
            pass
    face = Face(serial=_("ตัวอย่าง ไม่ใช่เกียรติบัตรจริง"), holder=holder, holder_org=org,
                reason=fill(reason_text, values), given_on=given, qr=public_base_url() + "/verify", title="ตัวอย่าง")
    return render_one(design, face)
