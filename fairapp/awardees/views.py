"""Model organizations and communities: a public page per awardee of a finalized category (anyone may
read it), and its published photos. Anything the public may not see answers 404, the same as a missing
id: another fair's nomination, one not awarded, a category not final, an awardee whose name is withheld
(privacy), a photo the nominator did not publish (or withdrew: read on every request, never cached).

Also the `award_level` template filter: an award level in the viewer's language (levels.py), for the
results, these pages and the stage."""
from __future__ import annotations

from flask import abort, render_template

from ..core.i18n import use_thai_digits
from ..core.storage import storage
from ..fairs.access import fair_or_404
from . import queries
from .blueprint import bp
from .levels import level_label


@bp.app_template_filter("award_level")
def award_level(level_th: str | None, name_en: str | None = None):
    return level_label(level_th, name_en)


def awardee_or_404(fair_id: int, nomination_id: int):
    fair = fair_or_404(fair_id)
    found = queries.awardee(fair, nomination_id)
    if found is None:
        abort(404)
    return fair, found


@bp.get("/fairs/<int:fair_id>/awardees/<int:nomination_id>")
def page(fair_id: int, nomination_id: int):
    """The award (category, level), the awardee's name and province, the story and photos its nominator
    chose to publish, its booth at the fair, and its certificate's public check."""
    fair, awardee = awardee_or_404(fair_id, nomination_id)
    use_thai_digits(fair.thai_numerals)
    return render_template("awardees/page.html", fair=fair, a=awardee)


@bp.get("/fairs/<int:fair_id>/awardees/<int:nomination_id>/photos/<int:evidence_id>")
def photo(fair_id: int, nomination_id: int, evidence_id: int):
    """A published photo's thumbnail (the cleaned photo until its thumbnail is made)."""
    _fair, awardee = awardee_or_404(fair_id, nomination_id)
    found = queries.photo_keys(evidence_id, awardee)
    if found is None:
        abort(404)
    key, name = found
    return storage().send(key, name)
