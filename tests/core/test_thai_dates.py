"""Buddhist Era date inputs (issue 16): what is typed is read leniently, what is shown is B.E."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from fairapp.core.thai_dates import parse, show


@pytest.mark.parametrize("typed", ["1/12/2569", "01-12-2569", "1.12.2569", " 1 / 12 / 2569 ", "๑/๑๒/๒๕๖๙",
                                   "1 ธ.ค. 2569", "1 ธันวาคม พ.ศ. 2569", "1 December 2569", "2026-12-01",
                                   "1/12/2026"])
def test_a_date_is_read_however_it_is_typed(typed):
    assert parse(typed) == datetime(2026, 12, 1)


@pytest.mark.parametrize("typed", ["", "31/2/2569", "1/13/2569", "tomorrow", "1/12/69", "1 ธ.ค. 2569 10:00"])
def test_what_is_not_a_day_is_none(typed):
    assert parse(typed) is None


def test_a_time_is_read_after_the_date_and_shown_back_in_the_era():
    assert parse("1/12/2569 14:30", with_time=True) == datetime(2026, 12, 1, 14, 30)
    assert parse("1 ธ.ค. 2569 เวลา 14.30 น.", with_time=True) == datetime(2026, 12, 1, 14, 30)
    assert parse("2026-12-01T14:30", with_time=True) == datetime(2026, 12, 1, 14, 30)
    assert parse("1/12/2569", with_time=True) is None
    assert show(date(2026, 12, 1)) == "1/12/2569" and show(datetime(2026, 12, 1, 9, 5), with_time=True) == "1/12/2569 09:05"


def test_a_fair_form_takes_and_shows_buddhist_era_dates(app, client, db, login_as, post_form):
    from fairapp.fairs.models import Fair
    from tests.factories import create_fair, create_user

    fair = create_fair()
    login_as(create_user(admin=True))
    url = f"/admin/fairs/{fair.id}/edit"
    html = client.get(url).get_data(as_text=True)
    assert f'value="{show(fair.starts_on)}"' in html and 'data-thai-date="date"' in html and 'type="date"' not in html
    bad = post_form(url, {"starts_on": "31/2/2569"}).get_data(as_text=True)
    assert "วันที่ไม่ถูกต้อง กรุณากรอกเป็น วัน/เดือน/ปี พ.ศ." in bad and 'value="31/2/2569"' in bad  # kept
