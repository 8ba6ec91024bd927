"""Floor-plan rules: booths as rectangles on a fair's grid (code, zone, type, blocked), the grid, its image.

Operations take objects and the actor, flush but never commit, write an audit entry (before/after) and
raise named errors; the request's unit of work commits once. Allocating applications to booths
(allocate, unallocate, swap) lives in operations/allocation.py; what a plan page shows and the PDF live in
plan_render.py.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core import audit
from ..core.errors import DomainError
from ..core.storage import delete_after_commit
from ..core.transaction import savepoint
from ..core.uploads import UploadRefused, accept_image
from ..extensions import db
from ..fairs.models import Fair
from .models import Booth, BoothSetup, BoothType

CODE_MAX = 12
CODE_RE = re.compile(r"^[A-Z]+[0-9]+$")
GRID_MIN, GRID_MAX = 2, 200


class InvalidBoothCode(DomainError):
    message = _l("รหัสบูธต้องเป็นอักษรภาษาอังกฤษตามด้วยตัวเลข เช่น A07 และยาวไม่เกิน 12 ตัว")


class BoothCodeTaken(DomainError):
    message = _l("รหัสบูธ %(code)s มีอยู่แล้วในงานนี้")


class OutsideGrid(DomainError):
    message = _l("บูธ %(code)s อยู่นอกผัง (ผังกว้าง %(cols)d ช่อง สูง %(rows)d ช่อง เริ่มนับที่ 0)")


class BoothOverlap(DomainError):
    message = _l("บูธ %(code)s ทับกับบูธ %(other)s")


class BoothOccupied(DomainError):
    message = _l("บูธ %(code)s มีองค์กรอยู่ จึงปิดบูธไม่ได้ กรุณายกเลิกการจัดสรรหรือย้ายองค์กรก่อน")


class BoothNotEmpty(DomainError):
    message = _l("บูธ %(code)s มีองค์กรอยู่ จึงลบไม่ได้ กรุณายกเลิกการจัดสรรหรือย้ายองค์กรก่อน")


class RetypeOccupied(DomainError):
    message = _l("บูธ %(code)s มีองค์กรอยู่ จึงเปลี่ยนเป็นประเภทอื่นไม่ได้ กรุณายกเลิกการจัดสรรก่อน")


class GridSizeInvalid(DomainError):
    message = _l("ขนาดผังต้องอยู่ระหว่าง %(min)d ถึง %(max)d ช่อง")


class GridTooSmall(DomainError):
    message = _l("ผังขนาดนี้เล็กเกินไป บูธ %(codes)s จะอยู่นอกผัง กรุณาย้ายบูธก่อน")


class WrongFair(DomainError):
    message = _l("ประเภทบูธนี้ไม่ใช่ของงานนี้")
    field = "booth_type"


def normalize_code(code: str | None) -> str:
    """The code as stored (upper case, no spaces), or InvalidBoothCode."""
    code = (code or "").strip().upper()
    if not code or len(code) > CODE_MAX or not CODE_RE.match(code):
        raise InvalidBoothCode()
    return code


def code_key(code: str) -> tuple:
    """Order codes as people read them: A2 before A10, then B01."""
    match = re.match(r"^([A-Z]*)([0-9]*)$", code or "")
    if not match:
        return (code, 0)
    return (match.group(1), int(match.group(2) or 0))


def booth_snapshot(booth: Booth) -> dict:
    """The audited fields of a booth."""
    return {"code": booth.code, "zone": booth.zone, "booth_type_id": booth.booth_type_id, "x": booth.x,
            "y": booth.y, "w": booth.w, "h": booth.h, "blocked": bool(booth.blocked),
            "application_id": booth.application_id}


def _audit_booth(action: str, booth: Booth, actor, before: dict | None = None, after: dict | None = None):
    audit.record(f"booth.{action}", actor=actor, fair_id=booth.fair_id, object_type="booths",
                 object_id=booth.id, before=before, after=after)


def _check_place(fair_id: int, setup: BoothSetup, code: str, x: int, y: int, w: int, h: int,
                 exclude_id: int | None = None) -> None:
    """Inside the grid and over no other booth of the fair."""
    if w < 1 or h < 1 or x < 0 or y < 0 or x + w > setup.plan_cols or y + h > setup.plan_rows:
        raise OutsideGrid(code=code, cols=setup.plan_cols, rows=setup.plan_rows)
    query = select(Booth.code).where(Booth.fair_id == fair_id, Booth.x < x + w, Booth.x + Booth.w > x,
                                     Booth.y < y + h, Booth.y + Booth.h > y)
    if exclude_id is not None:
        query = query.where(Booth.id != exclude_id)
    other = db.session.scalars(query.order_by(Booth.code).limit(1)).first()
    if other:
        raise BoothOverlap(code=code, other=other)


def _check_code_free(fair_id: int, code: str, exclude_id: int | None = None) -> None:
    query = select(Booth.id).where(Booth.fair_id == fair_id, Booth.code == code)
    if exclude_id is not None:
        query = query.where(Booth.id != exclude_id)
    if db.session.scalars(query.limit(1)).first() is not None:
        raise BoothCodeTaken(code=code)


def _flush_code(code: str) -> None:
    """Flush; a code taken meanwhile by another request (unique constraint) is BoothCodeTaken.

    The flush runs in a savepoint, so a refusal undoes only this booth's write, not the caller's work.
    """
    try:
        with savepoint():
            db.session.flush()
    except IntegrityError as exc:
        if "code" in str(exc.orig):
            raise BoothCodeTaken(code=code) from exc
        raise


def _lock_plan(fair_id: int) -> None:
    """Serialize changes to one fair's plan (PostgreSQL row lock on the fair): the overlap and grid
    checks read other booths, and no constraint in the database guards the geometry."""
    db.session.execute(select(Fair.id).where(Fair.id == fair_id).with_for_update())


def _lock(booth: Booth) -> Booth:
    """The booth's row, locked (PostgreSQL), so an allocation cannot slip in meanwhile."""
    return db.session.scalars(select(Booth).where(Booth.id == booth.id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def create_booth(fair: Fair, booth_type: BoothType, code: str, zone: str | None, x: int, y: int, w: int,
                 h: int, actor: User) -> Booth:
    """Place a new booth on the fair's plan."""
    if booth_type.fair_id != fair.id:
        raise WrongFair()
    code = normalize_code(code)
    _lock_plan(fair.id)
    setup = BoothSetup.for_fair(fair.id)
    _check_place(fair.id, setup, code, x, y, w, h)
    _check_code_free(fair.id, code)
    booth = Booth(fair_id=fair.id, booth_type_id=booth_type.id, code=code, zone=(zone or "").strip()[:40],
                  x=x, y=y, w=w, h=h, blocked=False)
    db.session.add(booth)
    _flush_code(code)
    _audit_booth("created", booth, actor, after=booth_snapshot(booth))
    return booth


def update_booth(booth: Booth, actor: User, *, code: str | None = None, zone: str | None = None,
                 booth_type: BoothType | None = None, x: int | None = None, y: int | None = None,
                 w: int | None = None, h: int | None = None) -> Booth:
    """Move, resize, recode or retype a booth (None leaves a value as it is)."""
    _lock_plan(booth.fair_id)
    booth = _lock(booth)
    new = {"code": booth.code if code is None else normalize_code(code),
           "zone": booth.zone if zone is None else zone.strip()[:40],
           "booth_type_id": booth.booth_type_id if booth_type is None else booth_type.id,
           "x": booth.x if x is None else x, "y": booth.y if y is None else y,
           "w": booth.w if w is None else w, "h": booth.h if h is None else h}
    if booth_type is not None and booth_type.fair_id != booth.fair_id:
        raise WrongFair()
    if new["booth_type_id"] != booth.booth_type_id and booth.application_id is not None:
        raise RetypeOccupied(code=booth.code)
    setup = BoothSetup.for_fair(booth.fair_id)
    _check_place(booth.fair_id, setup, new["code"], new["x"], new["y"], new["w"], new["h"], exclude_id=booth.id)
    if new["code"] != booth.code:
        _check_code_free(booth.fair_id, new["code"], exclude_id=booth.id)
    before = booth_snapshot(booth)
    for key, value in new.items():
        setattr(booth, key, value)
    if booth_snapshot(booth) == before:
        return booth
    _flush_code(new["code"])
    _audit_booth("changed", booth, actor, before=before, after=booth_snapshot(booth))
    return booth


def set_blocked(booth: Booth, blocked: bool, actor: User) -> Booth:
    """Close a booth (a pillar, the stage's side, a fire exit) or open it again; an occupied booth stays open."""
    booth = _lock(booth)
    if bool(booth.blocked) == bool(blocked):
        return booth
    if blocked and booth.application_id is not None:
        raise BoothOccupied(code=booth.code)
    before = booth_snapshot(booth)
    booth.blocked = bool(blocked)
    db.session.flush()
    _audit_booth("blocked" if blocked else "unblocked", booth, actor, before=before, after=booth_snapshot(booth))
    return booth


def delete_booth(booth: Booth, actor: User) -> None:
    """Remove an empty booth from the plan."""
    booth = _lock(booth)
    if booth.application_id is not None:
        raise BoothNotEmpty(code=booth.code)
    before = booth_snapshot(booth)
    _audit_booth("deleted", booth, actor, before=before)
    db.session.delete(booth)
    db.session.flush()


def _setup_snapshot(setup: BoothSetup) -> dict:
    return {"plan_cols": setup.plan_cols, "plan_rows": setup.plan_rows, "plan_image_key": setup.plan_image_key}


def set_plan_grid(fair: Fair, cols: int, rows: int, actor: User) -> BoothSetup:
    """The plan's size in grid units; every booth must still fit."""
    if not (GRID_MIN <= cols <= GRID_MAX and GRID_MIN <= rows <= GRID_MAX):
        raise GridSizeInvalid(min=GRID_MIN, max=GRID_MAX)
    _lock_plan(fair.id)
    outside = db.session.scalars(select(Booth.code).where(
        Booth.fair_id == fair.id, (Booth.x + Booth.w > cols) | (Booth.y + Booth.h > rows))).all()
    if outside:
        raise GridTooSmall(codes=", ".join(sorted(outside, key=code_key)))
    setup = BoothSetup.for_fair(fair.id)
    before = _setup_snapshot(setup)
    setup.plan_cols, setup.plan_rows = cols, rows
    db.session.add(setup)
    db.session.flush()
    audit.record("booth.plan_grid_changed", actor=actor, fair_id=fair.id, object_type="booth_setups",
                 object_id=fair.id, before=before, after=_setup_snapshot(setup))
    return setup


def set_plan_image(fair: Fair, upload, actor: User) -> BoothSetup:
    """Put an uploaded image under the plan (checked and stored by core.uploads).

    The image it replaces is deleted once the change is committed (a refused or failed request keeps
    it, and deletes the new one: core.transaction).
    """
    try:
        key = accept_image(upload)
    except UploadRefused as error:
        error.field = "image"  # said next to the file field
        raise
    return _set_image_key(fair, key, actor)


def remove_plan_image(fair: Fair, actor: User) -> BoothSetup:
    """No image under the plan any more (the file goes once the change is committed)."""
    return _set_image_key(fair, None, actor)


def _set_image_key(fair: Fair, key: str | None, actor: User) -> BoothSetup:
    _lock_plan(fair.id)
    setup = BoothSetup.for_fair(fair.id)
    before = _setup_snapshot(setup)
    if setup.plan_image_key == key:
        return setup
    delete_after_commit(setup.plan_image_key)
    setup.plan_image_key = key
    db.session.add(setup)
    db.session.flush()
    audit.record("booth.plan_image_changed", actor=actor, fair_id=fair.id, object_type="booth_setups",
                 object_id=fair.id, before=before, after=_setup_snapshot(setup))
    return setup
