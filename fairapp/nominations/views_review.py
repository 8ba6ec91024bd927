"""Fair staff (and admins): the review list, a nomination's review page and the eligibility decision.

The fair's staff and admins only (403 for anyone else signed in; 404 for what does not exist).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectMultipleField

from ..accounts.models import Sector
from ..core.forms import confirmed, form_csrf
from ..core.geo import province_choices
from ..core.http import safe_id
from ..core.i18n import locale_code, use_thai_digits
from ..core.pagination import SEEK_ARGS
from ..core.templating import num
from ..core.transaction import attempt
from ..fairs.access import staff_fair_or_404
from .blueprint import bp
from . import access, operations as ops, queries
from .forms_review import DecisionForm
from .models import SECTION_LABELS, Nomination
from .operations.bulk import decide_many

EVENT_LABELS = {"created": _l("เริ่มการเสนอชื่อ"), "saved": _l("บันทึก"), "edited": _l("แก้ไขเรื่องเล่า (บันทึกอัตโนมัติ)"),
                "submitted": _l("ส่งการเสนอชื่อ"),
                "resubmitted": _l("ส่งอีกครั้งหลังแก้ไข"), "eligible": _l("ผ่านการตรวจคุณสมบัติ"),
                "ineligible": _l("ไม่ผ่านการตรวจคุณสมบัติ"), "returned": _l("ส่งกลับให้แก้ไข")}
DONE = {"eligible": _l("บันทึกแล้ว: ผ่านการตรวจคุณสมบัติ"), "ineligible": _l("บันทึกแล้ว: ไม่ผ่านการตรวจคุณสมบัติ"),
        "return": _l("ส่งกลับให้ผู้เสนอชื่อแก้ไขแล้ว")}


SKIPPED_SHOWN = 20  # refusals named one by one after a bulk decision; the rest are counted
BULK_QUESTIONS = {"eligible": _l("บันทึกว่าผ่านการตรวจคุณสมบัติ ทั้ง %(n)s รายการที่ตรงกับการค้นหาและตัวกรอง"),
                  "ineligible": _l("บันทึกว่าไม่ผ่านการตรวจคุณสมบัติ ทั้ง %(n)s รายการที่ตรงกับการค้นหาและตัวกรอง"),
                  "return": _l("ส่งกลับให้ผู้เสนอชื่อแก้ไข ทั้ง %(n)s รายการที่ตรงกับการค้นหาและตัวกรอง")}
BULK_LABELS = {"eligible": _l("ผ่านการตรวจคุณสมบัติ"), "ineligible": _l("ไม่ผ่านการตรวจคุณสมบัติ"),
               "return": _l("ส่งกลับให้แก้ไข")}


class BulkDecisionForm(DecisionForm):
    """The review list's decision on the ticked nominations (or every one matching: `scope`)."""

    ids = SelectMultipleField(coerce=lambda v: safe_id(v) or 0, validate_choice=False)

    def ticked(self) -> set[int]:
        return {i for i in (self.ids.data or []) if i}


def _filter_args() -> dict:
    """The list's search, filters and page, kept when a decision sends the staff back to it."""
    kept = (*queries.FILTERS, "page", *SEEK_ARGS)
    return {k: v for k, v in request.args.items() if k in kept and v}


def _chosen(fair, form: BulkDecisionForm):
    """(the nominations to decide, None), or (None, their number) while "all matching" awaits confirmation
    (not confirmed yet, or the number changed since it was shown). The matching ones are read again here,
    inside the decision's unit of work; ticked ids of another fair are left out."""
    if request.form.get("scope") != "matching":
        ids = form.ticked()
        return queries.nominations_in(fair.id, ids), None
    chosen = queries.review_matching(fair.id, request.args)
    if form.action.data != "eligible" and not (form.comment.data or "").strip():
        return chosen, None  # refused at once (the comment is asked for), not after a confirmation
    if not confirmed(len(chosen)):
        return None, len(chosen)
    return chosen, None


def _confirm_matching(fair, form: BulkDecisionForm, count: int):
    action = form.action.data
    q = request.args.get("q", "").strip()
    return render_template(
        "confirm_matching.html", fair=fair, title=_("ยืนยันการดำเนินการกับทุกรายการที่ตรงเงื่อนไข"),
        list_title=_("ตรวจคุณสมบัติการเสนอชื่อ"), count=count, changed=request.form.get("confirmed") == "1",
        back=url_for("nominations.review", fair_id=fair.id, **_filter_args()),
        question=str(BULK_QUESTIONS[action]) % {"n": num(f"{count:,}")}, details=_("ค้นหา: %(q)s", q=q) if q else "",
        note=_("รายการที่ตัดสินไม่ได้ (เช่น ตัดสินไปแล้ว) จะถูกข้ามและแจ้งให้ทราบทีละรายการ"),
        hidden={"comment": form.comment.data or ""}, button_name="action", button_value=action,
        button_label=BULK_LABELS[action], button_class="primary" if action == "eligible" else "danger")


def _flash_decided(done) -> None:
    flash(_("บันทึกผลแล้ว %(d)d รายการ · ข้าม %(s)d รายการ", d=done.done, s=len(done.skipped)), "success")
    lang = locale_code()
    for nomination, error in done.skipped[:SKIPPED_SHOWN]:
        flash(_("ข้าม %(org)s: %(reason)s", org=nomination.nominee_name(lang), reason=str(error)), "warning")
    if len(done.skipped) > SKIPPED_SHOWN:
        flash(_("และข้ามอีก %(n)d รายการ", n=len(done.skipped) - SKIPPED_SHOWN), "warning")


@bp.route("/fairs/<int:fair_id>/nominations/review", methods=["GET", "POST"])
@login_required
@form_csrf
def review(fair_id: int):
    """Submitted nominations with a search, filters, counts per status, evidence counts and possible
    duplicates, in pages of 50 (core.pagination); the eligibility decision on the ticked nominations, or
    on every one the search and filters match (after a confirmation with their number)."""
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    form = BulkDecisionForm()
    if form.validate_on_submit():
        chosen, to_confirm = _chosen(fair, form)
        if to_confirm is not None:
            return _confirm_matching(fair, form, to_confirm)
        with attempt(form) as done:
            decided = decide_many(chosen, form.action.data, form.comment.data, current_user)
        if done:
            _flash_decided(decided)
            return redirect(url_for("nominations.review", fair_id=fair.id, **_filter_args()))
    cats = queries.categories_of(fair.id)  # loaded first: nomination.category then comes from the identity map
    page, filters, counts = queries.review_rows(fair.id, request.args)
    matching = request.args.get("select") == "all" or request.form.get("scope") == "matching"
    return render_template("nominations/staff_review.html", fair=fair, page=page, nominations=page.items,
                           filters=filters, counts=counts, categories=cats, statuses=queries.REVIEW_STATUSES,
                           sectors=list(Sector), provinces=province_choices(locale_code()),
                           evidence=queries.evidence_counts(n.id for n in page.items),
                           duplicates=queries.duplicate_ids(page.items), form=form, matching=matching,
                           ticked={n.id for n in page.items} if matching else form.ticked(),
                           filter_args=_filter_args())


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
