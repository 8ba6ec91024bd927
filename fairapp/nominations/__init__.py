"""Nominations: award categories, nominations with narratives and evidence, eligibility review."""
from flask import Blueprint

bp = Blueprint("nominations", __name__)

from . import views, views_categories, views_evidence, views_exports, views_review  # noqa: E402,F401
