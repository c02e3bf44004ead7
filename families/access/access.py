"""Who may see and do what with which family: the one access policy (DOMAIN.md 7).

A user sees a family through exactly these routes, each explained on the family's
"Why can I see this family?" page:

- a **grant** in force to them, or to their agency when they do case work there
  (lead professional, lead agency without a named lead, the team around the family,
  break glass); grants are opened and ended by ``families.access.grants``;
- being a **coordinator of the family's LCG** (role-derived: LCG membership);
- a **programme-wide role**: programme manager, internal auditor, senior officer, data
  protection officer.

System administrators manage accounts and see no case data; superuser status bypasses
nothing here. What each grant reason and role allows is in ``families.access.perms``.
Every list and fetch of families goes through ``family_scope``; pages and
API answer 404 for a family outside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from agencies.lcgs.selectors import lcg_ids_coordinated_by
from agencies.models import AnyUser, Staff, User
from agencies.request_user import is_data_protection_officer
from agencies.roles import PROGRAMME_WIDE_ROLES, Role
from families.access.grants import open_grants_q
from families.access.perms import (
    CHANGE,
    MANAGE_TEAM,
    PERMISSIONS_BY_REASON,
    ROLE_PERMISSIONS,
    VIEW_RESTRICTED,
)
from families.grants_models import Grant, GrantReason
from families.models import Family
from oneplan.dates import govuk_date, govuk_datetime

# Roles whose holders do case work and so see what is granted to their agency.
CASE_WORK_ROLES = frozenset({Role.FAMILY_SUPPORT_WORKER, Role.AGENCY_PRACTITIONER})


def staff_for(user: AnyUser) -> Staff | None:
    """The active user's staff profile, or None for anonymous, inactive or unprofiled."""
    if not user.is_authenticated or not user.is_active:
        return None
    assert isinstance(user, User)
    return user.staff_or_none


def _grants_for(staff: Staff) -> Q:
    mine = Q(user_id=staff.user_id)
    if set(staff.roles) & CASE_WORK_ROLES:
        mine |= Q(agency_id=staff.agency_id)
    return mine


def family_scope(user: AnyUser) -> Q:
    """The families ``user`` may see, as a filter (one that matches nothing when none).

    Relational (an EXISTS over grants and a subquery over LCG membership), so lists stay
    fast at any size and never repeat a family.
    """
    staff = staff_for(user)
    if staff is None:
        return Q(pk__in=[])
    roles = set(staff.roles)
    if roles & PROGRAMME_WIDE_ROLES:
        return Q()
    now = timezone.now()
    scope = Q(
        Exists(Grant.objects.filter(open_grants_q(now), _grants_for(staff), family=OuterRef("pk")))
    )
    if Role.LCG_COORDINATOR in roles:
        scope |= Q(lcg_id__in=lcg_ids_coordinated_by(staff.pk))
    return scope


def family_restricted_scope(user: AnyUser) -> Q:
    """Families whose restricted information ``user`` may see, as a filter: the same
    rule as ``can_view_restricted`` (the roles and grant reasons that carry
    ``view_restricted_family``), set-based so a list can use it."""
    staff = staff_for(user)
    if staff is None:
        return Q(pk__in=[])
    roles = set(staff.roles)
    restricted_roles = {r for r, perms in ROLE_PERMISSIONS.items() if VIEW_RESTRICTED in perms}
    if roles & restricted_roles & PROGRAMME_WIDE_ROLES:
        return Q()
    reasons = [r for r, perms in PERMISSIONS_BY_REASON.items() if VIEW_RESTRICTED in perms]
    scope = Q(
        Exists(
            Grant.objects.filter(
                open_grants_q(timezone.now()),
                _grants_for(staff),
                reason__in=reasons,
                family=OuterRef("pk"),
            )
        )
    )
    if Role.LCG_COORDINATOR in roles & restricted_roles:
        scope |= Q(lcg_id__in=lcg_ids_coordinated_by(staff.pk))
    return scope


@dataclass(frozen=True)
class AccessReason:
    """One reason a user can see a family, in words for the "why" page."""

    summary: str
    detail: str
    permissions: frozenset[str]
    grant: Grant | None = None


