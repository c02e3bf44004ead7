"""Writes made outside a request (tasks, commands) name their actor in the write history,
as writes from pages name the signed-in user (``audit.history.actor_context``)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.utils import timezone
from pghistory.models import Context

from agencies.services import system_actor
from conftest import World
from families.models import Person
from outcomes.assessment.queue import assessment_queue_add
from outcomes.assessment.tasks import assessment_all_task, assessment_queue_process_task
from plans.plan.services import plan_get_or_create
from tests.support.assessment import evidence_add


def _identified(world: World) -> Person:
    """own_family's adult, out of work, and the family's plan: an assessment adds the
    need it finds to the plan."""
    adult = world.own_family.memberships.select_related("person").get().person
    adult.date_of_birth = datetime.date(1985, 1, 1)
    adult.save()
    start = timezone.localdate() - datetime.timedelta(days=200)
    evidence_add(adult, "benefits", start, benefit="JSA", start_date=start.isoformat())
    plan_get_or_create(actor=world.keyworker.user, family=world.own_family)
    return adult


def _queue_task(world: World) -> None:
    assessment_queue_add([world.own_family.pk])
    assessment_queue_process_task()


def _nightly_task(world: World) -> None:
    assessment_all_task()


def _assess_command(world: World) -> None:
    adult = world.own_family.memberships.get().person
    call_command("assess", "--person", f"TEST-FEEDS:P{adult.pk}", stdout=io.StringIO())


@pytest.mark.parametrize(
    "run",
    [_queue_task, _nightly_task, _assess_command],
    ids=["assessment queue task", "nightly assessment task", "assess command"],
)
def test_writes_outside_a_request_name_their_actor(
    world: World, run: Callable[[World], None]
) -> None:
    _identified(world)
    before = set(Context.objects.values_list("pk", flat=True))

    run(world)

    written = Context.objects.exclude(pk__in=before)
    assert written.exists()
    assert {c.metadata.get("user") for c in written} == {system_actor().pk}
    assert world.own_family.needs.filter(code="financial_stability").exists()


def test_break_glass_expiry_names_the_system_actor(world: World) -> None:
    """The 15-minute task that ends lapsed emergency access is a write like any other."""
    import time_machine

    from families.access.grants import grants_sync
    from families.access.tasks import grants_expire_task
    from families.grants_models import BreakGlassAccess, Grant

    now = timezone.now()
    BreakGlassAccess.objects.create(
        family=world.own_family,
        user=world.other_practitioner.user,
        reason="Police called about a child left alone at the address",
        started_at=now,
        expires_at=now + datetime.timedelta(hours=1),
    )
    grants_sync(actor=world.other_practitioner.user, family_ids=[world.own_family.pk])
    before = set(Context.objects.values_list("pk", flat=True))

    with time_machine.travel(now + datetime.timedelta(hours=2)):
        ended = grants_expire_task()

    written = Context.objects.exclude(pk__in=before)
    assert ended == 1
    assert not Grant.objects.filter(reason="break_glass", ended_at__isnull=True).exists()
    assert written.exists()
    assert {c.metadata.get("user") for c in written} == {system_actor().pk}
