"""Booth exports for fair staff (and admins): applications and allocations as CSV or XLSX downloads."""
from __future__ import annotations

from flask import current_app
from flask_login import login_required

from ..core.time import today_local
from . import bp
from .exports import allocations_rows, applications_rows, to_csv, to_xlsx
from ..fairs.access import staff_fair_or_404

MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _download(fair_id: int, what: str, fmt: str):
    """The file as an attachment named like booth-applications-12-20251124.xlsx."""
    fair = staff_fair_or_404(fair_id)
    table = applications_rows(fair) if what == "applications" else allocations_rows(fair)
    data = to_csv(table) if fmt == "csv" else to_xlsx(table)
    response = current_app.response_class(data, mimetype=MIMETYPES[fmt])
    name = f"booth-{what}-{fair.id}-{today_local():%Y%m%d}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"  # names of people: never kept by a proxy
    return response


@bp.get("/fairs/<int:fair_id>/booths/export/applications.csv")
@login_required
def export_applications_csv(fair_id: int):
    return _download(fair_id, "applications", "csv")


@bp.get("/fairs/<int:fair_id>/booths/export/applications.xlsx")
@login_required
def export_applications_xlsx(fair_id: int):
    return _download(fair_id, "applications", "xlsx")


@bp.get("/fairs/<int:fair_id>/booths/export/allocations.csv")
@login_required
def export_allocations_csv(fair_id: int):
    return _download(fair_id, "allocations", "csv")


@bp.get("/fairs/<int:fair_id>/booths/export/allocations.xlsx")
@login_required
def export_allocations_xlsx(fair_id: int):
    return _download(fair_id, "allocations", "xlsx")
