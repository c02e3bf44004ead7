"""What the stable commands (FEEDS.md "Command line") share: reading ``--person
CODE:PERSON_ID`` as the family that agency's person is in, and dates as YYYY-MM-DD."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError

from families.models import Family
from outcomes.assessment.selectors import UnknownPerson, family_for_agency_person


def date_option(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, not {value!r}") from None


def family_of_person(value: str) -> Family:
    """The family the agency's person (``CODE:PERSON_ID``) is in now."""
    code, sep, person_id = str(value).partition(":")
    if not sep or not code or not person_id:
        raise CommandError("--person must be the agency code and person id, like POLICE:12345")
    try:
        family = family_for_agency_person(agency_code=code, source_person_id=person_id)
    except UnknownPerson as exc:
        raise CommandError(str(exc)) from None
    if family is None:
        raise CommandError(f"{code}:{person_id} is not in any family's household")
    return family
