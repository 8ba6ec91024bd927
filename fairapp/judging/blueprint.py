"""The judging blueprint: judges' pages (views_judge) and the chair's pages, one module per resource
(views_rubric, views_assignments, views_judges, views_chair, views_results); importing it also declares
the judging jobs (jobs: reminders before the window closes)."""
from flask import Blueprint

bp = Blueprint("judging", __name__)

from . import home, jobs, views_judge, views_rubric, views_assignments, views_judges, views_chair, views_results  # noqa: E402,F401
