"""The certificates blueprint: staff pages (views_templates, views_batches, views_certificates,
views_kiosk), holders' own certificates (views_holder) and public verification (views_public)."""
from flask import Blueprint

bp = Blueprint("certificates", __name__)

from . import (home, views_batches, views_certificates, views_holder, views_kiosk, views_public,  # noqa: E402,F401
               views_templates)
