"""No lost updates under real concurrency: two database sessions, both starting from
the same version, save at the same moment. Exactly one wins; the other is told."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from conftest import build_world
from plans.models import Action, Plan, PlanVersion
from plans.plan import services
from plans.tests.test_plan_support import started_plan

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*saves: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Run each save in its own thread (so its own database connection), released
    together; return ("ok", result) or ("conflict", error) per save, in order."""
    barrier = threading.Barrier(len(saves))
    outcomes: list[tuple[str, Any]] = [("", None)] * len(saves)

    def run(index: int, save: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", save())
        except services.PlanConflict as exc:
            outcomes[index] = ("conflict", exc)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(saves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_sessions_saving_the_same_action_version_lose_nothing() -> None:
    world = build_world()
    setup = started_plan(world)
    action = Action.objects.get(pk=setup.police_action.pk)
    version_before = Plan.objects.get(pk=setup.plan.pk).version

    outcomes = _race(
        lambda: services.action_update(
            actor=world.keyworker.user,
            action=action,
            expected_version=action.version,
            description="Key worker's wording",
        ),
        lambda: services.action_update(
            actor=world.coordinator.user,
            action=action,
            expected_version=action.version,
            description="Coordinator's wording",
        ),
    )

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["conflict", "ok"], outcomes
    winner = next(result for kind, result in outcomes if kind == "ok")
    loser = next(result for kind, result in outcomes if kind == "conflict")
    saved = Action.objects.get(pk=action.pk)
    assert saved.description == winner.description
    assert saved.version == action.version + 1
    assert loser.changed_by == saved.updated_by
    # One saved change, so exactly one new version of the plan.
    assert Plan.objects.get(pk=setup.plan.pk).version == version_before + 1
    assert PlanVersion.objects.filter(plan=setup.plan).count() == version_before + 1


def test_two_sessions_saving_the_voice_from_the_same_version_lose_nothing() -> None:
    world = build_world()
    setup = started_plan(world)
    started_from = Plan.objects.get(pk=setup.plan.pk).version

    def save(actor_staff: Any, words: str) -> Callable[[], Plan]:
        return lambda: services.plan_voice_update(
            actor=actor_staff.user,
            plan=setup.plan,
            expected_version=started_from,
            working_well=words,
            worries="",
            family_wants="",
        )

    outcomes = _race(save(world.keyworker, "First words"), save(world.coordinator, "Other words"))

    assert sorted(kind for kind, _ in outcomes) == ["conflict", "ok"], outcomes
    winner = next(result for kind, result in outcomes if kind == "ok")
    assert Plan.objects.get(pk=setup.plan.pk).working_well == winner.working_well
