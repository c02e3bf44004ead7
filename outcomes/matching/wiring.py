"""Hooks this area registers when Django starts (job runners, family page panels)."""

from __future__ import annotations

from django.db.models import Count, Q

from agencies.models import User
from families.models import Family, HouseholdMembership
from families.panels import PanelContext, register_family_panel
from outcomes.matching.access import can_review_matches


def family_sources_panel(user: User, family: Family, permissions: frozenset[str]) -> PanelContext:
    """For programme managers: each member and how many agency records name them, with
    the way to the page where a wrong link is undone."""
    if not can_review_matches(user):
        return None
    members = list(
        HouseholdMembership.objects.filter(family=family, end_date__isnull=True)
        .select_related("person")
        .annotate(source_count=Count("person__sources", filter=Q(person__sources__isnull=False)))
        .order_by("person__date_of_birth", "pk")
    )
    return "outcomes/matching/_family_panel.html", {"members": members}


def ready() -> None:
    register_family_panel("matching-sources", 80, family_sources_panel)
