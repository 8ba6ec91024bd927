"""Fair staff (and admins): award categories, the review list, a nomination's review page and the
eligibility decision, the CSV/XLSX exports and the PDF dossier (also for the nominating organization).

Who gets what:
- fair pages (categories, review list, exports): the fair's staff and admins; 403 for anyone else
  signed in (the fair itself is public); 404 for a fair that does not exist.
- a nomination's review page and decision: the fair's staff and admins; 403 for anyone else signed in.
- the dossier: whoever may view the nomination (its nominating organization, the fair's staff, admins);
  404 for anyone else, as on the nominator's own page (nominations.view).
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, selectinload

from ..accounts.models import Organization, Sector
from ..core import audit
from ..core.errors import DomainError
from ..core.forms import form_csrf
from ..core.geo import province_choices
from ..core.i18n import locale_code, use_thai_digits
from ..core.transaction import commit as _commit, rollback as _rollback
from ..core.thai import sort_key
from ..core.time import today_local
from ..extensions import db
from ..fairs.access import staff_fair_or_404
from ..fairs.models import Fair
from . import bp, operations as ops
from .dossier import render_dossier
from .exports import nominations_table, to_csv, to_xlsx
from .forms_staff import CategoryForm, DecisionForm
from .models import SECTION_LABELS, Category, Evidence, Nomination, NominationEvent, NominationStatus, NominatorKind

# The review list's order: what needs a decision first.
REVIEW_STATUSES = (NominationStatus.submitted, NominationStatus.returned, NominationStatus.eligible,
                   NominationStatus.ineligible)
FILTERS = ("category", "status", "sector", "province")
EVENT_LABELS = {"created": _l("เริ่มการเสนอชื่อ"), "saved": _l("บันทึก"), "submitted": _l("ส่งการเสนอชื่อ"),
                "resubmitted": _l("ส่งอีกครั้งหลังแก้ไข"), "eligible": _l("ผ่านการตรวจคุณสมบัติ"),
                "ineligible": _l("ไม่ผ่านการตรวจคุณสมบัติ"), "returned": _l("ส่งกลับให้แก้ไข")}


def staff_nomination_or_404(nomination_id: int) -> Nomination:
    """A nomination, for the staff of its fair (and admins) only."""
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None:
        abort(404)
    if not current_user.has_fair_role(nomination.fair_id, "staff"):
        abort(403)
    use_thai_digits(nomination.category.fair.thai_numerals)
    return nomination


def _categories(fair: Fair) -> list[Category]:
    return db.session.scalars(select(Category).where(Category.fair_id == fair.id)
                              .order_by(Category.sort_order, Category.id)).all()


# ---- award categories ----

def _category_snapshot(category: Category) -> dict:
    cols = [c.key for c in Category.__table__.columns if c.key not in ("id", "fair_id")]
    values = {c: getattr(category, c) for c in cols}
    values["nominator_kind"] = category.nominator_kind.value if category.nominator_kind else None
    return values


def _category_defaults(fair: Fair) -> dict:
    return {"nominee_kind": "organization", "nominator_kind": NominatorKind.both.value, "max_per_nominator": 3,
            "sections": [k for k in SECTION_LABELS], "narrative_max_chars": 3000, "min_photos": 3, "min_pdfs": 1,
            "max_files": 20, "opens_on": fair.nomination_opens, "closes_on": fair.nomination_closes,
            "eligible_sectors": [], "eligible_provinces": []}


def _category_data(category: Category) -> dict:
    data = _category_snapshot(category)
    data["name_en"] = data["name_en"] or ""
    return data


@bp.route("/fairs/<int:fair_id>/nominations/categories", methods=["GET", "POST"])
@login_required
@form_csrf
def categories(fair_id: int):
    """The fair's award categories, and a form to add one."""
    fair = staff_fair_or_404(fair_id)
    lang = locale_code()
    form = CategoryForm(fair=fair, locale=lang, data=None if request.method == "POST" else _category_defaults(fair))
    if form.validate_on_submit():
        existing = _categories(fair)
        category = Category(fair_id=fair.id, sort_order=(max((c.sort_order for c in existing), default=0) + 1),
                            **form.values())
        db.session.add(category)
        db.session.flush()
        audit.record("nomination.category_created", category, actor=current_user, fair_id=fair.id,
                     after=_category_snapshot(category))
        db.session.commit()
        flash(_("เพิ่มประเภทรางวัล %(name)s แล้ว", name=category.name_th), "success")
        return redirect(url_for("nominations.categories", fair_id=fair.id))
    counts = dict(db.session.execute(
        select(Nomination.category_id, func.count(Nomination.id)).where(
            Nomination.fair_id == fair.id, Nomination.status != NominationStatus.draft)
        .group_by(Nomination.category_id)).all())
    return render_template("nominations/staff_categories.html", fair=fair, categories=_categories(fair), form=form,
                           counts=counts, section_labels=SECTION_LABELS)


