"""Access decorators and the one loader every feature's access.py builds on.

`get_or_404(Model, id, parent)` answers 404 for a row that is missing AND for one that belongs to another
fair, organization, category... (existence is private: never 403 for another's thing). Finer checks are
the features' policies (`can_...` in `<feature>/access.py`), whose results templates receive.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import inspect

from ..extensions import db
from .http import safe_id

__all__ = ["login_required", "signed_in_as", "admin_required", "staff_required", "get_in", "get_or_404"]

T = TypeVar("T")


def _parent_columns(model: type, parent: object, via: str | None) -> list[tuple[str, str]]:
    """(child attribute, parent attribute) pairs of the foreign key from `model` to `parent`'s table."""
    parent_mapper, mapper = inspect(type(parent)), inspect(model)
    tables = set(parent_mapper.tables)
    # `via` names the link: a relationship of `model` (its local columns) or a foreign key column.
    keys = ({c.key for c in mapper.relationships[via].local_columns} if via in mapper.relationships
            else {via} if via else None)
    pairs = []
    for column in mapper.columns:
        for fk in column.foreign_keys:
            if fk.column.table in tables and (keys is None or column.key in keys):
                pairs.append((mapper.get_property_by_column(column).key,
                              parent_mapper.get_property_by_column(fk.column).key))
    if len(pairs) != 1:
        raise TypeError(f"{model.__name__} has {len(pairs)} keys to {type(parent).__name__}; name one with via=")
    return pairs


def get_in(model: type[T], ident, parent: object | None = None, *, via: str | None = None,
           lock: bool = False) -> T | None:
    """The row of `model` with this id (from a URL or a form) when it exists and, given `parent`, is one
    of its children (`via` names the foreign key when there are several); else None. `lock` takes the
    row lock (SELECT ... FOR UPDATE on PostgreSQL) for an operation that changes it."""
    ident = None if isinstance(ident, bool) else safe_id(ident)  # beyond INTEGER: simply not found
    row = db.session.get(model, ident, with_for_update=lock or None) if ident else None
    if row is None:
        return None
    if parent is not None:
        for child_key, parent_key in _parent_columns(model, parent, via):
            if getattr(row, child_key) != getattr(parent, parent_key):
                return None
    return row


def get_or_404(model: type[T], ident, parent: object | None = None, *, via: str | None = None,
               lock: bool = False, status: int = 404) -> T:
    """`get_in`, or abort with `status` (404; 400 where a form's value must name one)."""
    row = get_in(model, ident, parent, via=via, lock=lock)
    if row is None:
        abort(status)
    return row


def signed_in_as(allowed: Callable[[object], bool]):
    """A view for signed-in people whom `allowed(user)` admits: anonymous users go to the login page,
    others get 403 (a role's page is no secret; the things behind it are checked by their loaders)."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


admin_required = signed_in_as(lambda user: user.is_admin)  # signed-in admins only
staff_required = signed_in_as(lambda user: user.is_staff_anywhere)  # admins or fair staff (of any fair)
