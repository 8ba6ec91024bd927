"""Holders' certificates: an organization's members see and download the certificates issued to their
organization (its booth and the people on it, its awards, including communities it nominated); a judge
sees their own. Anyone else's certificate is 404 (its existence is private)."""
from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user, login_required

from ..core.responses import send_bytes
from . import access, printing
from .blueprint import bp
from .queries import holder_certificates


@bp.route("/my/certificates")
@login_required
def mine():
    rows = holder_certificates(current_user)
    return render_template("certificates/mine.html", rows=rows,
                           downloadable={c.id for c in rows if access.can_download(c)})


@bp.route("/my/certificates/<int:cert_id>.pdf")
@login_required
def mine_pdf(cert_id: int):
    cert = access.holder_certificate_or_404(current_user, cert_id)
    if not access.can_download(cert):  # a revoked or replaced one is not handed out again
        abort(404)
    return send_bytes(printing.certificate_pdf(cert), f"certificate-{cert.grouped_serial}.pdf", inline=False)
