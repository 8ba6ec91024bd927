"""Reaching a fair from a URL: 404 when it does not exist, 403 when the user is not its staff (admins
count as staff); the page then shows numbers the way the fair asks (Thai numerals or not)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..core.i18n import use_thai_digits
from ..extensions import db
from .models import Fair


def fair_or_404(fair_id: int) -> Fair:
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        abort(404)
    use_thai_digits(fair.thai_numerals)
    return fair


def staff_fair_or_404(fair_id: int) -> Fair:
    """The fair, for its staff (and admins) only."""
    fair = fair_or_404(fair_id)
    if not current_user.has_fair_role(fair.id, "staff"):
        abort(403)
    return fair
