"""Access decorators. Finer checks are model methods (`org.can_view(user)`) called by views."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

__all__ = ["login_required", "admin_required", "staff_required"]


def admin_required(view):
    """Signed-in admins only: anonymous users go to the login page, others get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def staff_required(view):
    """Signed-in admins or fair staff (of any fair) only."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_staff_anywhere:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
