"""Print batches through the cluster, as fair staff make and print them (the cluster tests' helpers): the
batch form on the fair's certificates page, the batch's rows in the cluster's database, and the printed PDF
checked page by page."""
from __future__ import annotations

import io
import random
import re
import time
from pathlib import Path

from .conftest import CLUSTER_URL, Client, wait_until

FAIR = 1  # the demo's fair; staff@ is its staff, and it has a participant template


def participant_names(count: int) -> tuple[str, str]:
    """`count` participants of their own (a run tag: a second run on one cluster issues new ones)."""
    tag = f"{random.randrange(16**6):06x}"
    return tag, "\n".join(f"ผู้เข้าร่วมคลัสเตอร์ {tag} คนที่ {i + 1} | เทศบาลตำบลทดสอบ" for i in range(count))


def staff_client() -> Client:
    staff = Client(CLUSTER_URL)
    assert staff.login("staff@fairapp.local").status_code in (302, 303)
    return staff


def make_batch(staff: Client, names: str) -> tuple[int, float]:
    """The batch form of the fair's certificates page: the new batch's id and how long the request took."""
    token = staff.csrf(f"/fairs/{FAIR}/certificates")
    started = time.monotonic()
    made = staff.post(f"/fairs/{FAIR}/certificates/batches",
                      data={"csrf_token": token, "kind": "participant", "names": names})
    took = time.monotonic() - started
    assert made.status_code in (302, 303), (made.status_code, made.text[:500])
    return int(made.headers["Location"].rstrip("/").rsplit("/", 1)[1]), took


def batch_state(cluster, batch_id: int) -> tuple[str, int, int]:
    """(status, done, total)"""
    return cluster.sql("SELECT status, done, total FROM certificate_batches WHERE id = %s", batch_id)[0]


def chunk_rows(cluster, batch_id: int) -> list[tuple]:
    """(index, status, attempts, claimed_by) of each chunk, in order."""
    return cluster.sql("SELECT index, status, attempts, claimed_by FROM certificate_batch_chunks "
                       "WHERE batch_id = %s ORDER BY index", batch_id)


def finished(cluster, batch_id: int, seconds: float) -> None:
    """Wait until the batch is done (failing at once, with its chunks, when it failed)."""
    status = wait_until(lambda: (s := batch_state(cluster, batch_id)[0]) in ("done", "failed") and s, seconds,
                        every=0.5, what=f"batch {batch_id} finished")
    assert status == "done", (status, chunk_rows(cluster, batch_id))


def worker_pids(cluster, name: str) -> set[int]:
    """The processes of one Celery worker (its main process and its pool): its process group, as launched
    in a session of its own by cluster.sh."""
    leader = int((cluster.run / "pids" / f"{name}.pid").read_text())
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == leader:  # pgrp
            pids.add(int(stat.parent.name))
    return pids


def claimer(claimed_by: str) -> int:
    """The pid of the process that claimed a chunk ("host:pid")."""
    return int(claimed_by.rsplit(":", 1)[1])


def printed_once(cluster, staff: Client, batch_id: int, count: int) -> None:
    """Issued once, and printed once: the batch's PDF through the balancer has each certificate on one page
    in the batch's order, and each certificate has one printed copy recorded."""
    from pypdf import PdfReader

    by_chunk = cluster.sql("SELECT certificate_ids FROM certificate_batches WHERE id = %s", batch_id)[0][0]
    order = [cert_id for index in sorted(by_chunk, key=int) for cert_id in by_chunk[index]]  # the pages' order
    rows = cluster.sql("SELECT id, serial, subject_key FROM certificates WHERE id = ANY(%s)", order)
    assert len(order) == len(rows) == count
    assert len({r[2] for r in rows}) == count  # one certificate per participant
    twice = cluster.sql("SELECT subject_key FROM certificates WHERE subject_key = ANY(%s) "
                        "GROUP BY subject_key HAVING count(*) > 1", [r[2] for r in rows])
    assert twice == []  # nobody issued twice, not even by a chunk done again after a fault
    token = staff.csrf(f"/certificates/batches/{batch_id}")
    pdf = staff.post(f"/certificates/batches/{batch_id}/print", data={"csrf_token": token}, timeout=120)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf", pdf.status_code
    pages = [re.sub(r"[\s-]", "", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf.content)).pages]
    assert len(pages) == count
    serial_of = {r[0]: r[1] for r in rows}
    for text, cert_id in zip(pages, order):  # page n is the batch's certificate n ...
        assert serial_of[cert_id] in text, (cert_id, text[:200])
    joined = "\n".join(pages)
    for serial in serial_of.values():  # ... and no certificate is on two pages
        assert joined.count(serial) == 1, serial
    copies = cluster.sql("SELECT certificate_id, count(*) FROM certificate_prints WHERE batch_id = %s "
                         "GROUP BY certificate_id", batch_id)
    assert len(copies) == count and {n for _, n in copies} == {1}
