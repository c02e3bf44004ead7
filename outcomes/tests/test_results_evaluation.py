"""The results evaluation (the nightly job): stored, idempotent, resumable by chunk, and
the journey following the results (DOMAIN.md 4.4), on real PostgreSQL."""

from __future__ import annotations

import datetime

import psycopg2
import pytest
from django.db import connection

from agencies.services import system_actor
from conftest import World
from families.models import Family, FamilyStatusChange
from families.states import FamilyStatus
from outcomes.models import EvaluationKind, EvaluationRun, Result, ResultQueue
from outcomes.results import evaluation
from outcomes.results.evaluation import results_all_run, results_families_run
from outcomes.results.services import family_attach
from outcomes.results.tasks import results_all_task
from outcomes.tests.test_results_command import tf1_family  # noqa: F401 (fixture)
from plans.tests.test_plan_support import lawful_basis_for
from tests.support.assessment import evidence_add

ATTACHED = datetime.date(2024, 9, 1)
# R3 met (13 weeks in work from 6 January 2025); and a date before any route.
MET = datetime.date(2025, 9, 1)
NOT_YET = datetime.date(2024, 10, 1)


def _attach(world: World) -> Family:
    family = world.own_family
    family_attach(actor=system_actor(), family=family, framework="tf1", attached_on=ATTACHED)
    return family


def _run(world: World, day: datetime.date) -> evaluation.EvaluationCounts:
    return results_families_run(
        actor=system_actor(), family_ids=[world.own_family.pk, world.other_lcg_family.pk], as_of=day
    )


def test_results_are_stored_once_and_brought_up_to_date_in_place(tf1_family: World) -> None:  # noqa: F811
    family = _attach(tf1_family)
    first = _run(tf1_family, MET)
    # Only the attached family is evaluated.
    assert (first.families, first.written, first.refreshed) == (1, 1, 0)
    stored = Result.objects.get(family=family, is_current=True)
    assert (stored.route, stored.readiness, stored.achieved_on) == (
        "R3",
        "claimable",
        datetime.date(2025, 4, 7),
    )
    assert list(stored.checks) == ["R1", "R2", "R3"]

    # Twice on the same day: nothing written.
    again = _run(tf1_family, MET)
    assert (again.written, again.refreshed) == (0, 0)
    # The next day the same decision: the row is brought up to date, not duplicated.
    later = _run(tf1_family, MET + datetime.timedelta(days=1))
    assert (later.written, later.refreshed) == (0, 1)
    assert Result.objects.filter(family=family).count() == 1
    assert Result.objects.get(family=family).as_of == MET + datetime.timedelta(days=1)

    # A different decision on another date: a new current row, the old one kept.
    earlier = _run(tf1_family, NOT_YET)
    assert earlier.written == 1
    assert Result.objects.filter(family=family).count() == 2
    current = Result.objects.get(family=family, is_current=True)
    assert (current.route, current.readiness) == ("", "not_yet")


def test_the_journey_follows_the_results(tf1_family: World) -> None:  # noqa: F811
    family = _attach(tf1_family)
    lawful_basis_for(tf1_family)
    Family.objects.filter(pk=family.pk).update(status=FamilyStatus.PLAN_ACTIVE)

    moved = _run(tf1_family, MET)
    family.refresh_from_db()
    assert moved.moved == 1
    assert family.status == FamilyStatus.OUTCOMES_MET
    change = FamilyStatusChange.objects.get(family=family)
    assert (change.from_status, change.reason) == ("plan_active", "Results: route R3 met")

    # The route lapses before a claim (judged on a date before it was met): back.
    back = _run(tf1_family, NOT_YET)
    family.refresh_from_db()
    assert back.moved == 1
    assert family.status == FamilyStatus.PLAN_ACTIVE
    assert FamilyStatusChange.objects.filter(family=family).latest("pk").reason == (
        "Results: no longer met before a claim"
    )


def test_a_move_the_journey_refuses_is_held_back_not_forced(tf1_family: World) -> None:  # noqa: F811
    # No lawful basis for sharing: "outcomes met" needs one, so the family stays put.
    family = _attach(tf1_family)
    Family.objects.filter(pk=family.pk).update(status=FamilyStatus.PLAN_ACTIVE)
    counts = _run(tf1_family, MET)
    family.refresh_from_db()
    assert (counts.moved, counts.held) == (0, 1)
    assert family.status == FamilyStatus.PLAN_ACTIVE
    # The results are stored all the same.
    assert Result.objects.get(family=family).route == "R3"


def test_the_nightly_task_evaluates_every_attached_family_once_at_a_time(
    tf1_family: World,  # noqa: F811
) -> None:
    _attach(tf1_family)
    assert results_all_task() == 1
    # Another run holding the lock (another worker): this one returns at once.
    params = connection.get_connection_params()
    other = psycopg2.connect(**params)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, 0)", [evaluation.RUN_ALL_LOCK])
        assert results_all_run(actor=system_actor()) is None
        assert results_all_task() == -1
    finally:
        other.close()
    assert results_all_run(actor=system_actor()) is not None


