"""The booths blueprint; importing this module registers its views' routes on it."""
from flask import Blueprint

bp = Blueprint("booths", __name__)

from . import (views_applications, views_checkin, views_exports, views_floorplan, views_passes,  # noqa: E402,F401
               views_plan, views_review, views_types)
