"""Certificate templates: which one a certificate uses, and creating, copying and editing them.

A template that has issued certificates is locked (their stored PDFs and later prints must look the same):
`update_template` refuses it under the template's row lock. Images are checked by content and stored as
the edit goes; when the edit is refused after some were stored (a later image fails its check), the unit
of work's savepoint deletes what it stored (core.storage records every saved key), so a refused edit
leaves no bytes behind. Images the edit replaces are deleted after the commit, unless a copy still uses
them. Every change is audited.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from ..accounts.models import User
from ..core import audit
from ..core.errors import UploadRefused
from ..core.storage import delete_after_commit
from ..core.templating import num
from ..core.uploads import accept_image
from ..extensions import db
from ..fairs.models import Fair
from ..nominations.models import Category
from .errors import TemplateLocked
from .labels import KINDS
from .models import Certificate, CertificateTemplate

DEFAULT_REASONS = {
    "awardee": "ได้รับรางวัลระดับ[ระดับ] ประเภท[ประเภทรางวัล] ในงาน[งาน]",
    "exhibitor": "ได้ร่วมออกบูธเผยแพร่ผลงาน โชว์ แชร์ ช่วย เชื่อม ในงาน[งาน]",
    "judge": "ได้ร่วมเป็นกรรมการพิจารณาตัดสินรางวัล ในงาน[งาน]",
    "participant": "ได้เข้าร่วมงาน[งาน]",
}
DEFAULT_NAMES = {"awardee": "เกียรติบัตรผู้ได้รับรางวัล", "exhibitor": "เกียรติบัตรผู้ออกบูธ",
                 "judge": "เกียรติบัตรกรรมการ", "participant": "เกียรติบัตรผู้เข้าร่วมงาน"}


# ---- which template ----

def templates_of(fair: Fair) -> list[CertificateTemplate]:
    return db.session.scalars(select(CertificateTemplate).where(CertificateTemplate.fair_id == fair.id)
                              .order_by(CertificateTemplate.kind, CertificateTemplate.id)).all()


def template_for(templates: list[CertificateTemplate], kind: str, category_id: int | None = None,
                 level_th: str | None = None) -> CertificateTemplate | None:
    """The most specific template: category and level, then category, then the kind's general one."""
    best, best_rank = None, -1
    for template in templates:
        if template.kind != kind:
            continue
        if template.category_id is not None and template.category_id != category_id:
            continue
        if template.level_th and template.level_th != level_th:
            continue
        rank = (2 if template.category_id else 0) + (1 if template.level_th else 0)
        if rank > best_rank:
            best, best_rank = template, rank
    return best


def template_images(template: CertificateTemplate) -> dict[str, str]:
    """The template's images: storage key -> what it is (background, emblem n, signature of whom)."""
    images = {}
    if template.background_key:
        images[template.background_key] = "background"
    for number, key in enumerate(template.logo_keys or [], start=1):
        images[key] = f"logo_{number}"
    for number, person in enumerate(template.signatories or []):
        if person.get("signature_key"):
            images[person["signature_key"]] = f"signature_{number}"
    return images


# ---- the lock ----

def uses(template: CertificateTemplate) -> int:
    """How many certificates were issued from the template."""
    return db.session.scalar(select(func.count(Certificate.id)).where(Certificate.template_id == template.id))


def edit_problem(template: CertificateTemplate) -> TemplateLocked | None:
    """Why the template cannot be edited now (None: it can)."""
    used = uses(template)
    return TemplateLocked(n=num(used)) if used else None


def ensure_unlocked(template: CertificateTemplate) -> None:
    problem = edit_problem(template)
    if problem is not None:
        raise problem


# ---- create, copy, edit ----

def new_template(fair: Fair, kind: str, actor: User, category: Category | None = None) -> CertificateTemplate:
    """A template for the kind with the usual Thai wording, ready to edit (an awardee template may be
    narrowed to one of the fair's categories)."""
    if kind not in KINDS:
        raise ValueError(kind)
    if category is not None and (kind != "awardee" or category.fair_id != fair.id):
        raise ValueError("a category of this fair, for an awardee template")
    template = CertificateTemplate(fair_id=fair.id, kind=kind, category_id=category.id if category else None,
                                   name=DEFAULT_NAMES[kind], issuer_th="[หน่วยงาน]", reason_th=DEFAULT_REASONS[kind],
                                   updated_by_id=actor.id, logo_keys=[], signatories=[])
    db.session.add(template)
    db.session.flush()
    audit.record("certificate_template.created", template, actor=actor, fair_id=fair.id,
                 after=template.snapshot())
    return template


