"""Seeding a family member with records in many tables, for the subject access tests
(audit/tests/test_subject_access.py), which may not import the case apps themselves
(docs/decisions/0005: the import-linter contract covers audit's tests too)."""

from __future__ import annotations

from django.utils import timezone

from agencies.services import system_actor
from audit.services import access_event_record
from conftest import World
from families.models import Person
from outcomes.models import Evidence, FeedKind, FeedSubmission, FileFormat, SourcePerson
from plans.models import CaseNote
from plans.tests.test_review_support import build_plan
from tests.factories import MembershipFactory, PersonFactory

__all__ = ["CANARY_NOTE", "FAMILY_NOTE", "SIBLING_NOTE", "Person", "seed_person_with_records"]

CANARY_NOTE = "Jordan said school is going better (canary note)"
SIBLING_NOTE = "Sibling-only note: Casey's appointment (must not appear)"
FAMILY_NOTE = "Family meeting note about everyone (family-level)"


def seed_person_with_records(world: World) -> tuple[Person, Person]:
    """Jordan (own_family's member) with a plan, notes, evidence, a match record and
    access events; and a sibling with a note of their own."""
    build_plan(world)
    family = world.own_family
    jordan = family.memberships.get().person
    sibling = PersonFactory(given_name="Casey", family_name=jordan.family_name)
    MembershipFactory(family=family, person=sibling, role="child")
    now = timezone.now()
    author = world.keyworker.user
    CaseNote.objects.create(
        family=family, person=jordan, text=CANARY_NOTE, author=author, created_at=now
    )
    CaseNote.objects.create(
        family=family, person=sibling, text=SIBLING_NOTE, author=author, created_at=now
    )
    CaseNote.objects.create(
        family=family, person=None, text=FAMILY_NOTE, author=author, created_at=now
    )
    source = SourcePerson.objects.create(
        agency=world.police,
        source_person_id="P-77",
        person=jordan,
        given_name=jordan.given_name,
        family_name=jordan.family_name,
        date_of_birth=jordan.date_of_birth,
    )
    submission = FeedSubmission.objects.create(
        agency=world.police,
        kind=FeedKind.ASB,
        extract_date=timezone.localdate(),
        filename="asb.csv",
        file_format=FileFormat.CSV,
        content=b"",
        sha256="0" * 64,
        submitted_by=system_actor(),
        submitted_at=now,
    )
    Evidence.objects.create(
        source=source,
        person=jordan,
        agency=world.police,
        kind=FeedKind.ASB,
        record_id="E-77",
        date=timezone.localdate(),
        data={"intervention": "warning"},
        submission=submission,
        extract_date=timezone.localdate(),
    )
    access_event_record(
        user=world.keyworker.user,
        action="view",
        object_type="family",
        object_id=family.pk,
        family_id=family.pk,
        family_reference=family.reference,
    )
    access_event_record(
        user=world.practitioner.user, action="view", object_type="person", object_id=jordan.pk
    )
    return jordan, sibling
