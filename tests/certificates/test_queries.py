"""SQL queries per certificates page do not grow with the number of certificates (no N+1)."""
import pytest

from fairapp.certificates import operations as ops, printing
from fairapp.certificates.models import Certificate
from fairapp.core.transaction import unit_of_work

from tests.certificates.world import build_cert_world
from tests.factories import create_user


def _participants(app, w, names):
    with app.test_request_context(), unit_of_work():
        certs, _ = ops.issue(w.fair, ops.participant_candidates(w.fair, "\n".join(names)), w.staff)
        printing.print_certificates(certs, w.staff, "single", confirmed=True)


@pytest.mark.parametrize("page", ["/fairs/{fair}/certificates/issued", "/fairs/{fair}/kiosk?q=ทดสอบ",
                                  "/fairs/{fair}/certificates", "/my/certificates"])
def test_queries_do_not_grow_with_certificates(app, client, login_as, count_queries, db, page):
    w = build_cert_world(db)
    member = create_user("member-queries@example.org", org=w.exhibitors[0])
    counts = []
    for size in (3, 30):
        start = Certificate.query.count()
        _participants(app, w, [f"นายทดสอบ คนที่{start + i}" for i in range(size)])
        login_as(member if page.startswith("/my") else w.staff)
        url = page.format(fair=w.fair.id)
        client.get(url)  # warm
        with count_queries() as n:
            assert client.get(url).status_code == 200
        counts.append(n[0])
    assert counts[0] == counts[1], counts
