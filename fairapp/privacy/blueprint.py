"""The privacy blueprint; importing this module registers its views' routes on it."""
from flask import Blueprint

bp = Blueprint("privacy", __name__)

from . import views, views_dpo, views_my, views_requests, views_retention  # noqa: E402,F401

