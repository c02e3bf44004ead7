"""Reads for allocation: who can lead a family at an agency, and what each already carries.

The caseload of every key worker comes in one query however many there are: the counts
are scalar subqueries, never a query per person.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from agencies.models import Agency, Staff
from agencies.roles import Role
from families.models import Family
from families.states import OPEN_STATES
from plans.models import OPEN_ACTION_STATUSES, Action

# Who may lead a family: those who do case work at their agency. A coordinator or a
# manager sees families by their role, not by leading them.
LEAD_ROLES = frozenset({Role.FAMILY_SUPPORT_WORKER, Role.AGENCY_PRACTITIONER})


@dataclass(frozen=True)
class KeyWorkerCaseload:
    """A member of staff who can lead a family, and the work they carry today."""

    staff: Staff
    # Open families (not closed or left the journey) they are the lead professional of.
    families_led: int
    # Open plan actions (not started, in progress) that name them, in any family.
    open_actions: int
    # Of those, the ones past their due date.
    overdue_actions: int

    @property
    def summary(self) -> str:
        """The caseload in words, for a choice on a form."""
        families = f"{self.families_led} open {'family' if self.families_led == 1 else 'families'}"
        actions = f"{self.open_actions} open {'action' if self.open_actions == 1 else 'actions'}"
        overdue = f", {self.overdue_actions} overdue" if self.overdue_actions else ""
        return f"Leads {families}; {actions}{overdue}"


def _count(queryset: QuerySet[Family] | QuerySet[Action], group: str) -> Coalesce:
    # A scalar subquery per row; order_by() keeps default orderings out of the GROUP BY.
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def key_workers_with_caseload(
    *, agency_ids: Collection[int], today: datetime.date
) -> list[KeyWorkerCaseload]:
    """Everyone at these agencies who can lead a family (an active account with a case
    work role), with their caseload as of ``today``, by agency then surname.

    One query, whatever the number of agencies and people. The counts cover the whole
    programme (numbers only, no family is named), so a coordinator choosing a lead sees
    everything the person carries, not only the families of their own LCG.
    """
    if not agency_ids:
        return []
    open_statuses = [status.value for status in OPEN_STATES]
    open_action_statuses = [status.value for status in OPEN_ACTION_STATUSES]
    led = Family.objects.filter(lead_professional_id=OuterRef("pk"), status__in=open_statuses)
    actions = Action.objects.filter(practitioner_id=OuterRef("pk"), status__in=open_action_statuses)
    rows = (
        Staff.objects.filter(
            agency_id__in=list(agency_ids),
            user__is_active=True,
            roles__overlap=[role.value for role in LEAD_ROLES],
        )
        .select_related("user", "agency")
        .annotate(
            families_led=_count(led, "lead_professional_id"),
            open_actions=_count(actions, "practitioner_id"),
            overdue_actions=_count(actions.filter(due_on__lt=today), "practitioner_id"),
        )
        .order_by("agency__name", "user__last_name", "user__first_name", "pk")
    )
    return [
        KeyWorkerCaseload(
            staff=row,
            families_led=row.families_led,
            open_actions=row.open_actions,
            overdue_actions=row.overdue_actions,
        )
        for row in rows
    ]


def lead_agency_choices() -> QuerySet[Agency]:
    """The agencies a family can be allocated to: every active one, by name."""
    return Agency.objects.filter(is_active=True).order_by("name")


def can_lead(staff: Staff) -> bool:
    """Whether ``staff`` can be a family's lead professional: an active account with a
    case work role (the rule ``key_workers_with_caseload`` lists by)."""
    return staff.user.is_active and bool(set(staff.roles) & LEAD_ROLES)
