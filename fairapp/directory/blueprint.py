"""The directory blueprint; importing this module registers its views' routes on it."""
from flask import Blueprint

bp = Blueprint("directory", __name__)

from . import views, views_signs  # noqa: E402,F401
