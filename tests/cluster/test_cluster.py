"""Several app servers, one state: sessions, request limits, files and jobs shared through the database,
the store and the broker, never a server's own memory or disk (README, "Cluster")."""
from __future__ import annotations

import io
import random
import time

from .conftest import CLUSTER_URL, Client, both_servers_behind_the_balancer, wait_until
from .printing import (batch_state, chunk_rows, finished, make_batch, participant_names, printed_once,
                       staff_client)


def _jpeg() -> bytes:
    """A photo of its own each run (a random colour), so what B serves can only be what A received."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), tuple(random.randrange(256) for _ in range(3))).save(out, "JPEG")
    return out.getvalue()


def test_a_session_started_on_a_works_on_b_and_through_the_balancer(cluster):
    both_servers_behind_the_balancer(cluster)
    person = Client(cluster.a)
    signed_in = person.login("staff@fairapp.local")
    assert signed_in.status_code in (302, 303), signed_in.status_code
    for base in (cluster.a, cluster.b):
        page = person.get("/dashboard", base=base)
        assert page.status_code == 200, (base, page.status_code, page.headers.get("Location"))
        assert "จีรนันท์" in page.text  # the demo staff member's name: signed in on this server too
    served_by = set()
    for _ in range(6):  # round robin: both servers answer the same session
        page = person.get("/dashboard", base=CLUSTER_URL)
        assert page.status_code == 200, page.headers.get("Location")
        served_by.add(page.headers["X-Served-By"])
    assert served_by == {"a", "b"}
    anonymous = Client(cluster.b).get("/dashboard")
    assert anonymous.status_code in (302, 303)  # the page needs the session: B did not just let anyone in


def test_the_login_rate_limit_holds_across_the_two_servers(cluster):
    """10 attempts a minute from one address, wherever they land: the 11th is refused on either server."""
    attacker = Client(cluster.a)
    email = f"nobody-{random.randrange(10**9)}@example.org"
    for attempt in range(10):
        base = (cluster.a, cluster.b)[attempt % 2]
        token = attacker.csrf("/login", base=base)
        answer = attacker.post("/login", base=base, data={"csrf_token": token, "email": email, "password": "x"})
        assert answer.status_code == 200, (attempt, answer.status_code)  # the form again, with its error
    for base in (cluster.a, cluster.b):
        token = attacker.csrf("/login", base=base)
        refused = attacker.post("/login", base=base, data={"csrf_token": token, "email": email, "password": "x"})
        assert refused.status_code == 429, (base, refused.status_code)
    other = Client(cluster.b)  # another address is not affected
    token = other.csrf("/login")
    assert other.post("/login", data={"csrf_token": token, "email": email, "password": "x"}).status_code == 200


def test_a_photo_uploaded_through_a_is_served_by_b(cluster):
    member = Client(cluster.a)  # culture@ is a member of the organization nominating the demo's draft
    assert member.login("culture@fairapp.local").status_code in (302, 303)
    nomination = cluster.sql("SELECT id FROM nominations WHERE status = 'draft' ORDER BY id LIMIT 1")[0][0]
    before = cluster.sql("SELECT coalesce(max(id), 0) FROM nomination_evidence")[0][0]
    token = member.csrf(f"/nominations/{nomination}")
    sent = member.post(f"/nominations/{nomination}/evidence", data={"csrf_token": token, "caption": "cluster"},
                       files={"files": ("booth.jpg", _jpeg(), "image/jpeg")})
    assert sent.status_code in (302, 303), sent.status_code
    rows = cluster.sql("SELECT id, sha256 FROM nomination_evidence WHERE nomination_id = %s AND id > %s",
                       nomination, before)
    assert len(rows) == 1, rows
    evidence = rows[0][0]
    path = f"/nominations/{nomination}/evidence/{evidence}"
    on_a = member.get(path, base=cluster.a)
    on_b = member.get(path, base=cluster.b)
    assert on_a.status_code == on_b.status_code == 200, (on_a.status_code, on_b.status_code)
    assert on_b.headers["Content-Type"].startswith("image/jpeg")
    assert on_b.content == on_a.content and on_b.content[:2] == b"\xff\xd8"
    thumb = member.get(path + "/thumb", base=cluster.b)
    assert thumb.status_code == 200 and thumb.content[:2] == b"\xff\xd8"


def _person_with_a_real_address(cluster) -> str:
    """A copy of a demo account under an address the forms accept (the demo's *.local ones are refused
    by the password-reset form): the account a reset mail goes to."""
    email = f"cluster-{random.randrange(10**9)}@example.org"
    cluster.sql("INSERT INTO users (email, is_admin, active, email_confirmed_at, created_at, session_version,"
                " locale, password_hash, title, first_name, last_name, phone)"
                " SELECT %s, false, true, email_confirmed_at, created_at, 0, locale, password_hash, title,"
                " first_name, last_name, phone FROM users WHERE email = 'culture@fairapp.local' RETURNING id", email)
    return email


def _queue_reset_mail(cluster, base: str) -> tuple[int, float, str]:
    """Ask for a password reset (a mail queued by the request): the new mail row's id, how long the
    request took, the address."""
    email = _person_with_a_real_address(cluster)
    before = cluster.sql("SELECT coalesce(max(id), 0) FROM mail_messages")[0][0]
    visitor = Client(base)
    token = visitor.csrf("/password/forgot")
    started = time.monotonic()
    answer = visitor.post("/password/forgot", data={"csrf_token": token, "email": email})
    took = time.monotonic() - started
    assert answer.status_code in (302, 303), answer.status_code  # accepted (200 is the form again)
    rows = cluster.sql("SELECT id FROM mail_messages WHERE id > %s AND \"to\" = %s", before, email)
    assert len(rows) == 1, rows
    return rows[0][0], took, email


def _status(cluster, mail_id: int) -> tuple:
    return cluster.sql("SELECT status, attempts, last_error FROM mail_messages WHERE id = %s", mail_id)[0]


def test_mail_queued_through_the_balancer_is_delivered_by_a_worker(cluster):
    mail_id, took, email = _queue_reset_mail(cluster, CLUSTER_URL)
    assert took < 5
    wait_until(lambda: _status(cluster, mail_id)[0] == "sent", 30, what="mail sent by a worker")
    assert len(_outbox_files(cluster, email)) == 1


def _outbox_files(cluster, email: str) -> list:
    """The messages written to this address (no MAIL_SERVER: the workers write the shared outbox folder)."""
    outbox = cluster.run / "instance" / "mail"
    return [f for f in outbox.glob("*.eml") if email in f.read_text(errors="replace")]


def test_with_redis_stopped_pages_serve_and_queued_mail_and_a_new_batch_run_once_it_is_back(cluster):
    """The broker down: both servers keep serving; a mail and a print batch asked for meanwhile wait in the
    database, the batch's page says it is queued; once Redis is back beat's sweeps hand both to a worker,
    each done once. (One test for both: they share the minute of waiting for beat.)"""
    staff = staff_client()
    _, names = participant_names(50)
    cluster.script("stop", "redis")
    try:
        for base in (cluster.a, cluster.b):
            health = Client(base).get("/healthz")
            assert health.status_code == 200
            assert health.json()["broker"] == "down" and health.json()["database"] == "ok"
        mail_id, took, email = _queue_reset_mail(cluster, CLUSTER_URL)
        assert took < 5  # the request learnt at once that the broker is down; the mail waits in the database
        batch_id, took = make_batch(staff, names)
        assert took < 10
        page = staff.get(f"/certificates/batches/{batch_id}")
        assert page.status_code == 200
        assert "ชุดนี้อยู่ในคิวแล้ว" in page.text and "จะเริ่มออกเกียรติบัตรเองเมื่อระบบกลับมาทำงาน" in page.text
        progress = staff.get(f"/certificates/batches/{batch_id}/progress").json()
        assert progress["waiting"] is True and progress["status"] == "queued"
        time.sleep(6)  # the balancer has checked /healthz more than twice meanwhile (every 2 s, down at 2)
        served_by = set()
        for _ in range(4):  # ... and both servers still take requests
            page = Client(CLUSTER_URL).get("/")
            assert page.status_code == 200
            served_by.add(page.headers["X-Served-By"])
        assert served_by == {"a", "b"}
        assert _status(cluster, mail_id)[0] == "queued"  # kept in the database, not lost
        assert batch_state(cluster, batch_id)[0] == "queued"
        planned = cluster.sql("SELECT count(*) FROM (SELECT json_array_elements(items)->>'subject_key' "
                              "FROM certificate_batch_chunks WHERE batch_id = %s) AS planned", batch_id)[0][0]
        assert planned > 0  # the batch's share of the set is in its chunk rows ...
        assert cluster.sql("SELECT count(*) FROM certificates WHERE subject_key IN (SELECT "
                           "json_array_elements(items)->>'subject_key' FROM certificate_batch_chunks "
                           "WHERE batch_id = %s)", batch_id)[0][0] == 0  # ... and nothing of it issued yet
    finally:
        cluster.script("start", "redis")
        both_servers_behind_the_balancer(cluster)
    wait_until(lambda: Client(cluster.a).get("/healthz").json()["broker"] == "ok", 20, what="broker back")
    # beat's sweep (every SWEEP_EVERY, 10 s here) hands a mail no job took within MAIL_SWEEP_AFTER (15 s) to a worker
    wait_until(lambda: _status(cluster, mail_id)[0] == "sent", 200, every=2, what="mail sent after Redis is back")
    assert _status(cluster, mail_id)[1] == 1  # sent once
    assert len(_outbox_files(cluster, email)) == 1
    finished(cluster, batch_id, 120)  # and the batch's sweep, the chunks no job took
    assert [c[2] for c in chunk_rows(cluster, batch_id)] == [1, 1]  # each chunk rendered once
    assert "ชุดนี้อยู่ในคิวแล้ว" not in staff.get(f"/certificates/batches/{batch_id}").text
    printed_once(cluster, staff, batch_id, 50)


def test_a_refusing_mail_server_is_retried_and_shown_to_admins_without_slowing_the_request(cluster, monkeypatch):
    """The workers are restarted with a mail server on a port where nothing listens; then as they were."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    cluster.script("stop", "worker-2")
    cluster.script("stop", "worker-1")
    try:
        refusing = {**cluster.script_env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(closed_port),
                    "MAIL_USE_TLS": "0"}
        monkeypatch.setattr(cluster, "script_env", refusing)
        cluster.script("start", "worker-1")
        mail_id, took, email = _queue_reset_mail(cluster, CLUSTER_URL)
        assert took < 5
        # attempts counts from the claim ("sending"); the first attempt is over when the row leaves it
        status, attempts, error = wait_until(
            lambda: (row := _status(cluster, mail_id))[1] >= 1 and row[0] != "sending" and row, 30,
            what="a first attempt, ended")
        assert status == "queued" and error  # to be retried (30 s later), its error kept
        admin = Client(CLUSTER_URL)
        assert admin.login("admin@fairapp.local").status_code in (302, 303)
        page = admin.get("/admin/mail")
        assert page.status_code == 200 and email in page.text
    finally:
        monkeypatch.undo()
        cluster.script("stop", "worker-1")
        cluster.script("start", "worker-1")
        cluster.script("start", "worker-2")
    # the retry (or the sweep, if the stopped worker handed it back) reaches the restored workers
    wait_until(lambda: _status(cluster, mail_id)[0] == "sent", 120, every=2, what="mail sent on a later attempt")
