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
    """The service navigation for a member of staff's roles; the first item is where
    they start after signing in."""
    if staff is None:
        return []
    roles = set(staff.roles)
    case_work = roles & {Role.FAMILY_SUPPORT_WORKER, Role.AGENCY_PRACTITIONER}
    items: list[NavItem] = []
    if Role.FAMILY_SUPPORT_WORKER in roles:
        items.append(NavItem("My families", "plans:my-families"))
    if case_work:
        items.append(NavItem("My actions", "plans:my-actions"))
    if roles & {Role.LCG_COORDINATOR, Role.PROGRAMME_MANAGER}:
        # The LCG's workplace: the dashboard links to the list, meetings, intensive
        # support and the LCG grants.
        items.append(NavItem("Caseload", "lcgs:caseload-dashboard"))
    elif roles & PROGRAMME_WIDE_ROLES:
        items.append(NavItem("Caseload", "families:overview"))
    if roles & {Role.LCG_COORDINATOR, Role.PROGRAMME_MANAGER}:
        items.append(NavItem("Screening", "lcgs:screening-list"))
    if Role.LCG_COORDINATOR in roles and Role.FAMILY_SUPPORT_WORKER not in roles:
        # Short: a coordinator's seven items fit one line of the 960px page.
        items.append(NavItem("Needs attention", "plans:my-families"))
    if roles - {Role.SYSTEM_ADMINISTRATOR}:
        items.append(NavItem("Families", "families:list"))
        items.append(NavItem("Search", "families:search"))
    if case_work or Role.LCG_COORDINATOR in roles:
        items.append(NavItem("Nominations", "lcgs:nomination-list"))
    if Role.PROGRAMME_MANAGER in roles:
        # Short labels: a programme manager's nine items fit one line of the 960px page.
        items.append(NavItem("Feeds", "outcomes:feed-list"))
        items.append(NavItem("Matches", "outcomes:match-review-list"))
        items.append(NavItem("Outcome Plan", "outcomes:outcome-plan"))
    if roles & {Role.PROGRAMME_MANAGER, Role.INTERNAL_AUDITOR, Role.SENIOR_OFFICER}:
        items.append(NavItem("Claims", "outcomes:claim-batches"))
        # The programme dashboard links money, costs avoided and the returns.
        items.append(NavItem("Reporting", "outcomes:programme-dashboard"))
    if Role.DATA_PROTECTION_OFFICER in roles:
        # The two used every week; the rest are on the data protection page.
        items.append(NavItem("Subject access", "audit:subject-access"))
        items.append(NavItem("Retention", "lcgs:retention"))
        items.append(NavItem("Data protection", "data-protection"))
    elif case_work or Role.LCG_COORDINATOR in roles:
        items.append(NavItem("Emergency access", "families:break-glass"))
    if Role.SYSTEM_ADMINISTRATOR in roles:
        items.append(NavItem("Staff", "staff:list"))
        # The Django admin keeps reference data only: agencies and LCGs.
        items.append(NavItem("Reference data", "admin:index"))
    return items


def start_url_for(staff: Staff | None) -> str:
    """Where a role lands after signing in: its first navigation item."""
    items = navigation_for(staff)
    if not items:
        return reverse("account-not-set-up")
    return reverse(items[0].url_name)
