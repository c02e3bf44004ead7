"""Who makes evaluation extracts and who reads their log (DOMAIN.md 2 and 7).

One policy, ``extract_permissions``, answers both questions, so the pages, the API and
the job ask the same thing:

- programme managers make extracts for evaluation partners and download them
  (DOMAIN.md 2: "evaluation extracts" are theirs);
- the data protection officer reads the log of every extract made (who, when, for
  whom, with which fields and key), but does not make or download them;
- everyone else: neither.
"""

from __future__ import annotations

from dataclasses import dataclass

from agencies.models import AnyUser
from agencies.roles import Role
from families.access.access import staff_for

MAKE_DENIED = "Only programme managers make and download evaluation extracts"
LOG_DENIED = "Only programme managers and the data protection officer see evaluation extracts"
MAKE_RULE = "programme managers"
LOG_RULE = "programme managers and data protection officers (read-only)"


@dataclass(frozen=True)
class ExtractPermissions:
    make: bool
    see_log: bool


def extract_permissions(user: AnyUser) -> ExtractPermissions:
    """What ``user`` may do with evaluation extracts (the rule above)."""
    staff = staff_for(user)
    if staff is None:
        return ExtractPermissions(make=False, see_log=False)
    make = staff.has_role(Role.PROGRAMME_MANAGER)
    return ExtractPermissions(
        make=make, see_log=make or staff.has_role(Role.DATA_PROTECTION_OFFICER)
    )


def can_make_extracts(user: AnyUser) -> bool:
    return extract_permissions(user).make


def can_see_extract_log(user: AnyUser) -> bool:
    return extract_permissions(user).see_log
