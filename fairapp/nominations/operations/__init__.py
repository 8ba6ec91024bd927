"""Nomination rules, one module per sub-resource: nominating and narratives (`nominate`), evidence
(`evidence`), the staff's eligibility review (`review`), award categories (`categories`); the errors
(`errors`) and what they share (`common`: the row lock, the edit rule, history and mail).

Operations take objects and the actor, take the row locks they need, flush but never commit, write
audit entries (and history events), queue mail and file deletions, and raise named errors. The
request's unit of work (core.transaction) commits once. Views that want to warn early ask the
`*_problem` functions, which return the error an operation would raise, or None.
"""
from .categories import category_defaults, category_problems, create_category, snapshot, update_category
from .common import edit_problem, lock, lock_category
from .errors import *  # noqa: F401,F403  (the named errors: ops.NotEditable, ops.WindowClosed, ...)
from .errors import __all__ as _errors
from .evidence import (MAX_NOMINATION_BYTES, Usage, add_evidence, evidence_problem, max_nomination_bytes,
                       remove_evidence, usage)
from .nominate import (LIVE, check_eligible, create_nomination, delete_nomination, delete_problem, may_nominate,
                       may_nominate_others, may_nominate_self, missing_parts, nominate_problem, save_and_submit,
                       save_narratives, submit_nomination, submit_problem)
from .publication import set_photo_public, set_public_sections
from .review import (DECISIONS, decide, decision_problem, mark_eligible, mark_ineligible,
                     return_for_correction)

__all__ = [
    "category_defaults", "category_problems", "create_category", "snapshot", "update_category",
    "edit_problem", "lock", "lock_category",
    "MAX_NOMINATION_BYTES", "Usage", "add_evidence", "evidence_problem", "max_nomination_bytes",
    "remove_evidence", "usage",
    "LIVE", "check_eligible", "create_nomination", "delete_nomination", "delete_problem", "may_nominate",
    "may_nominate_others", "may_nominate_self", "missing_parts", "nominate_problem", "save_and_submit",
    "save_narratives", "submit_nomination", "submit_problem",
    "set_photo_public", "set_public_sections",
    "DECISIONS", "decide", "decision_problem", "mark_eligible", "mark_ineligible", "return_for_correction",
]
__all__ += _errors
