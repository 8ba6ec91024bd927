"""Certificate templates, issued certificates, printed copies and print batches."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..accounts.models import User
from ..core.time import UTCDateTime, utcnow
from ..extensions import db
from ..fairs.models import Fair
from ..nominations.models import Category
from .labels import KIND_LABELS, KINDS, WITHHELD, batch_label, holder_org_label, public_reason_label, role_label

__all__ = ["KINDS", "KIND_LABELS", "CertificateTemplate", "Certificate", "CertificatePrint", "PrintBatch",
           "PrintBatchChunk"]
PAGE_SIZES = ("A4", "A5", "LETTER")
ORIENTATIONS = ("landscape", "portrait")


class CertificateTemplate(db.Model):
    """How one kind of certificate looks and what it says.

    Awardee templates may be narrowed to a category and an award level; the most specific one wins.
    Once a template has issued certificates it is locked (their stored PDFs and printed copies must look
    the same); staff copy it to change the design.
    """

    __tablename__ = "certificate_templates"
    __table_args__ = (CheckConstraint(f"kind IN {KINDS}", name="known_kind"),
                      CheckConstraint(f"page_size IN {PAGE_SIZES}", name="known_page_size"),
                      CheckConstraint(f"orientation IN {ORIENTATIONS}", name="known_orientation"))

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("award_categories.id", ondelete="CASCADE"))
    level_th: Mapped[str | None] = mapped_column(String(120))  # None: every level
    name: Mapped[str] = mapped_column(String(200))
    page_size: Mapped[str] = mapped_column(String(10), default="A4")
    orientation: Mapped[str] = mapped_column(String(10), default="landscape")
    title_th: Mapped[str] = mapped_column(String(200), default="เกียรติบัตร")
    issuer_th: Mapped[str] = mapped_column(String(400))
    preamble_th: Mapped[str] = mapped_column(String(400), default="ขอมอบเกียรติบัตรฉบับนี้ไว้เพื่อแสดงว่า")
    reason_th: Mapped[str] = mapped_column(Text)
    date_line_th: Mapped[str] = mapped_column(String(300), default="ให้ไว้ ณ วันที่ [วันที่]")
    given_on: Mapped[date | None] = mapped_column(Date)  # None: the fair's last day
    background_key: Mapped[str | None] = mapped_column(String(80))
    logo_keys: Mapped[list] = mapped_column(JSON, default=list)
    signatories: Mapped[list] = mapped_column(JSON, default=list)  # [{name, position, signature_key}]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    fair: Mapped[Fair] = relationship()
    category: Mapped[Category | None] = relationship()

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    def date_given(self) -> date:
        return self.given_on or self.fair.ends_on

    def snapshot(self) -> dict:
        cols = [c.key for c in self.__table__.columns if c.key not in ("updated_at",)]
        return {c: getattr(self, c) for c in cols}


class Certificate(db.Model):
    """One issued certificate: its facts as printed, serial, QR signature and the SHA-256 of its PDF.

    A subject (an award result, a checked-in booth or one of its people, a judge, a participant) has at
    most one certificate per generation: issuing twice finds the existing one; a reissue is the next
    generation and supersedes the old. Revoked or superseded certificates never become valid again.
    """

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("fair_id", "subject_key", "generation"),
                      CheckConstraint(f"kind IN {KINDS}", name="known_kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(16), unique=True)  # compact; shown grouped
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject_key: Mapped[str] = mapped_column(String(120))
    generation: Mapped[int] = mapped_column(Integer, default=1)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_templates.id", ondelete="SET NULL"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("award_categories.id", ondelete="SET NULL"))
    holder_name: Mapped[str] = mapped_column(String(300))
    holder_org: Mapped[str] = mapped_column(String(300), default="")
    holder_withheld_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the name erased at the holder's request
    reason: Mapped[str] = mapped_column(Text, default="")
    role_th: Mapped[str] = mapped_column(String(300), default="")  # the award or role, for /verify
    given_on: Mapped[date] = mapped_column(Date)
    stage_order: Mapped[int] = mapped_column(Integer, default=0)
    search_key: Mapped[str] = mapped_column(String(700), default="")
    token: Mapped[str] = mapped_column(Text)          # the QR's signed payload
    pdf_key: Mapped[str] = mapped_column(String(80))
    pdf_sha256: Mapped[str] = mapped_column(String(64), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)  # the staff's internal note
    revoked_public_reason: Mapped[str | None] = mapped_column(String(32))  # shown on /verify (a short list)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"))

    fair: Mapped[Fair] = relationship()
    template: Mapped[CertificateTemplate | None] = relationship()
    category: Mapped[Category | None] = relationship()
    superseded_by: Mapped["Certificate | None"] = relationship(remote_side=[id])
    prints: Mapped[list["CertificatePrint"]] = relationship(back_populates="certificate",
                                                            order_by="CertificatePrint.printed_at")

    @property
    def status(self) -> str:
        """"valid", "revoked" or "superseded"."""
        if self.superseded_by_id is not None:
            return "superseded"
        return "revoked" if self.revoked_at is not None else "valid"

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def holder_shown(self) -> str:
        """The holder's name, or, erased at their request (PDPA s.33), that it is withheld."""
        return str(WITHHELD) if self.holder_withheld_at is not None else self.holder_name

    @property
    def public_reason_label(self) -> str | None:
        """Why it is no longer valid, as the public reads it (labels.PUBLIC_REASONS); never the staff's note."""
        return public_reason_label(self.revoked_public_reason)

    @property
    def role_label(self) -> str:
        """The award or role in the viewer's language (role_th is how it was printed)."""
        return role_label(self.kind, self.subject_key, self.role_th,
                          self.category if self.kind == "awardee" else None)

    @property
    def holder_org_label(self) -> str:
        """The line under the holder's name in the viewer's language (holder_org is how it was printed)."""
        return holder_org_label(self.kind, self.subject_key, self.holder_org)

    @property
    def grouped_serial(self) -> str:
        from .serials import grouped
        return grouped(self.serial)


