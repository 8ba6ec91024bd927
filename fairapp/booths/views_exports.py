"""Booth exports for fair staff (and admins): applications and allocations as CSV or XLSX downloads."""
from __future__ import annotations

from flask_login import login_required

from ..core.pagination import send_xlsx, stream_csv
from ..core.time import today_local
from .blueprint import bp
from .access import staff_fair_or_404
from .exports import allocations_rows, applications_rows


def _download(fair_id: int, what: str, fmt: str):
    """The file as an attachment named like booth-applications-12-20251124.xlsx (names of people:
    private, never stored: send_bytes' default); a CSV streams (core.pagination.stream_csv)."""
    fair = staff_fair_or_404(fair_id)
    name = f"booth-{what}-{fair.id}-{today_local():%Y%m%d}.{fmt}"
    table = applications_rows(fair) if what == "applications" else allocations_rows(fair)
    if fmt == "csv":  # streamed: written while the rows are read
        return stream_csv(table, name)
    return send_xlsx(table, name)  # written row by row (write-only), sent from a temporary file


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
