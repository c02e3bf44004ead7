"""Reads of staff administration: the list of staff, one member of staff, their history.

Each takes the viewing user and gives nothing to anyone but a system administrator.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.http import Http404
from django.utils import timezone
from pghistory.models import Events

from agencies.models import AccountSetUpLink, AnyUser, Staff, User
from agencies.roles import Role
from agencies.services import ACCOUNT_CHANGE, ACCOUNT_CHANGE_WHY
from agencies.staff.access import can_administer_staff
from agencies.staff.memberships import MembershipKind, staff_membership_kinds


class AccountStatus(models.TextChoices):
    # Invited: the account exists, its holder has not chosen a password yet.
    INVITED = "invited", "Invited"
    ACTIVE = "active", "Active"
    DEACTIVATED = "deactivated", "Deactivated"


def _with_status(staff: models.QuerySet[Staff]) -> models.QuerySet[Staff]:
    return staff.annotate(
        account_status=Case(
            When(user__is_active=False, then=Value(AccountStatus.DEACTIVATED.value)),
            When(
                Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX) | Q(user__password=""),
                then=Value(AccountStatus.INVITED.value),
            ),
            default=Value(AccountStatus.ACTIVE.value),
            output_field=models.CharField(),
        ),
        has_authenticator_app=Exists(
            Authenticator.objects.filter(user_id=OuterRef("user_id"), type=Authenticator.Type.TOTP)
        ),
    )


def staff_list_for_admin(
    viewer: AnyUser,
    *,
    agency: str = "",
    role: str = "",
    status: str = "",
    name: str = "",
) -> models.QuerySet[Staff]:
    """Every member of staff, for a system administrator (nothing for anyone else),
    by agency and then name, narrowed by agency code, role, account status and a part of
    their name or username."""
    if not can_administer_staff(viewer):
        return Staff.objects.none()
    staff = _with_status(Staff.objects.select_related("user", "agency"))
    if agency:
        staff = staff.filter(agency__code=agency)
    if role:
        staff = staff.filter(roles__contains=[role])
    if status:
        staff = staff.filter(**{"account_status": status})  # an annotation: see _with_status
    for word in name.split():
        staff = staff.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__username__icontains=word)
        )
    return staff.order_by("agency__name", "user__last_name", "user__first_name", "pk")


def staff_get_for_admin_or_404(viewer: AnyUser, staff_id: int) -> Staff:
    """One member of staff, with their status; 404 if there is none (or the viewer is not
    a system administrator, though the pages refuse those with 403 first)."""
    found = staff_list_for_admin(viewer).filter(pk=staff_id).first()
    if found is None:
        raise Http404("No member of staff found")
    return found


def staff_memberships(staff: Sequence[Staff]) -> dict[int, dict[str, list[str]]]:
    """For each member of staff, the codes they hold of each membership kind (LCGs):
    {staff id: {kind name: [code]}}, one query per kind."""
    ids = [member.pk for member in staff]
    held: dict[int, dict[str, list[str]]] = {pk: {} for pk in ids}
    for kind in staff_membership_kinds():
        for staff_id, codes in kind.held(ids).items():
            held[staff_id][kind.name] = codes
    return held


@dataclass(frozen=True)
class MembershipSummary:
    kind: MembershipKind
    names: list[str]


def staff_membership_summary(staff: Staff) -> list[MembershipSummary]:
    """The groups (LCGs) a member of staff belongs to, by name, for their page."""
    held = staff_memberships([staff])[staff.pk]
    summary = []
    for kind in staff_membership_kinds():
        names = dict(kind.choices())
        summary.append(
            MembershipSummary(kind, [names.get(code, code) for code in held.get(kind.name, [])])
        )
    return summary


@dataclass(frozen=True)
class SetUpLinkState:
    created_at: datetime.datetime
    expires_at: datetime.datetime
    expired: bool


def set_up_link_state(staff: Staff) -> SetUpLinkState | None:
    """The latest set-up link of someone invited, if it has not been used or replaced."""
    link = (
        AccountSetUpLink.objects.filter(user_id=staff.user_id, used_at__isnull=True)
        .filter(ended_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if link is None:
        return None
    return SetUpLinkState(link.created_at, link.expires_at, link.expires_at <= timezone.now())


@dataclass(frozen=True)
class HistoryRow:
    at: datetime.datetime
    what: str
    by: str
    why: str


# What each change recorded in the account's history is called on its page.
_CHANGES = {
    "invite": "Invited",
    "change": "Details changed",
    "deactivate": "Deactivated",
    "mfa_reset": "Two-step verification reset",
    "set_up_link": "New set-up link made",
    "set_up": "Password set with the set-up link",
    "sign_out_everywhere": "Signed out everywhere",
}
_EVENTS = {
    ("agencies.UserEvent", "update"): "Account changed",
    ("agencies.StaffEvent", "update"): "Staff profile changed",
    ("agencies.AuthenticatorEvent", "insert"): "Two-step verification set up",
    ("agencies.AuthenticatorEvent", "delete"): "Two-step verification removed",
}


def staff_history_for_admin(viewer: AnyUser, staff: Staff, *, limit: int = 50) -> list[HistoryRow]:
    """The latest changes to a member of staff's account, profile, authenticator app,
    memberships and set-up links, newest first, with who made each and why. A change
    writes several rows of history in one context (an invitation: the account, the
    profile, the memberships, the link); it is one row here."""
    if not can_administer_staff(viewer):
        return []
    labels = dict(_EVENTS)
    for kind in staff_membership_kinds():
        labels.update(kind.history_labels)
    events = [
        *Events.objects.references(staff.user).order_by("-pgh_created_at")[: limit * 4],
        *Events.objects.references(staff).order_by("-pgh_created_at")[: limit * 4],
    ]
    events.sort(key=lambda event: event.pgh_created_at, reverse=True)
    found: list[tuple[datetime.datetime, str, int | str, str]] = []
    seen: set[object] = set()
    for event in events:
        data = event.pgh_data or {}
        # A set-up link this person made for someone else names them as its maker.
        if event.pgh_model == "agencies.AccountSetUpLinkEvent" and (
            data.get("user_id") != staff.user_id
        ):
            continue
        key = event.pgh_context_id or (event.pgh_model, event.pgh_obj_id, event.pgh_label)
        if key in seen:
            continue
        metadata: dict[str, Any] = event.pgh_context if isinstance(event.pgh_context, dict) else {}
        what = _CHANGES.get(str(metadata.get(ACCOUNT_CHANGE, "")))
        what = what or labels.get((event.pgh_model, event.pgh_label))
        if what is None and event.pgh_model == "agencies.UserEvent" and event.pgh_label == "insert":
            what = "Account created"
        if what is None:
            continue
        seen.add(key)
        # Who: a user's id, or words when no user was recorded for the change.
        by: int | str = metadata.get("user") or "OnePlan" if metadata else "Not recorded"
        why = str(metadata.get(ACCOUNT_CHANGE_WHY) or "")
        found.append((event.pgh_created_at, what, by, why))
        if len(found) >= limit:
            break
    actor_ids = {by for _, _, by, _ in found if isinstance(by, int)}
    names = {
        user.pk: user.get_full_name() or user.username
        for user in User.objects.filter(pk__in=actor_ids)
    }
    return [
        HistoryRow(at=at, what=what, by=names.get(by, "") if isinstance(by, int) else by, why=why)
        for at, what, by, why in found
    ]


def role_label(value: str) -> str:
    return str(dict(Role.choices).get(value, value))
