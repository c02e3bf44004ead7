"""Set-based assessment: the queue, fingerprints, history, frameworks by attachment date,
constant queries per chunk and the nightly lock. (The Outcome Plan's save and preview
are in test_assessment_outcome_plan_services.py.)"""

from __future__ import annotations

import datetime

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.services import system_actor
from conftest import World
from families.models import Family, Person
from outcomes.assessment import services
from outcomes.assessment.queue import assessment_queue_add
from outcomes.models import Assessment, AssessmentQueue, FrameworkVersion
from tests.factories import FamilyFactory, MembershipFactory
from tests.support.assessment import evidence_add

AS_OF = datetime.date(2025, 8, 15)


def _eligible_family(*, attached_on: datetime.date | None = None) -> Family:
    """A parent on JSA with a mental health need, and a child of 14: eligible under
    tf2 (two problems and a dependent child) and under tf1 only with more."""
    family = FamilyFactory(attached_on=attached_on)
    parent = MembershipFactory(family=family, person__given_name="Alex").person
    child = MembershipFactory(
        family=family,
        person__given_name="Jordan",
        person__date_of_birth=datetime.date(2011, 1, 10),
        role="child",
    ).person
    evidence_add(parent, "benefits", "2024-03-01", benefit="JSA", start_date="2024-03-01")
    evidence_add(parent, "health", "2025-01-01", need="mental_health", engaged=False)
    evidence_add(child, "exclusions", "2025-05-01", exclusion_type="permanent", sessions=0)
    return family


def _current(family: Family) -> Assessment:
    return Assessment.objects.get(family=family, is_current=True)


def test_queue_assesses_queued_families_and_empties_the_queue(world: World) -> None:
    family = _eligible_family()
    assessment_queue_add([family.pk, world.own_family.pk])

    counts = services.assessment_queue_process(actor=system_actor(), as_of=AS_OF)

    assert counts.families == 2
    assert counts.written == 2
    assert not AssessmentQueue.objects.exists()
    assessment = _current(family)
    # Not attached: the framework in force on the assessment date (sf2022 from 2022).
    assert assessment.framework == "sf2022"
    assert assessment.as_of == AS_OF
    assert assessment.criteria["financial_stability"]["met"] is True
    assert assessment.criteria["financial_stability"]["reasons"] == [
        "Alex (40) has been on Jobseeker's Allowance since 1 March 2024"
    ]


@pytest.mark.parametrize(
    ("attached_on", "framework"),
    [(datetime.date(2013, 5, 1), "tf1"), (datetime.date(2016, 5, 1), "tf2"), (None, "sf2022")],
)
def test_family_is_assessed_under_the_framework_in_force_when_attached(
    db: None, attached_on: datetime.date | None, framework: str
) -> None:
    family = _eligible_family(attached_on=attached_on)

    services.assessment_families_run(actor=system_actor(), family_ids=[family.pk], as_of=AS_OF)

    assessment = _current(family)
    assert assessment.framework == framework
    assert assessment.framework_version == FrameworkVersion.objects.get(framework=framework)


def test_unchanged_inputs_write_nothing(db: None) -> None:
    family = _eligible_family()
    services.assessment_families_run(actor=system_actor(), family_ids=[family.pk], as_of=AS_OF)
    before = _current(family)

    counts = services.assessment_families_run(
        actor=system_actor(), family_ids=[family.pk], as_of=AS_OF
    )

    assert (counts.unchanged, counts.written, counts.refreshed) == (1, 0, 0)
    after = _current(family)
    assert (after.pk, after.assessed_at) == (before.pk, before.assessed_at)


def test_a_new_day_with_the_same_result_updates_the_current_row_in_place(db: None) -> None:
    family = _eligible_family()
    services.assessment_families_run(actor=system_actor(), family_ids=[family.pk], as_of=AS_OF)
    before = _current(family)

    counts = services.assessment_families_run(
        actor=system_actor(), family_ids=[family.pk], as_of=AS_OF + datetime.timedelta(days=1)
    )

    assert (counts.refreshed, counts.written) == (1, 0)
    after = _current(family)
    assert after.pk == before.pk
    assert after.as_of == AS_OF + datetime.timedelta(days=1)
    assert after.fingerprint != before.fingerprint
    assert Assessment.objects.filter(family=family).count() == 1


