"""Reaching booth objects from a URL or a form, and who may do what with them.

`get_or_404(Model, id, parent=fair)` is the one loader: 404 when the row is missing or belongs to another
fair (existence is private); `get_in(Model, id, parent=fair)` is the same for an id chosen in a form (None
instead of 404, the form then says "choose one"). The `can_*` policies answer yes or no; views pass their
answers to templates, which never re-derive a rule. Presentation (Thai numerals) is the view's business.
"""
from __future__ import annotations


from flask import abort
from flask_login import current_user

from ..fairs.access import fair_or_404, staff_fair_or_404  # noqa: F401  (booth views load fairs through here)
from . import operations as ops
from .models import Application
from ..core.access import get_in, get_or_404  # noqa: F401  (the one loader; views use it through here)


# ---- policies ----

def can_manage_booths(user, fair_id: int) -> bool:
    """Fair staff of this fair and admins: booth types, review, plan, check-in, exports."""
    return bool(user.is_authenticated and user.has_fair_role(fair_id, "staff"))


def can_view_application(user, application: Application) -> bool:
    """The organization's members, fair staff of this fair, and admins."""
    return application.can_view(user)


def can_edit_application(user, application: Application) -> bool:
    """The organization's members (the window and the status are the operations' business)."""
    return application.can_edit(user)


def application_permissions(user, application: Application) -> dict[str, bool]:
    """What the application's page may offer this user: the policies and the rules, asked once."""
    member = can_edit_application(user, application)
    return {
        "can_edit": member and ops.edit_problem(application) is None,
        "can_submit": member and ops.may_submit(application),
        "can_withdraw": member and ops.may_withdraw(application),
        "can_answer_offer": member and ops.may_answer_offer(application),
        "can_decide": can_manage_booths(user, application.fair_id),
        # applying again with this one's details (booths.views_applications._reapplying)
        "can_reapply": member and application.status.value in ("withdrawn", "rejected", "lapsed")
        and ops.apply_problem(application.fair, application.organization_id) is None,
    }


# ---- loaders ----

def application_or_404(application_id: int) -> Application:
    """The application, for those who may see it; to anyone else it does not exist (404)."""
    application = get_or_404(Application, application_id)
    if not can_view_application(current_user, application):
        abort(404)
    return application


def own_application_or_404(application_id: int) -> Application:
    """The application, for its organization's members (staff who may only look get 403)."""
    application = application_or_404(application_id)
    if not can_edit_application(current_user, application):
        abort(403)
    return application


def staff_application_or_404(application_id: int) -> Application:
    """The application, for fair staff of its fair (its organization's members get 403)."""
    application = application_or_404(application_id)
    if not can_manage_booths(current_user, application.fair_id):
        abort(403)
    return application
