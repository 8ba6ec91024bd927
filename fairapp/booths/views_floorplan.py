"""The public floor plan, for everyone: which organization is where, as a web page and an A4 PDF, and the
venue's image under it."""
from __future__ import annotations

from flask import abort, render_template, url_for

from ..core.i18n import locale_code, use_thai_digits
from ..core.responses import send_bytes
from ..core.storage import storage
from ..fairs.models import Fair
from .blueprint import bp
from . import plan_render
from .access import fair_or_404
from .models import BoothSetup

PX_PER_UNIT = 30  # the plan's natural size (phones scroll it sideways inside its box)
IMAGE_TYPES = ("jpg", "png", "webp")


def image_url(fair: Fair, setup: BoothSetup) -> str | None:
    """The plan image's address; it names the key's start, so a new image is a new URL."""
    key = setup.plan_image_key
    return url_for("booths.floorplan_image", fair_id=fair.id, v=key[:8]) if key else None


@bp.get("/fairs/<int:fair_id>/floorplan")
def floorplan(fair_id: int):
    """Which organization is where: the plan with names, a legend and an index by booth code. Printable."""
    fair = fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    plan = plan_render.load_plan(fair, waiting=False)
    cells = plan_render.cells(plan, locale_code(), public=True)
    return render_template("booths/plan_public.html", fair=fair, plan=plan, cells=cells,
                           index=[c for c in cells if c["name"]], state_labels=plan_render.PUBLIC_STATE_LABELS,
                           colors=plan_render.STATE_COLORS, image_url=image_url(fair, plan.setup), px=PX_PER_UNIT)


@bp.get("/fairs/<int:fair_id>/floorplan.pdf")
def floorplan_pdf(fair_id: int):
    """The same plan as an A4 landscape PDF (Thai shaped with HarfBuzz, text extractable)."""
    fair = fair_or_404(fair_id)
    plan = plan_render.load_plan(fair, waiting=False)
    key = plan.setup.plan_image_key
    image = storage().read(key) if key and storage().exists(key) else None
    return send_bytes(plan_render.render_floorplan_pdf(fair, plan, locale_code(), image=image), "floorplan.pdf")


@bp.get("/fairs/<int:fair_id>/floorplan/image")
def floorplan_image(fair_id: int):
    """The image under the fair's plan; only the fair's own image, never another stored file."""
    fair = fair_or_404(fair_id)
    key = BoothSetup.for_fair(fair.id).plan_image_key
    ext = key.rsplit(".", 1)[1] if key else ""
    if ext not in IMAGE_TYPES or not storage().exists(key):
        abort(404)
    return send_bytes(storage().read(key), f"floorplan-{fair.id}.{ext}", max_age=3600, etag=key)
