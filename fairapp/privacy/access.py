"""Who may do what with the privacy duties: the DPO's pages are the DPO's (anyone else signed in: 403);
a breach that does not exist is 404."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from ..core.access import get_or_404
from .models import Breach


def dpo_required(view):
    """Signed-in data protection officers only: anonymous users go to the login page, others get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_dpo:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def breach_or_404(breach_id) -> Breach:
    return get_or_404(Breach, breach_id)