def access_reasons(user: AnyUser, family: Family) -> list[AccessReason]:
    """Every route by which ``user`` sees ``family``, with what each allows."""
    staff = staff_for(user)
    if staff is None:
        return []
    reasons: list[AccessReason] = []
    for role in (
        Role.PROGRAMME_MANAGER,
        Role.INTERNAL_AUDITOR,
        Role.SENIOR_OFFICER,
        Role.DATA_PROTECTION_OFFICER,
    ):
        if staff.has_role(role):
            reasons.append(
                AccessReason(
                    f"You are a {role.label.lower()}",
                    "Your role covers every family in the programme.",
                    ROLE_PERMISSIONS[role],
                )
            )
    if staff.has_role(Role.LCG_COORDINATOR) and _coordinates(staff, family):
        reasons.append(
            AccessReason(
                f"You coordinate {family.lcg}",
                "Coordinators see every family in their LCG.",
                ROLE_PERMISSIONS[Role.LCG_COORDINATOR],
            )
        )
    grants = (
        Grant.objects.filter(open_grants_q(timezone.now()), _grants_for(staff), family=family)
        .select_related("agency", "created_by")
        .order_by("starts_at")
    )
    for grant in grants:
        who = "You" if grant.user_id == staff.user_id else f"Your agency, {grant.agency}"
        until = f" until {govuk_datetime(grant.ends_at)}" if grant.ends_at else ""
        # A grant resting on a record outside families names it (the LCG meeting).
        about = f"{grant.about}. " if grant.about else ""
        reasons.append(
            AccessReason(
                f"{who}: {GrantReason(grant.reason).label.lower()}",
                f"{about}Granted {govuk_date(grant.starts_at)}{until}.",
                PERMISSIONS_BY_REASON[grant.reason],
                grant,
            )
        )
    return reasons


def family_permissions(user: AnyUser, family: Family) -> frozenset[str]:
    """What ``user`` may do with ``family``: the union over every route of access."""
    allowed: set[str] = set()
    for reason in access_reasons(user, family):
        allowed |= reason.permissions
    return frozenset(allowed)


def can_view_families(user: AnyUser) -> bool:
    """Anyone with a case-working or oversight role; not system administrators alone."""
    staff = staff_for(user)
    return staff is not None and bool(set(staff.roles) - {Role.SYSTEM_ADMINISTRATOR})


def can_change_status(user: AnyUser, family: Family) -> bool:
    """The lead professional, a coordinator of the family's LCG, or a programme manager."""
    return CHANGE in family_permissions(user, family)


def can_view_restricted(user: AnyUser, family: Family) -> bool:
    """Restricted information (protected address, domestic abuse, health, intelligence):
    the lead professional, the LCG's coordinators and the data protection officer."""
    return VIEW_RESTRICTED in family_permissions(user, family)


def can_manage_team(user: AnyUser, family: Family) -> bool:
    """Adding or removing agencies, and recording lawful bases: the lead professional and
    the LCG's coordinators."""
    return MANAGE_TEAM in family_permissions(user, family)


def can_view_family_viewers(user: AnyUser, family: Family) -> bool:
    """ "Who has viewed this family": the data protection officer, and the coordinators of
    the family's LCG (who manage its lead professional's work)."""
    staff = staff_for(user)
    if staff is None:
        return False
    if staff.has_role(Role.DATA_PROTECTION_OFFICER):
        return True
    return staff.has_role(Role.LCG_COORDINATOR) and _coordinates(staff, family)


def can_break_glass(user: AnyUser) -> bool:
    """Case workers and coordinators may open a family outside their scope in an
    emergency, giving a reason; programme-wide roles already see everything."""
    staff = staff_for(user)
    return staff is not None and bool(set(staff.roles) & (CASE_WORK_ROLES | {Role.LCG_COORDINATOR}))


def can_review_break_glass(user: AnyUser) -> bool:
    """The data protection officer reviews every emergency access."""
    return is_data_protection_officer(user)


def can_export_caseload_summary(user: AnyUser) -> bool:
    """Counts without personal data: programme managers and LCG coordinators."""
    staff = staff_for(user)
    return staff is not None and (
        staff.has_role(Role.PROGRAMME_MANAGER) or staff.has_role(Role.LCG_COORDINATOR)
    )


def _coordinates(staff: Staff, family: Family) -> bool:
    if family.lcg_id is None:
        return False
    return staff.lcg_memberships.filter(lcg_id=family.lcg_id, is_coordinator=True).exists()