class CertificatePrint(db.Model):
    """A printed copy: who printed it and when (kiosk, single or batch)."""

    __tablename__ = "certificate_prints"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"), index=True)
    printed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_batches.id", ondelete="SET NULL"))
    via: Mapped[str] = mapped_column(String(10), default="single")  # single | kiosk | batch

    certificate: Mapped[Certificate] = relationship(back_populates="prints")
    printed_by: Mapped[User | None] = relationship()


class PrintBatch(db.Model):
    """A set of certificates issued and rendered into one merged PDF, chunk by chunk, by jobs.

    The set (subjects in stage or booth order, `total` of them) is fixed when the batch is made and cut
    into chunks of `chunk_size`, each a `PrintBatchChunk` row holding its share (`items`) and, once done,
    what it made (its print PDF, its certificates), run by its own job (any worker on any machine): a chunk
    reads and writes its own row and the batch's counters, never the whole set. `items`, `chunk_keys` and
    `certificate_ids` here are the whole batch's, written once by the merge (older batches: when made);
    they are deferred (read only when asked for). `lease_until`: someone works on the batch until then (renewed by every chunk).
    `queue_missed_at`: the job server could not take its chunks (the sweep sends them once it is back).
    """

    __tablename__ = "certificate_batches"
    __table_args__ = (CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="known_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("award_categories.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    items: Mapped[list] = deferred(mapped_column(JSON, default=list))  # the chunks' rows hold the set
    chunk_size: Mapped[int] = mapped_column(Integer, default=25)
    chunk_keys: Mapped[dict] = deferred(mapped_column(JSON, default=dict))  # chunk index (str) -> key, at the merge
    certificate_ids: Mapped[dict] = deferred(mapped_column(JSON, default=dict))  # index (str) -> [ids], at the merge
    status: Mapped[str] = mapped_column(String(10), default="queued")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)  # revoked subjects left out
    result_key: Mapped[str | None] = mapped_column(String(80))
    error: Mapped[str | None] = mapped_column(Text)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    base_url: Mapped[str | None] = mapped_column(String(300))  # the site its QR codes name
    queue_missed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    fair: Mapped[Fair] = relationship()
    category: Mapped[Category | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        """The batch's name in the viewer's language (`title`, in Thai, names its merged PDF)."""
        return batch_label(self.kind, self.category)

    @property
    def chunks(self) -> int:
        return -(-self.total // self.chunk_size) if self.total and self.chunk_size else 0

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)


class PrintBatchChunk(db.Model):
    """One chunk of a batch, run by one job: queued -> running (a worker holds it until `lease_until`)
    -> done, or failed (the batch then says so and can be retried). `queued_at`: when a job was last asked
    for it (the sweep asks again for one no job took); `attempts` counts the workers that claimed it. `items`:
    its share of the batch's set; `pdf_key`, `certificate_ids` and `pages`: what it made."""

    __tablename__ = "certificate_batch_chunks"
    __table_args__ = (UniqueConstraint("batch_id", "index"),
                      CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="known_status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("certificate_batches.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(120))  # host:pid of the worker that last took it
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    items: Mapped[list | None] = deferred(mapped_column(JSON))  # its share of the batch's set (Candidate.to_json)
    pdf_key: Mapped[str | None] = mapped_column(String(80))  # its print PDF once done ("": nothing to print)
    certificate_ids: Mapped[list | None] = deferred(mapped_column(JSON))  # its certificates, in page order
    pages: Mapped[int | None] = mapped_column(Integer)  # how many (len(certificate_ids)) once done

    batch: Mapped[PrintBatch] = relationship()
