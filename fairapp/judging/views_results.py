"""Results: the minutes PDF and the CSV/XLSX exports (the chair, admins and the fair's staff), and the
public results page (finalized categories only; anyone may read it)."""
from __future__ import annotations

from flask import render_template
from flask_login import login_required

from ..awardees import queries as awardee_queries
from ..core.i18n import use_thai_digits
from ..core.responses import send_bytes
from ..core.pagination import send_xlsx, stream_csv
from ..core.time import today_local
from ..fairs.models import Fair
from . import access, queries
from .blueprint import bp
from .minutes import render_minutes, result_rows, results_table


@bp.get("/judging/categories/<int:category_id>/minutes.pdf")
@login_required
def minutes(category_id: int):
    category = access.chair_category_or_404(category_id)
    rubric = access.rubric_or_404(category)
    return send_bytes(render_minutes(rubric), f"minutes-{category.id}.pdf", inline=True)


@bp.get("/judging/categories/<int:category_id>/results.<any(csv, xlsx):fmt>")
@login_required
def results_export(category_id: int, fmt: str):
    category = access.chair_category_or_404(category_id)
    table = results_table(access.rubric_or_404(category))
    name = f"results-{category.id}-{today_local():%Y%m%d}.{fmt}"
    return stream_csv(table, name) if fmt == "csv" else send_xlsx(table, name)


@bp.get("/fairs/<int:fair_id>/results")
def results(fair_id: int):
    """The fair's announced results: finalized categories only; anyone may read them. It leads with the
    awardees' cards (name, level, a photo its nominator published, a link to its page: awardees/), a
    fixed number of queries whatever their number; the tables of scores and ranks follow."""
    fair = access.get_or_404(Fair, fair_id)
    use_thai_digits(fair.thai_numerals)
    sections = [(r, result_rows(r)) for r in queries.finalized_rubrics(fair.id)]
    return render_template("judging/results.html", fair=fair, sections=sections,
                           awardees=awardee_queries.awardees(fair))


@bp.app_template_filter("judging_score")
def judging_score(value) -> str:
    return "" if value is None else f"{value:.2f}"
