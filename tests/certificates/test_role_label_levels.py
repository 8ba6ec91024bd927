"""An awardee's certificate says its award in the reader's language on the pages (/verify, the staff's and
the holder's pages): the level too, not only the category (issue 16, English award levels). The stored
and printed wording stays Thai."""
from __future__ import annotations

from fairapp.certificates.labels import ROLE_LABELS, printed, role_label


def _in(app, lang: str, stored: str) -> str:
    with app.test_request_context("/", headers={"Cookie": f"lang={lang}"}):
        return role_label("awardee", "award:1", stored)


def test_a_known_level_is_in_english_and_the_thai_stays_as_printed(app):
    with app.test_request_context("/"):
        stored = printed(ROLE_LABELS["award"], level="ต้นแบบ", category="ชุมชนคุณธรรมต้นแบบ")
    assert stored == "รางวัลระดับต้นแบบ ประเภทชุมชนคุณธรรมต้นแบบ"
    assert _in(app, "th", stored) == stored
    english = _in(app, "en", stored)
    assert english.startswith("Model award, ") and "ต้นแบบ award" not in english


def test_a_level_the_catalog_does_not_know_stays_in_the_chairs_words(app):
    with app.test_request_context("/"):
        stored = printed(ROLE_LABELS["award"], level="ดาวรุ่งคุณธรรม", category="เยาวชน")
    assert _in(app, "en", stored).startswith("ดาวรุ่งคุณธรรม award, ")
