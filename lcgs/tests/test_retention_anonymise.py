"""After anonymisation the canary family's names are found nowhere in the database:
every text, JSON and binary column of every table (history tables, access events and
pghistory's contexts included), read through information_schema with SQL. The counts
reporting and claims need are unchanged."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from agencies.services import system_actor
from audit.models import AccessEvent
from conftest import World
from families.models import Family, HouseholdMembership, Person
from lcgs.retention import services
from lcgs.retention.anonymise import scrub_json
from lcgs.retention.models import AnonymisationRecord, ReviewStatus
from lcgs.retention.rules import RecordClass
from lcgs.tests.retention_support import CANARY_WORDS, canary_build, policies_seeded
from oneplan.jobs import job_run
from outcomes.models import Claim, Evidence, SourcePerson
from plans.models import CaseNote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _periods() -> None:
    # A transactional test run before this one may have emptied the seeded table.
    policies_seeded()


_TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "bytea")


def hits(word: str) -> dict[str, int]:
    """Rows holding ``word`` (any case) in any text, JSON or binary column, per
    table.column, over every table in the database's public schema."""
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_name = c.table_name "
            "AND t.table_schema = c.table_schema "
            "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' "
            "AND c.data_type = ANY(%s)",
            [list(_TEXT_TYPES)],
        )
        columns = cursor.fetchall()
        for table, column, data_type in columns:
            quoted = f'"{table}"."{column}"'
            if data_type == "bytea":
                condition = f"position(convert_to(%s, 'UTF8') in {quoted}) > 0"
                params = [word]
            else:
                condition = f"{quoted}::text ILIKE %s"
                params = [f"%{word}%"]
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE {condition}', params)  # noqa: S608
            count = cursor.fetchone()[0]
            if count:
                found[f"{table}.{column}"] = count
    return found


def _counts() -> dict[str, int]:
    return {
        "families": Family.objects.count(),
        "people": Person.objects.count(),
        "memberships": HouseholdMembership.objects.count(),
        "claims": Claim.objects.count(),
        "evidence": Evidence.objects.count(),
        "notes": CaseNote.objects.count(),
        "access events": AccessEvent.objects.count(),
    }


def test_the_canary_is_found_nowhere_after_anonymisation(world: World) -> None:
    today = timezone.localdate()
    canary = canary_build(world, closed_on=datetime.date(2018, 5, 1))
    claim = Claim.objects.get(family=canary.family)
    old_reference = canary.family.reference
    assert "pghistory_context.metadata" in hits(old_reference)
    before = {word: hits(word) for word in CANARY_WORDS}
    # The test can fail: the names are there, in many tables, history included.
    assert len(before["Quillfeather"]) >= 10, before["Quillfeather"]
    assert any(column.startswith("families_personevent.") for column in before["Quillfeather"])
    assert any(column.startswith("audit_accessevent.") for column in before["Quillfeather"])
    counts = _counts()

    services.retention_reviews_list(actor=system_actor(), today=today)
    batch = services.retention_batch_create(
        actor=world.dpo.user, record_class=RecordClass.CLOSED_CASE, today=today
    )
    batch = services.retention_batch_approve(actor=world.dpo.user, batch=batch)
    assert batch.job is not None
    claimed = (canary.family.pk, claim.amount, claim.status)
    job = job_run(job_id=str(batch.job.pk))

    assert job is not None and job.status == "succeeded", job.errors if job else None
    assert {word: hits(word) for word in CANARY_WORDS} == {word: {} for word in CANARY_WORDS}
    # The old reference (on paper, in emails) leads to nothing either.
    assert hits(old_reference) == {}
    # What reporting and claims count is still there.
    assert _counts() == counts
    claim.refresh_from_db()
    assert (claim.family_id, claim.amount, claim.status) == claimed
    canary.family.refresh_from_db()
    assert canary.family.attached_on == datetime.date(2016, 1, 4)
    assert canary.family.status == "closed"
    canary.child.refresh_from_db()
    assert canary.child.date_of_birth == datetime.date(2010, 7, 1)
    # The family's other listing still shows who was on the list (ids), not the search.
    listing = AccessEvent.objects.get(action="list", detail__families__contains=[canary.family.pk])
    assert listing.detail["families"] == [canary.family.pk, world.own_family.pk]
    # The record of the run: counts, no personal data.
    record = AnonymisationRecord.objects.get()
    assert record.records_done == 1
    assert batch.items.get().status == ReviewStatus.ANONYMISED
    assert "Quillfeather" not in str(record.rows_changed)


def test_a_member_of_a_family_still_worked_with_keeps_their_name(world: World) -> None:
    today = timezone.localdate()
    canary = canary_build(world, closed_on=datetime.date(2018, 5, 1))
    # The parent has since joined another family, which is still being worked with.
    HouseholdMembership.objects.filter(person=canary.parent).update(
        end_date=datetime.date(2025, 6, 1)
    )
    HouseholdMembership.objects.create(
        family=world.own_family, person=canary.parent, role="parent_carer", start_date=today
    )

    services.retention_reviews_list(actor=system_actor(), today=today)
    batch = services.retention_batch_create(
        actor=world.dpo.user, record_class=RecordClass.CLOSED_CASE, today=today
    )
    services.retention_batch_approve(actor=world.dpo.user, batch=batch)
    services.retention_batch_run(actor=world.dpo.user, batch_id=batch.pk, today=today)

    canary.parent.refresh_from_db()
    canary.child.refresh_from_db()
    assert canary.parent.given_name == "Zephyrine"
    assert canary.child.given_name == "Anonymised"


def test_an_unmatched_feed_record_is_deleted_with_its_evidence(world: World) -> None:
    from tests.support.assessment import evidence_add

    today = timezone.localdate()
    person = Person.objects.create(
        given_name="Someone", family_name="Else", date_of_birth=datetime.date(1990, 1, 1)
    )
    evidence = evidence_add(person, "police_offence", "2020-01-01", source_person_id="U1")
    # The agency's record of a person never matched to anyone, last sent over a year ago.
    SourcePerson.objects.filter(pk=evidence.source_id).update(
        person=None,
        given_name="Unmatchedina",
        updated_at=timezone.now() - datetime.timedelta(days=800),
    )
    Evidence.objects.filter(pk=evidence.pk).update(person=None, data={"name": "Unmatchedina"})
    assert hits("Unmatchedina")

    services.retention_reviews_list(actor=system_actor(), today=today)
    batch = services.retention_batch_create(
        actor=world.dpo.user, record_class=RecordClass.UNMATCHED_FEED_RECORD, today=today
    )
    services.retention_batch_approve(actor=world.dpo.user, batch=batch)
    services.retention_batch_run(actor=world.dpo.user, batch_id=batch.pk, today=today)

    assert not SourcePerson.objects.filter(pk=evidence.source_id).exists()
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert batch.items.get().status == ReviewStatus.DELETED
    assert hits("Unmatchedina") == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"q": "Quillfeather", "families": [1, 2]}, {"q": "", "families": [1, 2]}),
        (
            {"met": True, "score": 0.5, "on": "2016-03-17"},
            {"met": True, "score": 0.5, "on": "2016-03-01"},
        ),
        (["2016-02-30", None], ["", None]),
        ("Quillfeather", ""),
    ],
)
def test_json_keeps_keys_numbers_and_months(value: object, expected: object) -> None:
    assert scrub_json(value) == expected
