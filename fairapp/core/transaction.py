"""The end of a request that changed something: one commit, then what waited for it; or nothing at all.

Operations queue mail (core.mail.queue_mail) and file deletions (core.storage.delete_after_commit);
both happen only once the transaction has committed, and are forgotten when it rolls back.
"""
from __future__ import annotations

from ..extensions import db
from .mail import discard_queued_mail, send_queued_mail
from .storage import delete_committed, keep_queued_files


def commit() -> None:
    """Commit the request's transaction, then send its mail and delete the files it removed."""
    db.session.commit()
    send_queued_mail()
    delete_committed()


def rollback() -> None:
    """Roll back, and forget the mail and file deletions that belonged to what did not happen."""
    db.session.rollback()
    discard_queued_mail()
    keep_queued_files()
