"""The nominations CSV streams (issue 14): no Content-Length, written while the rows are read."""
from __future__ import annotations

from tests.nominations.test_staff import own_uploads  # noqa: F401  (autouse: photos in a folder of the test's own)
from tests.nominations.test_staff import make_nomination, world
from tests.factories import create_org


def test_nominations_csv_streams(db, client, login_as):
    w = world(db)
    make_nomination(w.category, create_org("ฮานะ"))
    make_nomination(w.category, create_org("กานดา"), photos=2)
    login_as(w.staff)
    response = client.get(f"/fairs/{w.fair.id}/nominations/export.csv", buffered=False)
    assert response.status_code == 200 and response.is_streamed
    assert "Content-Length" not in response.headers
    text = b"".join(response.response).decode("utf-8-sig")
    assert text.index("กานดา") < text.index("ฮานะ")
