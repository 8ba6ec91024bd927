"""Users, organizations, memberships, invitations; sign-up, login, confirmation, password reset."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from . import views  # noqa: E402,F401
