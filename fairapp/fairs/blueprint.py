"""The fairs blueprint; importing this module registers its views' routes on it."""
from flask import Blueprint

bp = Blueprint("fairs", __name__)

from . import views  # noqa: E402,F401
