"""The awardees blueprint; importing this module registers its views' routes (and the `award_level`
template filter, for every page) on it."""
from flask import Blueprint

bp = Blueprint("awardees", __name__)

from . import views  # noqa: E402,F401
