"""Who may handle subject access requests: the one rule every page, API route, job and
download of this area asks (docs/subject-access.md)."""

from __future__ import annotations

from agencies.models import AnyUser
from agencies.request_user import is_data_protection_officer

DENIED = "Only the data protection officer can handle subject access requests"
# The routes' access rule, in words (oneplan.access_rules).
RULE = "data protection officers only (403 for everyone else)"


def can_handle_subject_access(user: AnyUser) -> bool:
    """Only the data protection officer records, assembles, redacts and sends subject
    access responses. A response gathers everything held about a person from every
    family they belonged to, so no case role (however wide its view of families) and no
    administrator may use it."""
    return is_data_protection_officer(user)
