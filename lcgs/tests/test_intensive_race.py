"""Two acceptances at once cannot overbook a provider: two database sessions each accept
a different family for the provider's last place; exactly one wins, the other is told
the places are taken and its family stays on the waiting list."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from conftest import build_world
from families.models import Family, Track
from lcgs.intensive import services
from lcgs.intensive.models import IntensiveNomination
from lcgs.intensive.models import IntensiveNominationStatus as St
from lcgs.tests.intensive_support import intensive, screened
from oneplan.errors import ApplicationError

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Each call in its own thread (so its own database connection), released together."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, Any]] = [("", None)] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", call())
        except ApplicationError as exc:
            outcomes[index] = ("refused", exc)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_acceptances_at_once_for_the_last_place_accept_one() -> None:
    world = build_world()
    i = intensive(world, contracted=1)
    second_family = screened(world)
    nominations = [
        services.intensive_nominate(
            actor=world.coordinator.user, family=family, provider=i.provider, reason="Needs it"
        )
        for family in (i.family, second_family)
    ]

    outcomes = _race(
        *[
            (
                lambda n=n: services.intensive_nomination_accept(
                    actor=i.provider_worker.user, nomination=n, lead_professional=None
                )
            )
            for n in nominations
        ]
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    refused = next(error for kind, error in outcomes if kind == "refused")
    assert "All 1 of Intensive Family Support's places" in refused.message
    assert IntensiveNomination.objects.filter(status=St.ACCEPTED).count() == 1
    assert IntensiveNomination.objects.filter(status=St.WAITING).count() == 1
    assert Family.objects.filter(track=Track.INTENSIVE).count() == 1


def test_two_coordinators_nominating_one_family_at_once_make_one_nomination() -> None:
    world = build_world()
    i = intensive(world)

    outcomes = _race(
        lambda: services.intensive_nominate(
            actor=world.coordinator.user, family=i.family, provider=i.provider, reason="One"
        ),
        lambda: services.intensive_nominate(
            actor=world.programme_manager.user,
            family=i.family,
            provider=i.other_provider,
            reason="Two",
        ),
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert IntensiveNomination.objects.filter(family=i.family, status=St.WAITING).count() == 1