def test_the_nightly_run_looks_only_at_families_due_or_changed(
    tf1_family: World,  # noqa: F811
) -> None:
    family = _attach(tf1_family)
    actor = system_actor()
    first = results_all_run(actor=actor, as_of=MET)
    assert first is not None and first.families == 1
    stored = Result.objects.get(family=family, is_current=True)
    assert stored.valid_until is not None and stored.valid_until > MET
    run = EvaluationRun.objects.get(kind=EvaluationKind.RESULTS)
    assert run.everyone and run.finished_at is not None and run.counts["queued"] == 1

    # The next night, nothing new and still valid: nobody is evaluated.
    quiet = results_all_run(actor=actor, as_of=MET + datetime.timedelta(days=1))
    assert quiet is not None and quiet.families == 0
    assert EvaluationRun.objects.filter(kind=EvaluationKind.RESULTS).first().counts == {
        "queued": 0,
        "families": 0,
        "written": 0,
        "refreshed": 0,
        "moved": 0,
        "held": 0,
    }

    # New evidence about a member: the family is looked at the next night.
    parent = family.memberships.get().person
    evidence_add(parent, "asb", "2025-08-20", agency_code="POLICE", intervention="abc")
    changed = results_all_run(actor=actor, as_of=MET + datetime.timedelta(days=2))
    assert changed is not None and changed.families == 1

    # The day after the results stop being sure to hold: looked at again without any
    # change.
    stored = Result.objects.get(family=family, is_current=True)
    due_day = stored.valid_until + datetime.timedelta(days=1)  # type: ignore[operator]
    assert results_all_run(actor=actor, as_of=stored.valid_until).families == 0
    due = results_all_run(actor=actor, as_of=due_day)
    assert due is not None and due.families == 1
    assert Result.objects.get(family=family, is_current=True).as_of == due_day


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_one_queue_and_do_nothing_twice(
    tf1_family: World,  # noqa: F811
) -> None:
    _attach(tf1_family)
    family_attach(
        actor=system_actor(),
        family=tf1_family.other_lcg_family,
        framework="tf1",
        attached_on=ATTACHED,
    )
    _, queued = evaluation.results_queue_due(as_of=MET)
    assert queued == 2
    # The first worker holds one family's row (as if half way through its chunk); the
    # second takes only what is left, and the held row is still queued afterwards.
    params = connection.get_connection_params()
    other = psycopg2.connect(**params)
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT family_id FROM outcomes_resultqueue ORDER BY family_id LIMIT 1 "
                "FOR UPDATE SKIP LOCKED"
            )
            (held,) = cursor.fetchone()
        second = evaluation.results_queue_process(actor=system_actor())
        assert second.families == 1
        assert list(ResultQueue.objects.values_list("family_id", flat=True)) == [held]
        assert not Result.objects.filter(family_id=held).exists()
        # The run stays open while a worker still holds part of the queue.
        assert EvaluationRun.objects.get().finished_at is None
    finally:
        other.rollback()
        other.close()
    # The first worker died: its row went back to the queue; the next worker takes it.
    third = evaluation.results_queue_process(actor=system_actor())
    assert third.families == 1
    assert Result.objects.filter(is_current=True).count() == 2
    assert Result.objects.count() == 2
    run = EvaluationRun.objects.get()
    assert run.finished_at is not None and run.counts["families"] == 2


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_on_a_real_worker_twice_has_one_effect(
    tf1_family: World,  # noqa: F811
    celery_worker_thread: None,
) -> None:
    """The beat's task sent to a real worker (which also takes the helper tasks it asks
    for): every attached family's results stored once; sent again, nothing is due."""
    import threading

    from outcomes.results.tasks import results_all_task as task

    def finished_runs(count: int) -> list[EvaluationRun]:
        # The worker is another thread: wait (at most 30 s) for its runs to finish.
        poll = threading.Event()
        for _ in range(600):
            runs = list(
                EvaluationRun.objects.filter(
                    kind=EvaluationKind.RESULTS, finished_at__isnull=False
                ).order_by("started_at")
            )
            if len(runs) >= count:
                return runs
            poll.wait(0.05)
        raise AssertionError(f"{count} finished run(s) expected")

    _attach(tf1_family)
    task.delay()
    first = finished_runs(1)
    assert first[0].counts["queued"] == 1 and first[0].counts["written"] == 1
    assert Result.objects.filter(is_current=True).count() == 1
    task.delay()
    runs = finished_runs(2)
    assert [r.counts["queued"] for r in runs] == [1, 0]
    assert Result.objects.count() == 1
    assert not ResultQueue.objects.exists()