def test_changed_evidence_writes_a_new_result_and_keeps_the_old_one(db: None) -> None:
    family = _eligible_family()
    services.assessment_families_run(actor=system_actor(), family_ids=[family.pk], as_of=AS_OF)
    before = _current(family)
    parent = Person.objects.get(memberships__family=family, given_name="Alex")
    evidence_add(parent, "housing", "2025-06-01", event="eviction")

    counts = services.assessment_families_run(
        actor=system_actor(), family_ids=[family.pk], as_of=AS_OF
    )

    assert counts.written == 1
    after = _current(family)
    assert after.pk != before.pk
    assert after.criteria["housing"]["met"] is True
    before.refresh_from_db()
    assert before.is_current is False
    assert Assessment.objects.filter(family=family).count() == 2


def test_evidence_updated_in_place_changes_the_fingerprint(db: None) -> None:
    family = _eligible_family()
    services.assessment_families_run(actor=system_actor(), family_ids=[family.pk], as_of=AS_OF)
    before = _current(family)
    benefit = family.memberships.get(person__given_name="Alex").person.evidence.get(kind="benefits")
    # A re-sent row: same record, now ended before the assessment date.
    benefit.end_date = datetime.date(2025, 7, 1)
    benefit.data = {**benefit.data, "end_date": "2025-07-01"}
    benefit.save()

    services.assessment_families_run(actor=system_actor(), family_ids=[family.pk], as_of=AS_OF)

    after = _current(family)
    assert after.pk != before.pk
    assert after.criteria["financial_stability"]["met"] is False


def test_evidence_older_than_every_window_is_not_read(db: None) -> None:
    family = _eligible_family()
    services.assessment_families_run(actor=system_actor(), family_ids=[family.pk], as_of=AS_OF)
    before = _current(family)
    parent = Person.objects.get(memberships__family=family, given_name="Alex")
    evidence_add(parent, "housing", "2019-06-01", event="eviction")

    counts = services.assessment_families_run(
        actor=system_actor(), family_ids=[family.pk], as_of=AS_OF
    )

    assert counts.unchanged == 1
    assert _current(family).pk == before.pk


def test_queries_per_chunk_do_not_grow_with_the_number_of_families(db: None) -> None:
    few = [_eligible_family().pk for _ in range(2)]
    many = [_eligible_family().pk for _ in range(8)]
    services.framework_versions_current()  # warm the ORM's content caches

    with CaptureQueriesContext(connection) as small:
        services.assessment_families_run(actor=system_actor(), family_ids=few, as_of=AS_OF)
    with CaptureQueriesContext(connection) as large:
        services.assessment_families_run(actor=system_actor(), family_ids=many, as_of=AS_OF)

    assert len(small) == len(large)


def test_a_second_nightly_run_while_one_holds_the_lock_returns_at_once(db: None) -> None:
    other = psycopg2.connect(
        dbname=connection.settings_dict["NAME"],
        user=settings.DATABASES["default"]["USER"],
        host=settings.DATABASES["default"]["HOST"],
        port=settings.DATABASES["default"]["PORT"],
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, 0)", [services._RUN_ALL_LOCK])

        assert services.assessment_all_run(actor=system_actor(), as_of=AS_OF) is None
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, 0)", [services._RUN_ALL_LOCK])
    finally:
        other.close()

    counts = services.assessment_all_run(actor=system_actor(), as_of=AS_OF)
    assert counts is not None


def test_nightly_run_assesses_every_family(world: World) -> None:
    counts = services.assessment_all_run(actor=system_actor(), as_of=AS_OF)

    assert counts is not None
    assert counts.families == Family.objects.count() == 3
    assert Assessment.objects.filter(is_current=True).count() == 3


@pytest.mark.parametrize(
    ("day", "framework"),
    [
        (datetime.date(2011, 1, 1), "tf1"),
        (datetime.date(2015, 3, 31), "tf1"),
        (datetime.date(2015, 4, 1), "tf2"),
        (datetime.date(2022, 3, 31), "tf2"),
        (datetime.date(2022, 4, 1), "sf2022"),
    ],
)
def test_framework_in_force_on_a_date(db: None, day: datetime.date, framework: str) -> None:
    from outcomes.assessment.selectors import framework_for_date

    assert framework_for_date(day) == framework


def test_frameworks_still_apply_when_their_rows_were_emptied(db: None) -> None:
    from outcomes.assessment.selectors import framework_for_date
    from outcomes.models import FrameworkPeriod

    FrameworkPeriod.objects.all().delete()
    FrameworkVersion.objects.all().delete()
    family = _eligible_family()

    services.assessment_families_run(actor=system_actor(), family_ids=[family.pk], as_of=AS_OF)

    assert framework_for_date(datetime.date(2016, 1, 1)) == "tf2"
    assert _current(family).framework_version.version == 1
    assert FrameworkVersion.objects.count() == 3
