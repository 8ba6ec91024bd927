"""The certificates blueprint: staff pages (views_staff) and public verification (views_public)."""
from flask import Blueprint

bp = Blueprint("certificates", __name__)

from . import views_holder, views_public, views_staff  # noqa: E402,F401
