"""A claim batch's internal audit and journey (DOMAIN.md 5): a reproducible sample, the
auditor's checklist, no submission before the sample is done, a failed claim leaving
the batch, and an accepted batch moving its families to "claimed"."""

from __future__ import annotations

import datetime

import pytest

from conftest import World
from families.models import Family, FamilyStatusChange
from families.states import FamilyStatus
from oneplan.errors import ApplicationError
from outcomes.claims.audit import (
    audit_sample,
    batch_audit_start,
    batch_outcome_record,
    batch_submit,
    claim_audit_decide,
)
from outcomes.claims.services import claim_batch_create
from outcomes.models import (
    AUDIT_CHECKLIST,
    Claim,
    ClaimAudit,
    ClaimBatch,
    ClaimBatchChange,
    ClaimStatus,
)
from outcomes.results.services import family_attach
from outcomes.tests.test_results_command import tf1_family  # noqa: F401 (fixture)
from plans.tests.test_plan_support import lawful_basis_for

ALL_CONFIRMED = {code: True for code, _ in AUDIT_CHECKLIST}


@pytest.mark.parametrize(
    ("count", "percent", "size"),
    [(25, 10, 3), (10, 10, 1), (1, 10, 1), (40, 0, 0), (7, 100, 7), (0, 10, 0), (200, 10, 20)],
)
def test_the_sample_is_the_share_rounded_up_and_reproducible(
    count: int, percent: int, size: int
) -> None:
    ids = list(range(100, 100 + count))
    first = audit_sample(ids, percent, seed=2026)
    assert len(first) == size
    assert set(first) <= set(ids)
    # The same claims, share and seed: the same sample, whatever order they come in.
    assert audit_sample(list(reversed(ids)), percent, seed=2026) == first


def test_another_seed_draws_another_sample() -> None:
    ids = list(range(1, 201))
    assert audit_sample(ids, 10, seed=1) != audit_sample(ids, 10, seed=2)


def _batch(world: World) -> ClaimBatch:
    family_attach(
        actor=world.programme_manager.user,
        family=world.own_family,
        framework="tf1",
        attached_on=datetime.date(2024, 9, 1),
    )
    return claim_batch_create(
        actor=world.programme_manager.user,
        window_start=datetime.date(2025, 4, 1),
        window_end=datetime.date(2025, 9, 30),
    ).batch


def test_the_batch_is_audited_then_submitted_and_accepted(tf1_family: World) -> None:  # noqa: F811
    manager, auditor = tf1_family.programme_manager.user, tf1_family.auditor.user
    batch = _batch(tf1_family)
    lawful_basis_for(tf1_family)
    Family.objects.filter(pk=tf1_family.own_family.pk).update(status=FamilyStatus.OUTCOMES_MET)

    with pytest.raises(ApplicationError, match="Only a programme manager"):
        batch_audit_start(actor=auditor, batch=batch)
    batch = batch_audit_start(actor=manager, batch=batch, seed=7)
    assert (batch.status, batch.sample_seed) == ("in_audit", 7)
    audit = ClaimAudit.objects.get(claim__batch=batch)
    assert audit.sampled_because == "random"

    with pytest.raises(ApplicationError, match="not finished: 1 sampled claim"):
        batch_submit(actor=manager, batch=batch)
    with pytest.raises(ApplicationError, match="Only an internal auditor"):
        claim_audit_decide(actor=manager, audit=audit, checklist=ALL_CONFIRMED, decision="pass")
    with pytest.raises(ApplicationError, match="not confirmed: Key worker"):
        claim_audit_decide(
            actor=auditor,
            audit=audit,
            checklist={**ALL_CONFIRMED, "key_worker": False},
            decision="pass",
        )
    with pytest.raises(ApplicationError, match="Say what is wrong"):
        claim_audit_decide(actor=auditor, audit=audit, checklist=ALL_CONFIRMED, decision="query")
    claim_audit_decide(
        actor=auditor,
        audit=audit,
        checklist=ALL_CONFIRMED,
        decision="query",
        note="Which job is this?",
    )
    with pytest.raises(ApplicationError, match="not finished"):
        batch_submit(actor=manager, batch=batch)
    claim_audit_decide(actor=auditor, audit=audit, checklist=ALL_CONFIRMED, decision="pass")
    batch = batch_submit(actor=manager, batch=batch)
    assert batch.status == "submitted"

    batch = batch_outcome_record(actor=manager, batch=batch, accepted=True, note="Paid in May")
    assert batch.status == "accepted"
    family = Family.objects.get(pk=tf1_family.own_family.pk)
    assert family.status == FamilyStatus.CLAIMED
    assert (
        FamilyStatusChange.objects.filter(family=family)
        .latest("pk")
        .reason.startswith("Claim accepted")
    )
    assert list(
        ClaimBatchChange.objects.filter(batch=batch).values_list("from_status", "to_status")
    ) == [("draft", "in_audit"), ("in_audit", "submitted"), ("submitted", "accepted")]