@bp.route("/fairs/<int:fair_id>/nominations/categories/<int:category_id>", methods=["GET", "POST"])
@login_required
@form_csrf
def edit_category(fair_id: int, category_id: int):
    fair = staff_fair_or_404(fair_id)
    category = db.session.get(Category, category_id)
    if category is None or category.fair_id != fair.id:
        abort(404)
    form = CategoryForm(fair=fair, locale=locale_code(),
                        data=None if request.method == "POST" else _category_data(category))
    if form.validate_on_submit():
        before = _category_snapshot(category)
        for key, value in form.values().items():
            setattr(category, key, value)
        after = _category_snapshot(category)
        if after != before:
            audit.record("nomination.category_changed", category, actor=current_user, fair_id=fair.id,
                         before={k: v for k, v in before.items() if after[k] != v},
                         after={k: v for k, v in after.items() if before[k] != v})
        db.session.commit()
        flash(_("บันทึกประเภทรางวัลแล้ว"), "success")
        return redirect(url_for("nominations.categories", fair_id=fair.id))
    return render_template("nominations/staff_category_edit.html", fair=fair, category=category, form=form)


# ---- the review list ----

def evidence_counts(nomination_ids) -> dict[int, dict[str, int]]:
    """{nomination id: {"photo": n, "pdf": n}} in one query."""
    counts: dict[int, dict[str, int]] = {}
    if not nomination_ids:
        return counts
    rows = db.session.execute(select(Evidence.nomination_id, Evidence.kind, func.count(Evidence.id))
                              .where(Evidence.nomination_id.in_(list(nomination_ids)))
                              .group_by(Evidence.nomination_id, Evidence.kind)).all()
    for nomination_id, kind, n in rows:
        counts.setdefault(nomination_id, {})[kind] = n
    return counts


def duplicate_ids(category_ids) -> dict[int, list[int]]:
    """{nomination id: ids of the other nominations naming the same nominee in its category}: one query
    per category (operations.duplicate_groups), never one per nomination."""
    others: dict[int, list[int]] = {}
    for category_id in sorted(set(category_ids)):
        for group in ops.duplicate_groups(category_id):
            ids = [n.id for n in group]
            for n in group:
                others[n.id] = [i for i in ids if i != n.id]
    return others


def review_rows(fair: Fair, args) -> tuple[list[Nomination], dict, dict]:
    """The fair's nominations past the draft stage, filtered; and the count per status (every filter
    but the status applied)."""
    filters = {k: args.get(k) or "" for k in FILTERS}
    nominee = aliased(Organization)
    query = (select(Nomination).outerjoin(nominee, Nomination.nominee_org_id == nominee.id)
             .where(Nomination.fair_id == fair.id, Nomination.status != NominationStatus.draft)
             .options(selectinload(Nomination.nominator), selectinload(Nomination.nominee_org)))
    if filters["category"].isdigit():
        query = query.where(Nomination.category_id == int(filters["category"]))
    if filters["sector"] in {s.value for s in Sector}:
        query = query.where(nominee.sector == Sector(filters["sector"]))
    if filters["province"]:
        query = query.where(or_(nominee.province_code == filters["province"],
                                Nomination.community_province_code == filters["province"]))
    rows = db.session.scalars(query).all()
    counts = dict.fromkeys(REVIEW_STATUSES, 0)
    for n in rows:
        counts[n.status] = counts.get(n.status, 0) + 1
    if filters["status"] in {s.value for s in REVIEW_STATUSES}:
        rows = [n for n in rows if n.status == NominationStatus(filters["status"])]
    order = {s: i for i, s in enumerate(REVIEW_STATUSES)}
    rows.sort(key=lambda n: (order.get(n.status, 99), n.submitted_at or n.created_at, sort_key(n.nominee_name()),
                             n.id))
    return rows, filters, counts


@bp.get("/fairs/<int:fair_id>/nominations/review")
@login_required
def review(fair_id: int):
    """Submitted nominations with filters, counts per status, evidence counts and possible duplicates."""
    fair = staff_fair_or_404(fair_id)
    cats = _categories(fair)  # loaded first: nomination.category then comes from the identity map
    rows, filters, counts = review_rows(fair, request.args)
    lang = locale_code()
    return render_template("nominations/staff_review.html", fair=fair, nominations=rows, filters=filters,
                           counts=counts, categories=cats, statuses=REVIEW_STATUSES, sectors=list(Sector),
                           provinces=province_choices(lang), evidence=evidence_counts(n.id for n in rows),
                           duplicates=duplicate_ids(c.id for c in cats))


