"""Fair staff (and admins): the review list, a nomination's review page and the eligibility decision.

The fair's staff and admins only (403 for anyone else signed in; 404 for what does not exist).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..accounts.models import Sector
from ..core.forms import form_csrf
from ..core.geo import province_choices
from ..core.i18n import locale_code, use_thai_digits
from ..core.transaction import attempt
from ..fairs.access import staff_fair_or_404
from .blueprint import bp
from . import access, operations as ops, queries
from .forms_review import DecisionForm
from .models import SECTION_LABELS, Nomination

EVENT_LABELS = {"created": _l("เริ่มการเสนอชื่อ"), "saved": _l("บันทึก"), "edited": _l("แก้ไขเรื่องเล่า (บันทึกอัตโนมัติ)"),
                "submitted": _l("ส่งการเสนอชื่อ"),
                "resubmitted": _l("ส่งอีกครั้งหลังแก้ไข"), "eligible": _l("ผ่านการตรวจคุณสมบัติ"),
                "ineligible": _l("ไม่ผ่านการตรวจคุณสมบัติ"), "returned": _l("ส่งกลับให้แก้ไข")}
DONE = {"eligible": _l("บันทึกแล้ว: ผ่านการตรวจคุณสมบัติ"), "ineligible": _l("บันทึกแล้ว: ไม่ผ่านการตรวจคุณสมบัติ"),
        "return": _l("ส่งกลับให้ผู้เสนอชื่อแก้ไขแล้ว")}


@bp.get("/fairs/<int:fair_id>/nominations/review")
@login_required
def review(fair_id: int):
    """Submitted nominations with filters, counts per status, evidence counts and possible duplicates, in
    pages of 50 (core.pagination)."""
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    cats = queries.categories_of(fair.id)  # loaded first: nomination.category then comes from the identity map
    page, filters, counts = queries.review_rows(fair.id, request.args)
    return render_template("nominations/staff_review.html", fair=fair, page=page, nominations=page.items,
                           filters=filters, counts=counts, categories=cats, statuses=queries.REVIEW_STATUSES,
                           sectors=list(Sector), provinces=province_choices(locale_code()),
                           evidence=queries.evidence_counts(n.id for n in page.items),
                           duplicates=queries.duplicate_ids(page.items))


def _detail(nomination: Nomination, form: DecisionForm):
    category = nomination.category
    narratives = nomination.narratives or {}
    sections = [(key, SECTION_LABELS.get(key, key), narratives.get(key, "")) for key in category.sections]
    # Anything written under a section the category no longer asks for is shown too, never hidden.
    sections += [(key, SECTION_LABELS.get(key, key), text) for key, text in narratives.items()
                 if key not in category.sections and text]
    return render_template("nominations/staff_nomination.html", nomination=nomination, category=category,
                           fair=category.fair, sections=sections, events=queries.events_of(nomination),
                           duplicates=queries.duplicates_of(nomination), form=form,
                           photos=[e for e in nomination.evidence if e.kind == "photo"],
                           pdfs=[e for e in nomination.evidence if e.kind == "pdf"],
                           missing=ops.missing_parts(nomination), event_labels=EVENT_LABELS,
                           can_decide=ops.decision_problem(nomination) is None)


@bp.get("/nominations/<int:nomination_id>/review")
@login_required
def staff_view(nomination_id: int):
    """Everything the nominator wrote and attached, the history, possible duplicates, the decision form."""
    nomination = access.staff_nomination_or_404(nomination_id)
    use_thai_digits(nomination.category.fair.thai_numerals)
    return _detail(nomination, DecisionForm())


@bp.post("/nominations/<int:nomination_id>/decide")
@login_required
@form_csrf
def decide(nomination_id: int):
    """Eligible, ineligible (with a reason) or returned for correction (with comments); the mail to the
    nominating organization goes once it has committed; a refused decision keeps what was typed."""
    nomination = access.staff_nomination_or_404(nomination_id)
    use_thai_digits(nomination.category.fair.thai_numerals)
    form = DecisionForm()
    if form.validate_on_submit():
        with attempt(form) as done:
            ops.decide(nomination, form.action.data, form.comment.data, current_user)
        if done:
            flash(f"{DONE[form.action.data]} · {nomination.nominee_name(locale_code())}", "success")
            return redirect(url_for("nominations.review", fair_id=nomination.fair_id))
    return _detail(nomination, form)
