"""The full privacy notice (s.23), public at /privacy, made from the registry; the short notices at
collection (privacy_notice in every template)."""
from __future__ import annotations

from flask import current_app, render_template

from . import notices, registry
from .blueprint import bp


def contact() -> dict:
    """The controller and its DPO, as the notices say them (settings PRIVACY_*)."""
    cfg = current_app.config
    return {"controller": registry.CONTROLLER, "address": cfg.get("PRIVACY_CONTROLLER_ADDRESS") or "",
            "dpo_email": cfg["PRIVACY_DPO_EMAIL"], "dpo_phone": cfg.get("PRIVACY_DPO_PHONE") or ""}


@bp.get("/privacy")
def notice():
    return render_template("privacy/notice.html", registry=registry, contact=contact(),
                           bases=registry.BASES, categories=registry.CATEGORY)


@bp.record_once
def _privacy_notice(state):
    """`privacy_notice(form)` for every template and macro: what a form's short notice says
    (privacy/_notice.html; a global, so macros imported without context see it)."""
    state.app.jinja_env.globals["privacy_notice"] = notices.notice
