"""The judging blueprint: judges' pages (views_judge) and the chair's pages (views_chair)."""
from flask import Blueprint

bp = Blueprint("judging", __name__)

from . import views_judge, views_chair  # noqa: E402,F401
