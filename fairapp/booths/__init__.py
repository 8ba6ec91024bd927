"""Booths: applications, review with capacity and a waiting list, floor plan, passes, check-in."""
from flask import Blueprint

bp = Blueprint("booths", __name__)

from . import views_checkin, views_exports, views_org, views_plan, views_staff  # noqa: E402,F401
