"""The registry of processing (fairapp.privacy.registry) and the full notice made from it (/privacy)."""
from __future__ import annotations

import re

from fairapp.privacy import registry

# The fingerprint of what each version of the notices says. An edit of the registry changes the
# fingerprint: give it a new VERSION (and EFFECTIVE date) and add its fingerprint here, so that the accounts
# that saw the old version are asked to see the new one.
FINGERPRINTS = {1: "3225dc63954b5b34f5b6ff9805ff5b3b9f00d6782b64aef79fc66264ad727f72",
                2: "7c0b1964cd1f2dc5a02b20d8dfaf68ccff4eddf4d94accda5a98e0fbe09cfee3",
                3: "19fb656c0dc2723e9d3477352a3f5cf82dcb2fbe0921ba18bae68f0e13544525"}


def test_a_changed_notice_has_a_new_version(app):
    with app.app_context():
        assert registry.fingerprint() == FINGERPRINTS[registry.VERSION]


def test_every_purpose_has_a_basis_and_known_categories():
    for purpose in registry.PURPOSES:
        assert purpose.basis in registry.BASES, purpose.key
        assert purpose.categories and set(purpose.categories) <= set(registry.CATEGORY), purpose.key
    used = {key for purpose in registry.PURPOSES for key in purpose.categories}
    assert used == set(registry.CATEGORY)  # no category collected without a purpose


def test_sensitive_data_only_with_explicit_consent():
    """s.26: religious belief and health or disability only with explicit consent, never on another basis."""
    sensitive = {c.key for c in registry.CATEGORIES if c.sensitive}
    assert sensitive == {"access_needs", "religion"}
    for purpose in registry.PURPOSES:
        if set(purpose.categories) & sensitive:
            assert purpose.basis == "explicit_consent", purpose.key
            assert set(purpose.categories) <= sensitive, purpose.key


def test_retention_is_in_days_or_kept_with_the_fairs_record():
    for category in registry.CATEGORIES:
        assert category.retention_days is None or category.retention_days > 0
    assert registry.retention_days("mail") == 90 and registry.retention_days("certificate") is None


def test_the_full_notice_is_public_in_thai_and_english(app, client):
    html = client.get("/privacy").get_data(as_text=True).replace("\xa0", " ")
    assert "ประกาศความเป็นส่วนตัว" in html and "ฉบับที่ 3 มีผลตั้งแต่ 1 ธันวาคม พ.ศ. 2569" in html
    for purpose in registry.PURPOSES:
        assert f'id="purpose-{purpose.key}"' in html
    for category in registry.CATEGORIES:
        assert f'id="category-{category.key}"' in html
    for key, _label in registry.RIGHTS:
        assert f'id="right-{key}"' in html
    assert "มาตรา 24 (4)" in html and "มาตรา 26" in html and "dpo@fairapp.local" in html
    assert "ภายใน 30 วัน" in html and "72 ชั่วโมง" in html
    client.get("/lang/en")
    english = client.get("/privacy").get_data(as_text=True)
    assert "Privacy notice" in english and "section 24 (4)" in english.lower()
    assert not re.search(r"[\u0E00-\u0E7F]", re.sub(r"<[^>]+>|ภาษาไทย", "", english.split("<main", 1)[1])), \
        "Thai left in the English notice"


def test_every_page_links_to_the_notice(app, client):
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)
