"""The fair's certificates page and print batches: issue a set, follow its progress, print it, retry it.

Who gets what: the fair's staff and admins; anyone else signed in gets 403, anonymous users the login
page; a fair or batch that does not exist is 404.
"""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.forms import SelectChoice, form_csrf
from ..core.i18n import locale_code, use_thai_digits
from ..core.responses import send_bytes
from ..core.templating import num
from ..core.transaction import attempt
from ..fairs.access import staff_fair_or_404
from ..fairs.models import Fair
from . import access, batches, printing, queries
from .blueprint import bp
from .forms import BatchForm, PrintForm
from .labels import KIND_LABELS, KINDS
from .template_ops import templates_of


def _batch_form(fair: Fair, finalized) -> BatchForm:
    form = BatchForm()
    form.category.choices = [SelectChoice(str(c.id), c.name(locale_code())) for c in finalized]
    return form


@bp.route("/fairs/<int:fair_id>/certificates")
@login_required
def index(fair_id: int):
    fair = staff_fair_or_404(fair_id)
    return _index_page(fair)


def _index_page(fair: Fair, form: BatchForm | None = None):
    use_thai_digits(fair.thai_numerals)
    finalized = queries.finalized_categories(fair)
    return render_template("certificates/index.html", fair=fair, templates=templates_of(fair),
                           categories=queries.categories_of(fair), finalized=finalized,
                           counts=queries.valid_counts(fair), batches=queries.recent_batches(fair),
                           form=form or _batch_form(fair, finalized), kinds=KINDS, kind_labels=KIND_LABELS)


@bp.route("/fairs/<int:fair_id>/certificates/batches", methods=["POST"])
@login_required
@form_csrf
def create_batch(fair_id: int):
    fair = staff_fair_or_404(fair_id)
    form = _batch_form(fair, queries.finalized_categories(fair))
    if form.validate():
        category = access.category_or_none(fair, form.category.data) if form.kind.data == "awardee" else None
        with attempt(form) as done:
            batch = printing.create_batch(fair, form.kind.data, current_user, category=category,
                                          names=form.names.data or "")
        if done:
            return redirect(url_for("certificates.batch", batch_id=batch.id))
    return _index_page(fair, form)  # the page again, with the message and the typed names kept


@bp.route("/certificates/batches/<int:batch_id>")
@login_required
def batch(batch_id: int):
    batch = access.batch_or_404(batch_id)
    use_thai_digits(batch.fair.thai_numerals)
    problem = printing.batch_print_problem(batch)
    return render_template("certificates/batch.html", batch=batch, fair=batch.fair, form=PrintForm(),
                           can_print=access.can_print(problem),
                           reprint=access.reprint_warning(problem), can_retry=access.can_retry(batch),
                           waiting=printing.waiting_for_job_server(batch),
                           chunks=_chunks(batch), printed_chunks=batches.printed_chunks(batch))


def _chunks(batch, after: int = -1) -> list[dict]:
    """The finished chunks staff can print now, in order (those after the chunk `after`), each with the
    address that prints it."""
    return [{**chunk, "action": url_for("certificates.batch_chunk_print", batch_id=batch.id, index=chunk["index"]),
             "label": _("พิมพ์หน้า %(first)s–%(last)s", first=num(chunk["first"]), last=num(chunk["last"]))}
            for chunk in batches.finished_chunks(batch, after)]


@bp.route("/certificates/batches/<int:batch_id>/progress")
@login_required
def batch_progress(batch_id: int):
    batch = access.batch_or_404(batch_id)
    resumed = printing.resume_stalled(batch)  # its worker died (or never started): picked up after this
    return jsonify(ok=True, status=batch.status, done=batch.done, total=batch.total, percent=batch.percent,
                   skipped=batch.skipped, resumed=resumed, error=bool(batch.error),
                   waiting=printing.waiting_for_job_server(batch),
                   chunks=_chunks(batch, request.args.get("after", -1, type=int)),
                   url=url_for("certificates.batch", batch_id=batch.id))


@bp.route("/certificates/batches/<int:batch_id>/print", methods=["POST"])
@login_required
def batch_print(batch_id: int):
    batch = access.batch_or_404(batch_id)
    form = PrintForm()
    form.validate()  # the token was checked before the view; `confirm` is a checkbox
    problem = printing.batch_print_problem(batch, confirmed=bool(form.confirm.data))
    if problem is not None:
        flash(str(problem), "warning" if access.reprint_warning(problem) else "error")
        return redirect(url_for("certificates.batch", batch_id=batch.id))
    data = printing.print_batch(batch, current_user, confirmed=bool(form.confirm.data))
    return send_bytes(data, f"certificates-batch-{batch.id}.pdf", inline=False)


@bp.route("/certificates/batches/<int:batch_id>/chunks/<int:index>/print", methods=["POST"])
@login_required
def batch_chunk_print(batch_id: int, index: int):
    """One finished chunk's pages, to print while the rest renders (printed copies recorded as for the batch)."""
    batch = access.batch_or_404(batch_id)
    form = PrintForm()
    form.validate()
    problem = printing.chunk_print_problem(batch, index, confirmed=bool(form.confirm.data))
    if problem is not None:
        flash(str(problem), "warning" if access.reprint_warning(problem) else "error")
        return redirect(url_for("certificates.batch", batch_id=batch.id))
    data = printing.print_chunk(batch, index, current_user, confirmed=bool(form.confirm.data))
    return send_bytes(data, f"certificates-batch-{batch.id}-part-{index + 1}.pdf", inline=False)


@bp.route("/certificates/batches/<int:batch_id>/retry", methods=["POST"])
@login_required
def batch_retry(batch_id: int):
    """A failed batch, again: it resumes at its first unfinished chunk (one that did not fail: its page)."""
    batch = access.batch_or_404(batch_id)
    printing.retry_batch(batch, current_user)
    return redirect(url_for("certificates.batch", batch_id=batch.id))
