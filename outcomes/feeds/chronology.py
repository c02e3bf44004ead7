"""Agency evidence in the family's chronology (``plans.review.chronology``)."""

from __future__ import annotations

import datetime

from agencies.models import AnyUser
from families.models import Family, HouseholdMembership
from outcomes.models import Evidence, FeedKind
from plans.review.chronology import ChronologyEntry, start_of_day

# The chronology is a working view, not an export: the newest entries are what matter,
# and a family with years of attendance returns would otherwise swamp the page.
LIMIT = 500


def _summary(evidence: Evidence) -> str:
    data = evidence.data
    if evidence.kind == FeedKind.SCHOOL_ATTENDANCE:
        possible = data.get("possible_sessions") or 0
        missed = data.get("unauthorised_absence_sessions") or 0
        share = f"{100 * missed / possible:.1f}%" if possible else "no sessions"
        term = f"{data.get('term', '').capitalize()} {data.get('academic_year', '')}"
        return f"{term}: {share} unauthorised absence"
    for key in (
        "outcome",
        "intervention",
        "category",
        "benefit",
        "status",
        "event",
        "need",
        "role",
        "exclusion_type",
    ):
        if data.get(key):
            return str(data[key]).replace("_", " ")
    return ""


def evidence_entries(
    user: AnyUser, family: Family, since: datetime.date | None, until: datetime.date | None
) -> list[ChronologyEntry]:
    """New agency records about anyone who has lived in the family's household. The
    caller has checked that ``user`` may see the family; restricted kinds are marked so
    the chronology hides them from those without the restricted-information rule."""
    people = HouseholdMembership.objects.filter(family=family).values("person_id")
    rows = Evidence.objects.filter(person_id__in=people).select_related("agency", "person")
    if since is not None:
        rows = rows.filter(date__gte=since)
    if until is not None:
        rows = rows.filter(date__lte=until)
    entries = []
    for evidence in rows.order_by("-date", "-pk")[:LIMIT]:
        person = evidence.person
        entries.append(
            ChronologyEntry(
                kind="evidence",
                occurred_at=start_of_day(evidence.date),
                title=f"{evidence.get_kind_display()}: {person.full_name if person else ''}",
                detail=_summary(evidence),
                who=evidence.agency.name,
                is_restricted=evidence.is_restricted,
                date_only=True,
            )
        )
    return entries
