"""Booth rules: applying, review with capacity and a waiting list, offers, allocation, check-in, settings.

Operations take objects and the actor, flush but never commit (the request's unit of work commits once),
take the row locks they need, write audit entries, queue mail and file deletions, and raise the named
errors of `errors`. Capacity is guarded by locking the booth type's row (SELECT ... FOR UPDATE on
PostgreSQL; on SQLite a POST holds the write lock from its start), so neither concurrent approvals nor a
concurrent capacity change ever leave more places held than the capacity.

  applications  save (draft or submitted), submit, withdraw, accept / decline an offer; what a page may offer
  decisions     approve / waitlist / reject, several at once in order, move to another booth type
  waitlist      offers of freed places, and their expiry
  allocation    booths on the plan: allocate, unallocate, swap
  checkin       reading a scan, resolving it, checking in once
  settings      booth types (capacity under the type's lock) and the fair's booth settings
The floor plan's geometry is `booths.plan_ops`.
"""
from ...core.errors import DomainError  # noqa: F401
from ..queries import live_applications, places_held, remaining_by_type  # noqa: F401
from .allocation import allocate_booth, swap_booths, unallocate_booth  # noqa: F401
from .applications import (accept_offer, apply_problem, decline_offer, edit_problem, may_answer_offer,  # noqa: F401
                           may_submit, may_withdraw, missing_parts, save_application, submit_application,
                           withdraw_application)
from .checkin import CheckIn, Scan, check_in, normalize_code, read_scan, record_scan, resolve  # noqa: F401
from .decisions import (ACTIONS, Decided, approve_application, decide_many, decision_order,  # noqa: F401
                        move_to_type, reject_application, waitlist_application)
from .errors import *  # noqa: F401,F403
from .settings import create_booth_type, update_booth_setup, update_booth_type  # noqa: F401
from .support import EDITABLE, FIELDS, TYPE_EDITABLE  # noqa: F401
from .waitlist import expire_offers, offer_next  # noqa: F401
