"""Fairs: the public fair pages, and fair set-up and per-fair roles for admins."""
from flask import Blueprint

bp = Blueprint("fairs", __name__)

from . import views  # noqa: E402,F401
