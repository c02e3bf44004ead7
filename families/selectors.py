"""Reads about families. Each takes the viewing user and returns only what they may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.http import Http404

from agencies.models import AnyUser
from families.access.access import family_scope
from families.models import (
    Family,
    FamilyStatusChange,
    HouseholdMembership,
    LeadAssignment,
    MemberRole,
)
from families.states import FamilyStatus


def _main_carer_name() -> Subquery:
    # The first current parent or carer names the family in lists.
    carers = (
        HouseholdMembership.objects.filter(
            family=OuterRef("pk"), end_date__isnull=True, role=MemberRole.PARENT_CARER
        )
        .order_by("start_date", "pk")
        .annotate(name=Concat("person__given_name", Value(" "), "person__family_name"))
        .values("name")[:1]
    )
    return Subquery(carers)


def family_list_for_user(
    user: AnyUser,
    *,
    status: str = "",
    lcg_id: int | None = None,
    unassigned: bool = False,
    query: str = "",
) -> QuerySet[Family]:
    """The families ``user`` may see, filtered, with what a list row shows.

    One query whatever the page size: names and counts are annotations, not lookups
    per row.
    """
    families = Family.objects.filter(family_scope(user))
    if status:
        families = families.filter(status=status)
    if unassigned:
        families = families.filter(lcg__isnull=True)
    elif lcg_id is not None:
        families = families.filter(lcg_id=lcg_id)
    if query:
        term = query.strip()
        families = families.filter(
            Q(reference__iexact=term)
            | Q(
                pk__in=HouseholdMembership.objects.filter(person__family_name__iexact=term).values(
                    "family_id"
                )
            )
        )
    return (
        families.select_related("lcg", "lead_agency", "lead_professional__user")
        .annotate(
            main_carer=_main_carer_name(),
            member_count=Count(
                "memberships", filter=Q(memberships__end_date__isnull=True), distinct=True
            ),
        )
        .order_by("reference")
    )


def family_get_for_user_or_404(user: AnyUser, reference: str) -> Family:
    """The family with this reference if ``user`` may see it; otherwise 404.

    "Missing" and "not yours" answer the same, so nobody learns a family exists.
    """
    family = (
        Family.objects.filter(family_scope(user), reference=reference)
        .select_related("lcg", "address", "lead_agency", "lead_professional__user")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=HouseholdMembership.objects.select_related("person").order_by(
                    "end_date", "role", "person__date_of_birth"
                ),
            ),
            Prefetch(
                "status_changes",
                queryset=FamilyStatusChange.objects.select_related("actor"),
            ),
            Prefetch(
                "lead_assignments",
                queryset=LeadAssignment.objects.select_related(
                    "lead_agency", "lead_professional__user", "actor"
                ),
            ),
        )
        .first()
    )
    if family is None:
        raise Http404("No family found")
    return family


def family_visible_to(user: AnyUser, family: Family) -> bool:
    """Whether ``user`` may (still) see ``family``: after closing a case its lead
    professional no longer does."""
    return Family.objects.filter(family_scope(user), pk=family.pk).exists()


@dataclass(frozen=True)
class CaseloadRow:
    lcg_id: int | None
    lcg_name: str
    counts: dict[str, int]
    total: int

    @property
    def cells(self) -> list[tuple[FamilyStatus, int]]:
        """Counts in journey order, for a table row."""
        return [(status, self.counts[status.value]) for status in FamilyStatus]


def caseload_summary_for_user(user: AnyUser) -> list[CaseloadRow]:
    """Families in scope counted by LCG and status, in one grouped query."""
    grouped = (
        Family.objects.filter(family_scope(user))
        .values("lcg_id", "lcg__name", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows: dict[int | None, CaseloadRow] = {}
    for item in grouped:
        key = item["lcg_id"]
        row = rows.get(key)
        if row is None:
            row = CaseloadRow(
                lcg_id=key,
                lcg_name=item["lcg__name"] or "Unassigned (outside every LCG)",
                counts={status.value: 0 for status in FamilyStatus},
                total=0,
            )
        counts = dict(row.counts)
        counts[item["status"]] = item["n"]
        rows[key] = CaseloadRow(row.lcg_id, row.lcg_name, counts, row.total + item["n"])
    # Named LCGs alphabetically, the unassigned list last.
    return sorted(rows.values(), key=lambda r: (r.lcg_id is None, r.lcg_name))
