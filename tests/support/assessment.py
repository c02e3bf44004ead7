"""Test helpers: evidence rows in the database as an import would leave them."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from agencies.models import Agency, AgencyKind
from agencies.services import system_actor
from families.models import Person
from outcomes.models import RESTRICTED_FEED_KINDS, Evidence, FeedSubmission, SourcePerson

_records = itertools.count(1)


def _day(value: str | datetime.date) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def evidence_add(
    person: Person,
    kind: str,
    day: str | datetime.date,
    end: str | datetime.date | None = None,
    *,
    agency_code: str = "TEST-FEEDS",
    source_person_id: str | None = None,
    **data: Any,
) -> Evidence:
    """One evidence row about ``person``, with the agency, source person and submission
    it needs; restricted when its kind is (FEEDS.md)."""
    agency, _ = Agency.objects.get_or_create(
        code=agency_code, defaults={"name": f"{agency_code} agency", "kind": AgencyKind.OTHER}
    )
    source, _ = SourcePerson.objects.get_or_create(
        agency=agency,
        source_person_id=source_person_id or f"P{person.pk}",
        defaults={
            "person": person,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth,
            "match_method": "source_id",
        },
    )
    today = timezone.localdate()
    submission = FeedSubmission.objects.create(
        agency=agency,
        kind=kind,
        extract_date=today,
        filename=f"{kind}.csv",
        file_format="csv",
        content=b"",
        sha256="0" * 64,
        submitted_by=system_actor(),
        submitted_at=timezone.now(),
        status="imported",
    )
    return Evidence.objects.create(
        source=source,
        person=person,
        agency=agency,
        kind=kind,
        record_id=f"R{next(_records)}",
        date=_day(day),
        end_date=_day(end) if end is not None else None,
        data=data,
        is_restricted=kind in RESTRICTED_FEED_KINDS,
        submission=submission,
        extract_date=today,
    )
