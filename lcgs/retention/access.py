"""Who works on retention (DOMAIN.md 2 and 7): the data protection officer only.

The DPO sets the retention periods, places and lifts legal holds, reviews the records
due and approves their anonymisation. Programme managers configure the programme's
rules, but how long personal data is kept is a data protection decision, so they do not
change the periods (docs/decisions/0018). Everyone else is refused.
"""

from __future__ import annotations

from agencies.models import AnyUser
from agencies.request_user import is_data_protection_officer
from agencies.services import SYSTEM_USERNAME

DENIED = "Only the data protection officer works on retention"
# The routes' access rule, in words (oneplan.access_rules).
RULE = "data protection officers"


def can_manage_retention(user: AnyUser) -> bool:
    """The data protection officer sees the records due for review, the legal holds and
    the retention periods, changes them, and approves anonymisation. Nobody else."""
    return is_data_protection_officer(user)


def can_list_reviews(user: AnyUser) -> bool:
    """The nightly listing runs as the system; a DPO may run it too (the same service)."""
    return getattr(user, "username", None) == SYSTEM_USERNAME or can_manage_retention(user)
