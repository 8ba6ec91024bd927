"""Who may do what with the privacy duties: the DPO's pages are the DPO's (anyone else signed in: 403);
a breach or request that does not exist is 404."""
from __future__ import annotations

from ..core.access import get_or_404, signed_in_as
from .models import Breach, PrivacyRequest


# Signed-in data protection officers only: anonymous users go to the login page, others get 403.
dpo_required = signed_in_as(lambda user: user.is_dpo)


def breach_or_404(breach_id) -> Breach:
    return get_or_404(Breach, breach_id)


def request_or_404(request_id) -> PrivacyRequest:
    return get_or_404(PrivacyRequest, request_id)
