"""LCG membership on the staff pages (``agencies.staff``), registered in ``ready()``.

A coordinator sees every family of the LCGs they belong to (``families.access.access``),
so the system administrator sets memberships where they set roles; the staff pages
reach them through their membership hook (docs/decisions/0014), which keeps the rules of
LCG membership in this area's service.
"""

from __future__ import annotations

from agencies.lcgs.selectors import lcg_choices, lcg_codes_held
from agencies.lcgs.services import lcg_memberships_set
from agencies.roles import Role
from agencies.staff.memberships import MembershipKind, register_staff_membership_kind

LCG_MEMBERSHIPS = MembershipKind(
    name="lcgs",
    label="LCGs",
    hint="The Local Coordination Groups an LCG coordinator works for. They see every "
    "family in these LCGs.",
    choices=lcg_choices,
    held=lcg_codes_held,
    set=lcg_memberships_set,
    role=Role.LCG_COORDINATOR,
    missing_message="Select the LCGs this LCG coordinator works for",
    without_role_message="Select the LCG coordinator role, or no LCGs",
    history_labels={
        ("agencies.LCGMembershipEvent", "insert"): "Added to an LCG",
        ("agencies.LCGMembershipEvent", "delete"): "Removed from an LCG",
    },
)


def register() -> None:
    register_staff_membership_kind(LCG_MEMBERSHIPS)