def copy_template(template: CertificateTemplate, actor: User) -> CertificateTemplate:
    data = {k: v for k, v in template.snapshot().items() if k not in ("id", "updated_by_id")}
    data["name"] = (template.name + " (สำเนา)")[:200]
    copy = CertificateTemplate(**data, updated_by_id=actor.id)
    db.session.add(copy)
    db.session.flush()
    audit.record("certificate_template.copied", copy, actor=actor, fair_id=template.fair_id,
                 after={"from": template.id})
    return copy


@dataclass
class ImageChange:
    """One image slot of the form: a new upload, or remove the current one, or neither (keep)."""

    upload: FileStorage | None = None
    remove: bool = False


@dataclass
class SignatoryChange:
    name: str = ""
    position: str = ""
    signature: ImageChange = field(default_factory=ImageChange)


@dataclass
class TemplateChanges:
    """What the template editor asks for (texts already checked for shape by the form)."""

    name: str
    page_size: str
    orientation: str
    title_th: str
    issuer_th: str
    preamble_th: str
    reason_th: str
    date_line_th: str
    given_on: date | None = None
    category: Category | None = None  # awardee templates only; None: every category
    level_th: str | None = None
    background: ImageChange = field(default_factory=ImageChange)
    logos: list[ImageChange] = field(default_factory=list)  # up to three
    signatories: list[SignatoryChange] = field(default_factory=list)  # up to three


def _image(change: ImageChange, current: str | None, gone: list, field_name: str, **limits) -> str | None:
    """The slot's key after the change; the replaced key goes to `gone`. A refused upload names its field."""
    if change.upload:
        try:
            key = accept_image(change.upload, **limits)
        except UploadRefused as error:
            error.field = field_name
            raise
        gone.append(current)
        return key
    if change.remove:
        gone.append(current)
        return None
    return current


def update_template(template: CertificateTemplate, changes: TemplateChanges, actor: User) -> None:
    """Save the editor's changes: texts, then images (each checked by content), audited.

    Refuses a template that has issued certificates (TemplateLocked), checked under the template's row
    lock before anything is stored; a refused image (UploadRefused, on its field) undoes the whole edit.
    """
    db.session.execute(select(CertificateTemplate.id).where(CertificateTemplate.id == template.id)
                       .with_for_update())
    ensure_unlocked(template)
    before = template.snapshot()
    gone: list[str | None] = []
    template.name = changes.name.strip()
    if template.kind == "awardee":
        category = changes.category
        template.category_id = category.id if category is not None and category.fair_id == template.fair_id else None
        template.level_th = (changes.level_th or "").strip() or None
    template.page_size = changes.page_size
    template.orientation = changes.orientation
    template.title_th = changes.title_th.strip()
    template.issuer_th = changes.issuer_th.strip()
    template.preamble_th = changes.preamble_th.strip()
    template.reason_th = changes.reason_th.strip()
    template.date_line_th = changes.date_line_th.strip()
    template.given_on = changes.given_on
    template.background_key = _image(changes.background, template.background_key, gone, "background",
                                     max_side=3508, as_jpeg=True)
    logos = (list(template.logo_keys or []) + [None] * 3)[:3]
    for index, change in enumerate(changes.logos[:3]):
        logos[index] = _image(change, logos[index], gone, f"logo_{index + 1}", max_side=800)
    template.logo_keys = [k for k in logos if k]
    old = list(template.signatories or []) + [{}] * 3
    signatories = []
    for index, person in enumerate(changes.signatories[:3]):
        key = _image(person.signature, old[index].get("signature_key"), gone, "signatories", max_side=900)
        name = (person.name or "").strip()
        if name:
            signatories.append({"name": name, "position": (person.position or "").strip(), "signature_key": key})
        elif key:
            gone.append(key)
    template.signatories = signatories
    template.updated_by_id = actor.id
    db.session.flush()
    audit.record("certificate_template.updated", template, actor=actor, fair_id=template.fair_id,
                 before=before, after=template.snapshot())
    _delete_unused(gone, template)


def _delete_unused(keys: list[str | None], template: CertificateTemplate) -> None:
    """Delete replaced images after the commit, unless another template (a copy) still uses them."""
    keys = [k for k in keys if k]
    if not keys:
        return
    others = db.session.scalars(select(CertificateTemplate).where(CertificateTemplate.fair_id == template.fair_id))
    in_use = set()
    for other in others:
        in_use.update(template_images(other))
    delete_after_commit(*[k for k in keys if k not in in_use])