# ---- one nomination: review and decide ----

def _detail(nomination: Nomination, form: DecisionForm, status: int = 200):
    events = db.session.scalars(select(NominationEvent).where(NominationEvent.nomination_id == nomination.id)
                                .options(selectinload(NominationEvent.actor))
                                .order_by(NominationEvent.created_at, NominationEvent.id)).all()
    group = next((g for g in ops.duplicate_groups(nomination.category_id) if nomination in g), [])
    category = nomination.category
    sections = [(key, SECTION_LABELS.get(key, key), (nomination.narratives or {}).get(key, ""))
                for key in category.sections]
    # Anything written under a section the category no longer asks for is shown too, never hidden.
    sections += [(key, SECTION_LABELS.get(key, key), text) for key, text in (nomination.narratives or {}).items()
                 if key not in category.sections and text]
    return render_template("nominations/staff_nomination.html", nomination=nomination, category=category,
                           fair=category.fair, sections=sections, events=events,
                           duplicates=[n for n in group if n.id != nomination.id], form=form,
                           photos=[e for e in nomination.evidence if e.kind == "photo"],
                           pdfs=[e for e in nomination.evidence if e.kind == "pdf"],
                           missing=ops.missing_parts(nomination), event_labels=EVENT_LABELS,
                           can_decide=nomination.status == NominationStatus.submitted), status


@bp.get("/nominations/<int:nomination_id>/review")
@login_required
def staff_view(nomination_id: int):
    """Everything the nominator wrote and attached, the history, possible duplicates, the decision form."""
    nomination = staff_nomination_or_404(nomination_id)
    return _detail(nomination, DecisionForm())


DECISIONS = ("eligible", "ineligible", "return")


@bp.post("/nominations/<int:nomination_id>/decide")
@login_required
@form_csrf
def decide(nomination_id: int):
    """Eligible, ineligible (with a reason) or returned for correction (with comments): one commit, then
    the mail to the nominating organization; a refused decision keeps what was typed."""
    nomination = staff_nomination_or_404(nomination_id)
    form = DecisionForm()
    action = request.form.get("action")
    if not form.validate():
        return _detail(nomination, form)
    if action not in DECISIONS:
        form.form_errors.append(_("กรุณาเลือกผลการตรวจคุณสมบัติ"))
        return _detail(nomination, form)
    comment = (form.comment.data or "").strip()
    fair_id = nomination.fair_id
    try:
        if action == "eligible":
            ops.mark_eligible(nomination, current_user, comment or None)
        elif action == "ineligible":
            ops.mark_ineligible(nomination, comment, current_user)
        else:
            ops.return_for_correction(nomination, comment, current_user)
        done = {"eligible": _("บันทึกแล้ว: ผ่านการตรวจคุณสมบัติ"),
                "ineligible": _("บันทึกแล้ว: ไม่ผ่านการตรวจคุณสมบัติ"),
                "return": _("ส่งกลับให้ผู้เสนอชื่อแก้ไขแล้ว")}[action]
        name = nomination.nominee_name(locale_code())
        _commit()
    except ops.CommentRequired as exc:
        _rollback()
        form.comment.errors.append(str(exc))
        return _detail(nomination, form)
    except DomainError as exc:
        _rollback()
        form.form_errors.append(str(exc))
        return _detail(nomination, form)
    flash(f"{done} · {name}", "success")
    return redirect(url_for("nominations.review", fair_id=fair_id))


# ---- exports and the dossier ----

MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _download(fair_id: int, fmt: str):
    fair = staff_fair_or_404(fair_id)
    table = nominations_table(fair)
    data = to_csv(table) if fmt == "csv" else to_xlsx(table)
    response = current_app.response_class(data, mimetype=MIMETYPES[fmt])
    name = f"nominations-{fair.id}-{today_local():%Y%m%d}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/fairs/<int:fair_id>/nominations/export.csv")
@login_required
def export_csv(fair_id: int):
    return _download(fair_id, "csv")


@bp.get("/fairs/<int:fair_id>/nominations/export.xlsx")
@login_required
def export_xlsx(fair_id: int):
    return _download(fair_id, "xlsx")


@bp.get("/nominations/<int:nomination_id>/dossier.pdf")
@login_required
def dossier(nomination_id: int):
    """The nomination as a PDF for offline reading: its nominating organization, the fair's staff, admins."""
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or not nomination.can_view(current_user):
        abort(404)
    data = render_dossier(nomination, locale_code())
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="nomination-{nomination.id}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

