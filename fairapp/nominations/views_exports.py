"""Downloads: the fair's nominations as CSV / XLSX (its staff and admins; 403 for others signed in)
and one nomination's PDF dossier (whoever may view the nomination; 404 for anyone else). Every file
goes through core.responses.send_bytes."""
from __future__ import annotations

from flask_login import login_required

from ..core.i18n import locale_code
from ..core.pagination import send_xlsx, stream_csv
from ..core.responses import send_bytes
from ..core.time import today_local
from ..fairs.access import staff_fair_or_404
from .blueprint import bp
from . import access
from .dossier import render_dossier
from .exports import nominations_table


def _download(fair_id: int, fmt: str):
    fair = staff_fair_or_404(fair_id)
    table = nominations_table(fair)
    name = f"nominations-{fair.id}-{today_local():%Y%m%d}.{fmt}"
    if fmt == "csv":  # streamed: written while the rows are read
        return stream_csv(table, name)
    return send_xlsx(table, name)  # written row by row (write-only), sent from a temporary file


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
    nomination = access.nomination_or_404(nomination_id)
    return send_bytes(render_dossier(nomination, locale_code()), f"nomination-{nomination.id}.pdf", inline=True)
