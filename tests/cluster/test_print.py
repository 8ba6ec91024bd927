"""Print batches on the cluster: the chunks of one batch shared by the two Celery workers, and a worker
killed with `kill -9` in the middle of a batch. (A batch made while the broker is down: test_cluster.py.)
Everything through the balancer, as fair staff do it; what happened is read from the cluster's database and
the printed PDF."""
from __future__ import annotations

import os
import signal
from pathlib import Path

from .conftest import wait_until
from .printing import (batch_state, chunk_rows, claimer, finished, make_batch, participant_names, printed_once,
                       staff_client, worker_pids)


def test_a_batch_of_300_is_shared_by_the_two_workers(cluster):
    staff = staff_client()
    _, names = participant_names(300)
    batch_id, took = make_batch(staff, names)
    assert took < 10  # the request asks for the chunks; the workers render them
    assert staff.get(f"/certificates/batches/{batch_id}").status_code == 200
    finished(cluster, batch_id, 240)
    chunks = chunk_rows(cluster, batch_id)
    assert len(chunks) == 12 and all(c[1] == "done" and c[2] == 1 for c in chunks), chunks  # each taken once
    one, two = worker_pids(cluster, "worker-1"), worker_pids(cluster, "worker-2")
    by = {"worker-1" if claimer(c[3]) in one else "worker-2" if claimer(c[3]) in two else c[3] for c in chunks}
    assert by == {"worker-1", "worker-2"}, by  # both workers took chunks of the one batch
    printed_once(cluster, staff, batch_id, 300)


def test_a_worker_killed_mid_batch_and_the_batch_completes_issuing_and_printing_each_once(cluster):
    """kill -9 of worker-1's whole process group (its main process and pool) while it renders a chunk: the
    chunk's task comes back from Redis (acks late, CELERY_VISIBILITY_TIMEOUT) or from beat's sweep once the
    chunk's lease (CERTIFICATE_CHUNK_LEASE) ran out, and worker-2 does it; nothing is issued twice."""
    staff = staff_client()
    _, names = participant_names(200)
    doomed = worker_pids(cluster, "worker-1")
    leader = int((cluster.run / "pids" / "worker-1.pid").read_text())
    try:
        batch_id, _ = make_batch(staff, names)

        def mid_batch():
            chunks = chunk_rows(cluster, batch_id)
            mine = [c[0] for c in chunks if c[1] == "running" and c[3] and claimer(c[3]) in doomed]
            return mine if mine and any(c[1] == "queued" for c in chunks) else None
        killed = wait_until(mid_batch, 60, every=0.05, what="worker-1 rendering a chunk mid-batch")
        os.killpg(leader, signal.SIGKILL)
        wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in doomed), 10, every=0.1,
                   what="worker-1 gone")
        status, done, total = batch_state(cluster, batch_id)
        assert status == "running" and done < total
        finished(cluster, batch_id, 180)
    finally:
        cluster.script("start", "worker-1")
    chunks = chunk_rows(cluster, batch_id)
    assert all(c[1] == "done" for c in chunks)
    for index in killed:  # taken again, by a live worker
        assert chunks[index][2] >= 2 and claimer(chunks[index][3]) not in doomed, chunks[index]
    printed_once(cluster, staff, batch_id, 200)
