"""The stage blueprint; importing this module registers its views' routes on it."""
from flask import Blueprint

bp = Blueprint("stage", __name__)

from . import views  # noqa: E402,F401
