"""The service navigation each role sees, and where each role starts."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from agencies.models import Staff
from agencies.roles import PROGRAMME_WIDE_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str


def navigation_for(staff: Staff | None) -> list[NavItem]:
    if staff is None:
        return []
    roles = set(staff.roles)
    items: list[NavItem] = []
    if roles & (PROGRAMME_WIDE_ROLES | {Role.LCG_COORDINATOR}):
        items.append(NavItem("Caseload", "families:overview"))
    if roles - {Role.SYSTEM_ADMINISTRATOR}:
        label = "My families" if roles <= {Role.FAMILY_SUPPORT_WORKER} else "Families"
        items.append(NavItem(label, "families:list"))
    if Role.DATA_PROTECTION_OFFICER in roles:
        items.append(NavItem("User activity", "audit:user-activity"))
        items.append(NavItem("Emergency access", "families:break-glass-review-list"))
    elif roles & {Role.FAMILY_SUPPORT_WORKER, Role.AGENCY_PRACTITIONER, Role.LCG_COORDINATOR}:
        items.append(NavItem("Emergency access", "families:break-glass"))
    if Role.SYSTEM_ADMINISTRATOR in roles:
        items.append(NavItem("Administration", "admin:index"))
    return items


def start_url_for(staff: Staff | None) -> str:
    """Where a role lands after signing in: its first navigation item."""
    items = navigation_for(staff)
    if not items:
        return reverse("account-not-set-up")
    return reverse(items[0].url_name)
