"""The public directory: the list of confirmed exhibitors (search, filters kept in the URL and the pager),
an exhibitor's page with its booth highlighted on the floor plan, and its photo when its maker consents.
Everyone may read them, signed in or not."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from ..accounts.models import Sector
from ..booths import plan_render
from ..booths.models import ACTIVITIES
from ..booths.views_floorplan import PX_PER_UNIT, image_url
from ..core.i18n import locale_code, use_thai_digits
from ..core.storage import storage
from . import queries
from ..fairs.access import fair_policy
from .access import exhibitor_or_404, fair_or_404
from .blueprint import bp

HERE = "here"  # the state of the exhibitor's own booth on its plan
HERE_COLORS = ("#ffd54a", "#8a1c2b")


@bp.get("/fairs/<int:fair_id>/exhibitors")
def directory(fair_id: int):
    """Every confirmed exhibitor of the fair: booth, zone, sector, province and activities; search by
    name (spaces and tone marks forgiven), filters by sector, province and activity, 50 a page."""
    fair = fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    lang = locale_code()
    filters = queries.Filters.from_args(request.args)
    page = queries.directory_page(fair, filters, lang)
    return render_template("directory/list.html", fair=fair, page=page, filters=filters,
                           sectors=list(Sector), provinces=queries.provinces(fair, lang), activities=ACTIVITIES,
                           can_print_signs=fair_policy(fair, current_user).can_staff)


@bp.get("/fairs/<int:fair_id>/exhibitors/<int:application_id>")
def exhibitor(fair_id: int, application_id: int):
    """A confirmed exhibitor's page: its organization, sector, province, the four activities, its photo
    (with consent) and its booth highlighted on the fair's plan. Anything else is not found."""
    fair = fair_or_404(fair_id)
    application = exhibitor_or_404(fair, application_id)
    use_thai_digits(fair.thai_numerals)
    lang = locale_code()
    plan = plan_render.load_plan(fair, waiting=False)
    cells = plan_render.cells(plan, lang, public=True)
    for cell in cells:
        if cell["booth"].id == application.booth.id:
            cell["state"] = HERE
    colors = {**plan_render.STATE_COLORS, HERE: HERE_COLORS}
    activities = [(label, getattr(application, f"{key}_text")) for key, label in ACTIVITIES]
    return render_template("directory/exhibitor.html", fair=fair, application=application,
                           org=application.organization, booth=application.booth, plan=plan, cells=cells,
                           colors=colors, px=PX_PER_UNIT, image_url=image_url(fair, plan.setup),
                           activities=activities, photo=queries.photo_shown(application))


@bp.get("/fairs/<int:fair_id>/exhibitors/<int:application_id>/photo")
def photo(fair_id: int, application_id: int):
    """The exhibitor's photo, only while the person who made the application consents to public pages
    (not kept by browsers or proxies: a withdrawn consent takes effect at once)."""
    fair = fair_or_404(fair_id)
    application = exhibitor_or_404(fair, application_id)
    key = application.photo_key
    if not queries.photo_shown(application):
        abort(404)
    return storage().send(key, f"exhibitor-{application.id}.{key.rsplit('.', 1)[1]}")
