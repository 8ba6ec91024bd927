"""The nominations blueprint; importing this module registers its views' routes on it."""
from flask import Blueprint

bp = Blueprint("nominations", __name__)

from . import home, jobs, views, views_categories, views_evidence, views_exports, views_review  # noqa: E402,F401
