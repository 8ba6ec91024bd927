"""The booths blueprint; importing this module registers its views' routes (and its jobs) on it."""
from flask import Blueprint

bp = Blueprint("booths", __name__)

from . import (home, jobs, views_applications, views_checkin, views_exports, views_floorplan, views_passes,  # noqa: E402,F401
               views_plan, views_review, views_types)
