"""Hooks this area registers when Django starts: the chronology's own sources and the
"Notes and history" section of the family page."""

from __future__ import annotations

import datetime

from django.urls import reverse

from agencies.models import AnyUser, User
from families.access.perms import VIEW, VIEW_RESTRICTED
from families.household.selectors import correction_title, household_corrections_for_user
from families.models import Family
from families.panels import PanelContext, register_family_panel
from plans.models import CaseNote, Plan
from plans.review import selectors
from plans.review.chronology import ChronologyEntry, register_chronology_source

LATEST_NOTES_SHOWN = 3


def notes_panel(user: User, family: Family, permissions: frozenset[str]) -> PanelContext:
    if VIEW not in permissions:
        return None
    notes = CaseNote.objects.filter(family=family).select_related("author", "person")
    if VIEW_RESTRICTED not in permissions:
        notes = notes.filter(is_restricted=False)
    return (
        "plans/review/_family_panel.html",
        {
            "family": family,
            "has_plan": Plan.objects.filter(family=family).exists(),
            "latest_notes": list(notes.order_by("-created_at", "-pk")[:LATEST_NOTES_SHOWN]),
        },
    )


def household_corrections(
    user: AnyUser, family: Family, since: datetime.date | None, until: datetime.date | None
) -> list[ChronologyEntry]:
    """Corrections to the household's records (families.household), with their reasons."""
    return [
        ChronologyEntry(
            kind="household_correction",
            occurred_at=c.created_at,
            title=correction_title(c),
            detail=c.reason,
            who=c.actor.get_full_name() or c.actor.username,
            url=reverse("families:changes", args=[family.reference]),
            is_restricted=c.is_restricted,
        )
        for c in household_corrections_for_user(user, family, since, until)
    ]


def ready() -> None:
    register_chronology_source(
        "plan_change", selectors.chronology_plan_changes, label="Plan changes"
    )
    register_chronology_source("review", selectors.chronology_reviews, label="Reviews")
    register_chronology_source("case_note", selectors.chronology_case_notes, label="Case notes")
    register_chronology_source(
        "status_change", selectors.chronology_status_changes, label="Status changes"
    )
    register_chronology_source("agreement", selectors.chronology_agreements, label="Agreements")
    register_chronology_source(
        "household_correction", household_corrections, label="Household record changes"
    )
    register_family_panel("notes_and_history", 60, notes_panel)