def test_a_failed_claim_leaves_the_batch(tf1_family: World) -> None:  # noqa: F811
    manager, auditor = tf1_family.programme_manager.user, tf1_family.auditor.user
    batch = batch_audit_start(actor=manager, batch=_batch(tf1_family), seed=1)
    audit = ClaimAudit.objects.get(claim__batch=batch)
    claim_audit_decide(
        actor=auditor,
        audit=audit,
        checklist={**ALL_CONFIRMED, "outcome_evidence": False},
        decision="fail",
        note="No record of the job from the employer",
    )
    claim = Claim.objects.get(pk=audit.claim_id)
    assert (claim.status, claim.status_reason) == (
        ClaimStatus.REMOVED,
        "Failed internal audit: No record of the job from the employer",
    )
    assert batch_submit(actor=manager, batch=batch).status == "submitted"
    # A batch already submitted cannot be audited again.
    with pytest.raises(ApplicationError, match="is submitted, not draft"):
        batch_audit_start(actor=manager, batch=batch)


def test_payment_and_claw_back_of_an_accepted_batch(tf1_family: World) -> None:  # noqa: F811
    from decimal import Decimal

    from outcomes.claims.audit import batch_payment_record, claim_claw_back

    manager, auditor = tf1_family.programme_manager.user, tf1_family.auditor.user
    batch = batch_audit_start(actor=manager, batch=_batch(tf1_family), seed=5)
    claim = Claim.objects.get(batch=batch)
    with pytest.raises(ApplicationError, match="Only a claim of an accepted batch"):
        claim_claw_back(actor=manager, claim=claim, reason="Too early")
    claim_audit_decide(
        actor=auditor,
        audit=ClaimAudit.objects.get(claim=claim),
        checklist=ALL_CONFIRMED,
        decision="pass",
    )
    batch = batch_submit(actor=manager, batch=batch)
    with pytest.raises(ApplicationError, match="is submitted, not accepted"):
        batch_payment_record(
            actor=manager, batch=batch, amount=Decimal("800"), paid_on=datetime.date.today()
        )
    batch = batch_outcome_record(actor=manager, batch=batch, accepted=True)
    batch = batch_payment_record(
        actor=manager, batch=batch, amount=Decimal("800.00"), paid_on=datetime.date.today()
    )
    assert batch.paid_amount == Decimal("800.00")

    with pytest.raises(ApplicationError, match="Enter why"):
        claim_claw_back(actor=manager, claim=claim, reason=" ")
    with pytest.raises(ApplicationError, match="Only a programme manager"):
        claim_claw_back(actor=auditor, claim=claim, reason="Found invalid")
    clawed = claim_claw_back(actor=manager, claim=claim, reason="The job was a placement")
    assert (clawed.status, clawed.status_reason) == (
        ClaimStatus.CLAWED_BACK,
        "The job was a placement",
    )
    # Clawed back: the family may be claimed again while still valid.
    again = claim_batch_create(
        actor=manager,
        window_start=datetime.date(2025, 4, 1),
        window_end=datetime.date(2025, 9, 30),
    )
    assert again.proposed == 1


def test_an_accepted_batch_holds_a_family_the_journey_cannot_move_yet(
    tf1_family: World,  # noqa: F811
) -> None:
    """No lawful basis for sharing recorded: government's acceptance is recorded all the
    same and the family stays at "outcomes met" (the move is held and logged)."""
    manager, auditor = tf1_family.programme_manager.user, tf1_family.auditor.user
    batch = _batch(tf1_family)
    Family.objects.filter(pk=tf1_family.own_family.pk).update(status=FamilyStatus.OUTCOMES_MET)
    batch = batch_audit_start(actor=manager, batch=batch, seed=7)
    for audit in ClaimAudit.objects.filter(claim__batch=batch):
        claim_audit_decide(actor=auditor, audit=audit, checklist=ALL_CONFIRMED, decision="pass")
    batch = batch_submit(actor=manager, batch=batch)
    batch = batch_outcome_record(actor=manager, batch=batch, accepted=True)
    assert batch.status == "accepted"
    tf1_family.own_family.refresh_from_db()
    assert tf1_family.own_family.status == FamilyStatus.OUTCOMES_MET
