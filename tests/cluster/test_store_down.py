"""The S3 endpoint stopped: an upload is refused with a clear message in Thai and nothing is half-written;
once the store is back, uploads work again. Runs after test_cluster.py (file names in order):
moto keeps its objects in memory, so the files stored before the stop are gone from this test cluster
after it (a real S3 keeps them)."""
from __future__ import annotations

import random
import re

from .conftest import Client, both_servers_behind_the_balancer
from .test_cluster import _jpeg

STORE_DOWN = "ระบบเก็บไฟล์ขัดข้องชั่วคราว ไฟล์ยังไม่ได้บันทึก"


def _upload(member: Client, nomination: int, base: str):
    token = member.csrf(f"/nominations/{nomination}", base=base)
    return member.post(f"/nominations/{nomination}/evidence", base=base,
                       data={"csrf_token": token, "caption": f"store {random.randrange(10**6)}"},
                       files={"files": ("booth.jpg", _jpeg(), "image/jpeg")})


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_with_the_store_stopped_an_upload_is_refused_in_thai_and_nothing_is_half_written(cluster):
    member = Client(cluster.a)  # one app server: the balancer's choice would not matter (both keep serving)
    assert member.login("culture@fairapp.local").status_code in (302, 303)
    nomination = cluster.sql("SELECT id FROM nominations WHERE status = 'draft' ORDER BY id LIMIT 1")[0][0]
    rows = lambda: cluster.sql("SELECT count(*) FROM nomination_evidence WHERE nomination_id = %s",  # noqa: E731
                               nomination)[0][0]
    folder = cluster.run / "instance" / "uploads"  # the local store's folder, were a file put there instead
    local_files = lambda: sorted(p for p in folder.rglob("*") if p.is_file())  # noqa: E731
    before_rows, before_files = rows(), local_files()
    cluster.script("stop", "s3")
    try:
        health = member.get("/healthz")
        assert health.status_code == 200  # the store is everyone's: the balancer keeps both servers
        assert health.json()["store"] == "down" and health.json()["database"] == "ok"
        sent = _upload(member, nomination, cluster.a)
        assert sent.status_code in (302, 303), sent.status_code
        page = member.get(sent.headers["Location"].replace(cluster.a, ""), base=cluster.a)
        assert STORE_DOWN in _text(page.text)
        assert rows() == before_rows  # no row without its file
        assert local_files() == before_files  # and no file put anywhere else instead
    finally:
        cluster.script("start", "s3")  # (creates the bucket again)
        both_servers_behind_the_balancer(cluster)
    sent = _upload(member, nomination, cluster.b)  # the store is back: the same upload goes through
    assert sent.status_code in (302, 303)
    assert rows() == before_rows + 1
    evidence = cluster.sql("SELECT max(id) FROM nomination_evidence WHERE nomination_id = %s", nomination)[0][0]
    served = member.get(f"/nominations/{nomination}/evidence/{evidence}", base=cluster.a)
    assert served.status_code == 200 and served.content[:2] == b"\xff\xd8"
