"""Nominations: award categories, nominations with narratives and evidence, eligibility review."""
from flask import Blueprint

bp = Blueprint("nominations", __name__)

from . import views, views_evidence, views_staff  # noqa: E402,F401
