"""Holders' certificates: an organization's members see and download the certificates issued to their
organization (its booth and the people on it, its awards, including communities it nominated); a judge
sees their own. Anyone else's certificate is 404 (its existence is private)."""
from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..booths.models import Application, BoothPerson
from ..core.storage import storage
from ..extensions import db
from ..nominations.models import Nomination
from .blueprint import bp
from .models import Certificate
from .views_staff import pdf_response


def holder_certificates(user) -> list[Certificate]:
    """The certificates whose holder is the user's organization (or its people), or the user as a judge."""
    org_ids = [m.organization_id for m in user.memberships]
    keys = [f"judge:{user.id}"]
    if org_ids:
        app_ids = db.session.scalars(select(Application.id).where(Application.organization_id.in_(org_ids))).all()
        keys += [f"booth:{a}" for a in app_ids]
        if app_ids:
            keys += [f"booth:{a}:person:{p}" for a, p in db.session.execute(
                select(BoothPerson.application_id, BoothPerson.id).where(BoothPerson.application_id.in_(app_ids)))]
        keys += [f"award:{n}" for n in db.session.scalars(select(Nomination.id).where(
            or_(Nomination.nominee_org_id.in_(org_ids), Nomination.nominator_org_id.in_(org_ids))))]
    return db.session.scalars(
        select(Certificate).where(Certificate.subject_key.in_(keys))
        .options(selectinload(Certificate.fair), selectinload(Certificate.superseded_by))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())).all()


@bp.route("/my/certificates")
@login_required
def mine():
    return render_template("certificates/mine.html", rows=holder_certificates(current_user))


@bp.route("/my/certificates/<int:cert_id>.pdf")
@login_required
def mine_pdf(cert_id: int):
    cert = next((c for c in holder_certificates(current_user) if c.id == cert_id), None)
    if cert is None or cert.status != "valid":  # a revoked or replaced one is not handed out again
        abort(404)
    return pdf_response(storage().read(cert.pdf_key), f"certificate-{cert.grouped_serial}.pdf", inline=False)
