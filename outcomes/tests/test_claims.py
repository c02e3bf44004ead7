"""Claim batches (DOMAIN.md 5): every claimable family proposed once per programme, each
with a frozen evidence snapshot and its SHA-256, replayable after the live rules and data
change; removal with a reason; two programme managers at once never claim a family
twice. On real PostgreSQL."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from conftest import World
from oneplan.errors import ApplicationError
from outcomes.claims import services
from outcomes.claims.services import claim_batch_create, claim_remove, claim_replay
from outcomes.frameworks.snapshots import snapshot_hash
from outcomes.models import Claim, ClaimBatch, ClaimStatus, Evidence
from outcomes.results.services import family_attach, results_compute
from outcomes.tests.test_results_command import tf1_family  # noqa: F401 (fixture)

START, END = datetime.date(2025, 4, 1), datetime.date(2025, 9, 30)


def _attached(world: World) -> None:
    family_attach(
        actor=world.programme_manager.user,
        family=world.own_family,
        framework="tf1",
        attached_on=datetime.date(2024, 9, 1),
    )


def test_a_batch_proposes_each_claimable_family_with_its_snapshot(tf1_family: World) -> None:  # noqa: F811
    _attached(tf1_family)
    made = claim_batch_create(
        actor=tf1_family.programme_manager.user, window_start=START, window_end=END
    )
    assert (made.proposed, made.taken) == (1, 0)
    claim = Claim.objects.get(batch=made.batch)
    assert (claim.family_id, claim.framework, claim.route) == (
        tf1_family.own_family.pk,
        "tf1",
        "R3",
    )
    assert claim.amount == Decimal("800.00")
    # Claimable from the day 13 weeks in work were reached.
    assert claim.claim_date == datetime.date(2025, 4, 7)
    snapshot = claim.snapshot
    assert (snapshot["framework"], snapshot["attached_on"], snapshot["as_of"]) == (
        "tf1",
        "2024-09-01",
        "2025-09-30",
    )
    assert snapshot["decision"]["route"] == "R3"
    assert {e["kind"] for e in snapshot["evidence"]} >= {"benefits", "employment", "asb"}
    assert snapshot["entry"]["eligible"] is True
    assert claim.snapshot_sha256 == snapshot_hash(snapshot)

    # Claimed once: the next batch does not propose it again.
    again = claim_batch_create(
        actor=tf1_family.programme_manager.user, window_start=START, window_end=END
    )
    assert again.proposed == 0


def test_only_a_programme_manager_makes_a_batch(tf1_family: World) -> None:  # noqa: F811
    _attached(tf1_family)
    for persona in ("keyworker", "coordinator", "auditor", "dpo"):
        with pytest.raises(ApplicationError, match="Only a programme manager"):
            claim_batch_create(
                actor=getattr(tf1_family, persona).user, window_start=START, window_end=END
            )
    assert not ClaimBatch.objects.exists()
    with pytest.raises(ApplicationError, match="must end on or after"):
        claim_batch_create(
            actor=tf1_family.programme_manager.user, window_start=END, window_end=START
        )
    assert not ClaimBatch.objects.exists()


def test_the_replay_reproduces_the_frozen_decision_after_rules_and_data_change(
    tf1_family: World,  # noqa: F811
) -> None:
    _attached(tf1_family)
    made = claim_batch_create(
        actor=tf1_family.programme_manager.user, window_start=START, window_end=END
    )
    claim = Claim.objects.get(batch=made.batch)
    assert claim_replay(claim).same

    # The live rules change (R3 now needs a year in work) and the job's record is deleted:
    # today's results differ, the claim's replay does not.
    version = claim.framework_version
    version.parameters = {
        **version.parameters,
        "results": {"r3": {"kind": "continuous_employment", "weeks": 52, "weeks_after_jsa": 52}},
    }
    version.save(update_fields=["parameters"])
    Evidence.objects.filter(kind="employment").delete()
    live = results_compute(family=tf1_family.own_family, as_of=END)
    assert live.results.route != "R3"
    replay = claim_replay(Claim.objects.get(pk=claim.pk))
    assert replay.same
    assert replay.replayed["route"] == "R3"

    # A snapshot changed after the claim is refused.
    Claim.objects.filter(pk=claim.pk).update(snapshot={**claim.snapshot, "as_of": "2026-01-01"})
    with pytest.raises(ApplicationError, match="SHA-256 does not match"):
        claim_replay(Claim.objects.get(pk=claim.pk))


def test_removing_a_family_needs_a_reason_and_frees_it_for_another_batch(
    tf1_family: World,  # noqa: F811
) -> None:
    _attached(tf1_family)
    manager = tf1_family.programme_manager.user
    made = claim_batch_create(actor=manager, window_start=START, window_end=END)
    claim = Claim.objects.get(batch=made.batch)
    with pytest.raises(ApplicationError, match="Enter why"):
        claim_remove(actor=manager, claim=claim, reason="  ")
    with pytest.raises(ApplicationError, match="Only a programme manager"):
        claim_remove(actor=tf1_family.keyworker.user, claim=claim, reason="Not ready")
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.PROPOSED

    removed = claim_remove(actor=manager, claim=claim, reason="Evidence still being checked")
    assert (removed.status, removed.status_reason) == (
        ClaimStatus.REMOVED,
        "Evidence still being checked",
    )
    assert claim_batch_create(actor=manager, window_start=START, window_end=END).proposed == 1


@pytest.mark.django_db(transaction=True)
def test_two_managers_at_once_claim_a_family_once(
    tf1_family: World,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _attached(tf1_family)
    manager = tf1_family.programme_manager.user
    start = threading.Barrier(2)
    # Both have found the family claimable (and unclaimed) before either writes its claim.
    computed = threading.Barrier(2, timeout=30)
    compute = services.results_compute_many

    def in_step(*args: Any, **kwargs: Any) -> object:
        found = compute(*args, **kwargs)
        computed.wait()
        return found

    monkeypatch.setattr(services, "results_compute_many", in_step)
    made: list[int] = []
    taken: list[int] = []
    errors: list[Exception] = []

    def create() -> None:
        try:
            start.wait()
            batch = claim_batch_create(actor=manager, window_start=START, window_end=END)
            made.append(batch.proposed)
            taken.append(batch.taken)
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(made) == [0, 1]
    # Both saw the family unclaimed and tried: the database refused the second claim.
    assert sorted(taken) == [0, 1]
    assert Claim.objects.filter(status=ClaimStatus.PROPOSED).count() == 1
    assert ClaimBatch.objects.count() == 2


def test_a_batch_that_fails_half_way_leaves_nothing(
    tf1_family: World,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _attached(tf1_family)

    def broken(*args: object, **kwargs: object) -> Claim:
        raise ApplicationError("Framework version 1 cannot be used to claim: no payment")

    monkeypatch.setattr(services, "_claim_from", broken)
    with pytest.raises(ApplicationError, match="cannot be used to claim"):
        claim_batch_create(
            actor=tf1_family.programme_manager.user, window_start=START, window_end=END
        )
    assert not ClaimBatch.objects.exists()
    assert not Claim.objects.exists()
