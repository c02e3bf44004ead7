"""Retention's services: the nightly listing (idempotent, stopped by legal holds),
batches, the run checking holds again, and refusals that change nothing."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from agencies.services import system_actor
from conftest import World
from families.states import FamilyStatus
from lcgs.retention import services
from lcgs.retention.models import (
    AnonymisationRecord,
    BatchStatus,
    LegalHold,
    RetentionBatch,
    RetentionPolicy,
    RetentionReview,
    ReviewStatus,
)
from lcgs.retention.rules import RecordClass
from lcgs.tests.retention_support import family_ended, policies_seeded
from oneplan.errors import ApplicationError
from oneplan.jobs import job_run

pytestmark = pytest.mark.django_db


def _reviews() -> list[tuple[object, ...]]:
    return sorted(
        RetentionReview.objects.values_list(
            "record_class", "family_id", "source_person_id", "due_on", "status"
        )
    )


@pytest.fixture(autouse=True)
def _periods() -> None:
    # A transactional test run before this one may have emptied the seeded table.
    policies_seeded()


def test_the_migration_seeds_the_periods_as_examples() -> None:
    seeding = importlib.import_module("lcgs.migrations.0011_retention_policy_examples")
    RetentionPolicy.objects.all().delete()

    seeding.seed(apps, None)

    assert sorted(
        RetentionPolicy.objects.values_list("record_class", "years", "action", "is_example")
    ) == [
        ("closed_case", 6, "anonymise", True),
        ("not_taken_on", 2, "anonymise", True),
        ("unmatched_feed_record", 1, "delete", True),
    ]


def test_listing_finds_due_records_and_running_twice_adds_nothing(world: World) -> None:
    today = timezone.localdate()
    old = family_ended(world, closed_on=datetime.date(2018, 5, 1))
    recent = family_ended(world, closed_on=today - datetime.timedelta(days=30))
    never = family_ended(
        world,
        closed_on=datetime.date(2019, 2, 1),
        attached_on=None,
        identified_on=datetime.date(2019, 1, 1),
        status=FamilyStatus.DECLINED,
    )

    first = services.retention_reviews_list(actor=system_actor(), today=today)
    rows = _reviews()
    second = services.retention_reviews_list(actor=system_actor(), today=today)

    assert (first.listed, second.listed) == (2, 0)
    assert _reviews() == rows
    assert rows == sorted(
        [
            ("closed_case", old.pk, None, datetime.date(2024, 5, 1), "due"),
            ("not_taken_on", never.pk, None, datetime.date(2021, 1, 1), "due"),
        ]
    )
    assert not RetentionReview.objects.filter(family=recent).exists()


def test_a_legal_hold_stops_the_listing(world: World) -> None:
    today = timezone.localdate()
    held = family_ended(world, closed_on=datetime.date(2018, 5, 1))
    free = family_ended(world, closed_on=datetime.date(2018, 5, 1))
    services.legal_hold_place(actor=world.dpo.user, family=held, reason="Claim against the council")

    services.retention_reviews_list(actor=system_actor(), today=today)

    assert list(RetentionReview.objects.values_list("family_id", flat=True)) == [free.pk]


def test_a_hold_on_a_member_holds_the_family(world: World) -> None:
    today = timezone.localdate()
    family = family_ended(world, closed_on=datetime.date(2018, 5, 1))
    person = family.memberships.get().person
    services.legal_hold_place(actor=world.dpo.user, person=person, reason="Court order")

    services.retention_reviews_list(actor=system_actor(), today=today)

    assert not RetentionReview.objects.exists()


def test_a_lifted_hold_lets_the_family_be_listed_again(world: World) -> None:
    today = timezone.localdate()
    family = family_ended(world, closed_on=datetime.date(2018, 5, 1))
    services.retention_reviews_list(actor=system_actor(), today=today)
    hold = services.legal_hold_place(actor=world.dpo.user, family=family, reason="Claim")
    assert RetentionReview.objects.get().status == ReviewStatus.HELD

    services.legal_hold_lift(actor=world.dpo.user, hold=hold, reason="Claim settled")
    services.retention_reviews_list(actor=system_actor(), today=today)

    assert RetentionReview.objects.get().status == ReviewStatus.DUE


def test_a_hold_placed_after_approval_skips_the_family_when_the_batch_runs(world: World) -> None:
    today = timezone.localdate()
    kept = family_ended(world, closed_on=datetime.date(2018, 5, 1))
    gone = family_ended(world, closed_on=datetime.date(2018, 6, 1))
    services.retention_reviews_list(actor=system_actor(), today=today)
    batch = services.retention_batch_create(
        actor=world.dpo.user, record_class=RecordClass.CLOSED_CASE, today=today
    )
    batch = services.retention_batch_approve(actor=world.dpo.user, batch=batch)
    services.legal_hold_place(actor=world.dpo.user, family=kept, reason="Claim issued today")
    kept_name = kept.memberships.get().person.given_name

    assert batch.job is not None
    job_run(job_id=str(batch.job.pk))

    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert dict(batch.items.values_list("family_id", "status")) == {
        kept.pk: ReviewStatus.HELD,
        gone.pk: ReviewStatus.ANONYMISED,
    }
    assert kept.memberships.get().person.given_name == kept_name
    assert gone.memberships.get().person.given_name == "Anonymised"
    record = AnonymisationRecord.objects.get()
    assert (record.records_done, record.records_held, record.approved_by) == (1, 1, world.dpo.user)
    assert record.rows_changed["families.Person"] == 1


def test_running_a_finished_batch_again_does_nothing(world: World) -> None:
    today = timezone.localdate()
    family_ended(world, closed_on=datetime.date(2018, 5, 1))
    services.retention_reviews_list(actor=system_actor(), today=today)
    batch = services.retention_batch_create(
        actor=world.dpo.user, record_class=RecordClass.CLOSED_CASE, today=today
    )
    services.retention_batch_approve(actor=world.dpo.user, batch=batch)
    services.retention_batch_run(actor=world.dpo.user, batch_id=batch.pk, today=today)

    again = services.retention_batch_run(actor=world.dpo.user, batch_id=batch.pk, today=today)

    assert (again.done, again.record) == (0, None)
    assert AnonymisationRecord.objects.count() == 1


def test_an_anonymised_family_is_not_due_again_when_its_period_changes(world: World) -> None:
    today = timezone.localdate()
    family_ended(world, closed_on=datetime.date(2018, 5, 1))
    services.retention_reviews_list(actor=system_actor(), today=today)
    batch = services.retention_batch_create(
        actor=world.dpo.user, record_class=RecordClass.CLOSED_CASE, today=today
    )
    services.retention_batch_approve(actor=world.dpo.user, batch=batch)
    services.retention_batch_run(actor=world.dpo.user, batch_id=batch.pk, today=today)
    policy = RetentionPolicy.objects.get(record_class="closed_case")
    # A shorter period gives the family a new due date: it was anonymised already.
    services.retention_policy_change(
        actor=world.dpo.user, policy=policy, years=policy.years - 1, action="anonymise", source=""
    )

    again = services.retention_reviews_list(actor=system_actor(), today=today)

    assert (again.listed, again.reopened) == (0, 0)


def test_an_excluded_record_is_kept(world: World) -> None:
    today = timezone.localdate()
    family = family_ended(world, closed_on=datetime.date(2018, 5, 1))
    family_ended(world, closed_on=datetime.date(2018, 5, 2))
    services.retention_reviews_list(actor=system_actor(), today=today)
    batch = services.retention_batch_create(
        actor=world.dpo.user, record_class=RecordClass.CLOSED_CASE, today=today
    )
    review = batch.items.get(family=family)
    name = family.memberships.get().person.given_name

    services.retention_review_exclude(actor=world.dpo.user, review=review, reason="Open complaint")
    services.retention_batch_approve(actor=world.dpo.user, batch=batch)
    services.retention_batch_run(actor=world.dpo.user, batch_id=batch.pk, today=today)

    review.refresh_from_db()
    assert review.status == ReviewStatus.EXCLUDED
    assert family.memberships.get().person.given_name == name


def test_families_are_not_deleted(world: World) -> None:
    policy = RetentionPolicy.objects.get(record_class="closed_case")
    with pytest.raises(ApplicationError, match="anonymised, not deleted"):
        services.retention_policy_change(
            actor=world.dpo.user, policy=policy, years=6, action="delete", source=""
        )


def test_changing_a_period_confirms_it(world: World) -> None:
    policy = RetentionPolicy.objects.get(record_class="closed_case")
    services.retention_policy_change(
        actor=world.dpo.user, policy=policy, years=7, action="anonymise", source="Schedule line 14"
    )
    policy.refresh_from_db()
    assert (policy.years, policy.is_example, policy.source) == (7, False, "Schedule line 14")


@pytest.mark.parametrize(
    "persona", ["programme_manager", "coordinator", "keyworker", "sysadmin", "auditor"]
)
def test_only_the_dpo_works_on_retention_and_a_refusal_changes_nothing(
    world: World, persona: str
) -> None:
    today = timezone.localdate()
    family = family_ended(world, closed_on=datetime.date(2018, 5, 1))
    services.retention_reviews_list(actor=system_actor(), today=today)
    actor = getattr(world, persona).user
    policy = RetentionPolicy.objects.get(record_class="closed_case")
    before = (_reviews(), LegalHold.objects.count(), RetentionBatch.objects.count(), policy.years)

    with pytest.raises(PermissionDenied):
        services.legal_hold_place(actor=actor, family=family, reason="x")
    with pytest.raises(PermissionDenied):
        services.retention_batch_create(actor=actor, record_class="closed_case", today=today)
    with pytest.raises(PermissionDenied):
        services.retention_policy_change(
            actor=actor, policy=policy, years=1, action="anonymise", source=""
        )
    with pytest.raises(PermissionDenied):
        services.retention_reviews_list(actor=actor, today=today)

    policy.refresh_from_db()
    assert (
        _reviews(),
        LegalHold.objects.count(),
        RetentionBatch.objects.count(),
        policy.years,
    ) == before


def test_the_nightly_task_is_scheduled_and_running_it_twice_adds_nothing(world: World) -> None:
    from lcgs.retention.tasks import retention_reviews_list_task
    from oneplan.celery import app

    family_ended(world, closed_on=datetime.date(2018, 5, 1))

    first = retention_reviews_list_task.apply().get()
    rows = _reviews()
    second = retention_reviews_list_task.apply().get()

    assert (
        app.conf.beat_schedule["retention-reviews-list"]["task"] == retention_reviews_list_task.name
    )
    assert (first["listed"], second["listed"]) == (1, 0)
    assert _reviews() == rows
