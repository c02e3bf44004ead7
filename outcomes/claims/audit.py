"""A claim batch's journey and its internal audit (DOMAIN.md 5).

draft -> in audit -> submitted -> accepted / rejected, each change logged
(``ClaimBatchChange``). Starting the audit draws its sample: a reproducible random share
of the batch's claims (the seed is recorded, so the same seed gives the same sample) plus
every claim on "equivalent progress" and every claim resting on an outcome a
practitioner recorded. The auditor answers the
checklist for each sampled claim against its snapshot and passes, queries or fails it; a
failed claim leaves the batch. The batch is submitted only when every sampled claim is
passed or failed. An accepted batch moves its families to "claimed" (DOMAIN.md 4.4).
"""

from __future__ import annotations

import logging
import math
import random
import secrets
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from agencies.models import User
from audit.history import records_actor
from families.services import family_transition
from families.states import FamilyStatus
from oneplan.errors import ApplicationError
from oneplan.reasons import reason_checked
from outcomes.claims.access import can_audit_claims, can_make_claims
from outcomes.models import (
    AUDIT_CHECKLIST,
    AuditDecision,
    Claim,
    ClaimAudit,
    ClaimBatch,
    ClaimBatchChange,
    ClaimBatchStatus,
    ClaimKind,
    ClaimStatus,
    SampledBecause,
)

NOTE_MAX = 2000
B = ClaimBatchStatus

logger = logging.getLogger(__name__)


def _require(allowed: bool, what: str) -> None:
    if not allowed:
        raise ApplicationError(f"Only {what}")


def _move(actor: User, batch: ClaimBatch, to: ClaimBatchStatus, note: str = "") -> None:
    ClaimBatchChange.objects.create(
        batch=batch,
        from_status=batch.status,
        to_status=to,
        note=note,
        actor=actor,
        created_at=timezone.now(),
    )
    batch.status = to
    batch.save(update_fields=["status"])


def _locked(batch: ClaimBatch, expected: ClaimBatchStatus) -> ClaimBatch:
    locked = ClaimBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != expected:
        raise ApplicationError(
            f"The batch is {locked.get_status_display().lower()}, not "
            f"{ClaimBatchStatus(expected).label.lower()}"
        )
    return locked


def audit_sample(claim_ids: list[int], percent: int, seed: int) -> list[int]:
    """The random part of the sample: ``percent``% of the claims (rounded up, at least
    one of a non-empty batch when the share is above 0), drawn with ``seed`` from the
    claims in id order. The same ids, share and seed always give the same sample."""
    ordered = sorted(claim_ids)
    if not ordered or percent <= 0:
        return []
    size = min(len(ordered), math.ceil(len(ordered) * percent / 100))
    # Reproducible on purpose (the seed is recorded): not for secrets.
    return sorted(random.Random(seed).sample(ordered, size))  # noqa: S311


def _rests_on_recorded(claim: Claim) -> bool:
    return bool(claim.snapshot.get("programme", {}).get("recorded"))


def always_sampled_because(claim: Claim) -> SampledBecause | None:
    """Why a claim is in the sample whatever the random draw, or None: every claim on
    "equivalent progress" (DOMAIN.md 5), and every claim resting on an outcome a
    practitioner recorded (DOMAIN.md 4.3); equivalent progress is named first."""
    if claim.kind == ClaimKind.EQUIVALENT:
        return SampledBecause.EQUIVALENT
    if _rests_on_recorded(claim):
        return SampledBecause.RECORDED
    return None


@records_actor
@transaction.atomic
def batch_audit_start(*, actor: User, batch: ClaimBatch, seed: int | None = None) -> ClaimBatch:
    """Send a draft batch to internal audit, drawing its sample (``seed``: recorded;
    a new random one when not given)."""
    _require(can_make_claims(actor), "a programme manager can send a batch to audit")
    locked = _locked(batch, B.DRAFT)
    claims = list(Claim.objects.filter(batch=locked, status=ClaimStatus.PROPOSED))
    if not claims:
        raise ApplicationError("The batch has no claims to audit")
    locked.sample_seed = seed if seed is not None else secrets.randbits(62)
    locked.save(update_fields=["sample_seed"])
    sampled = set(audit_sample([c.pk for c in claims], locked.sample_percent, locked.sample_seed))
    always = {claim.pk: always_sampled_because(claim) for claim in claims}
    ClaimAudit.objects.bulk_create(
        (
            ClaimAudit(claim=claim, sampled_because=always[claim.pk] or SampledBecause.RANDOM)
            for claim in claims
            if claim.pk in sampled or always[claim.pk] is not None
            # A claim sampled already (a batch sent back to audit) keeps its audit.
        ),
        ignore_conflicts=True,
    )
    _move(
        actor, locked, B.IN_AUDIT, f"Sample of {locked.sample_percent}%, seed {locked.sample_seed}"
    )
    return locked


@records_actor
@transaction.atomic
def claim_audit_decide(
    *,
    actor: User,
    audit: ClaimAudit,
    checklist: Mapping[str, bool],
    decision: str,
    note: str = "",
) -> ClaimAudit:
    """The auditor's checklist and decision on one sampled claim. Passing needs every
    checklist item confirmed; a query or a failure needs a note. A failed claim leaves
    the batch."""
    _require(can_audit_claims(actor), "an internal auditor can decide on a sampled claim")
    locked = ClaimAudit.objects.select_for_update().select_related("claim__batch").get(pk=audit.pk)
    if locked.claim.batch.status != B.IN_AUDIT:
        raise ApplicationError("The batch is not in internal audit")
    items = [code for code, _ in AUDIT_CHECKLIST]
    if set(checklist) != set(items):
        raise ApplicationError("Answer every question of the checklist", field="checklist")
    if decision not in AuditDecision.values:
        raise ApplicationError("Choose pass, query or fail", field="decision")
    note = note.strip()
    if decision == AuditDecision.PASS and not all(checklist[i] for i in items):
        unconfirmed = [label for code, label in AUDIT_CHECKLIST if not checklist[code]]
        raise ApplicationError(
            "A claim passes only with every item confirmed; not confirmed: "
            + ", ".join(unconfirmed),
            field="decision",
        )
    if decision != AuditDecision.PASS and not note:
        raise ApplicationError("Say what is wrong or what you need to know", field="note")
    if len(note) > NOTE_MAX:
        raise ApplicationError(f"The note must be {NOTE_MAX:,} characters or fewer", field="note")
    locked.checklist = {i: bool(checklist[i]) for i in items}
    locked.decision, locked.note = decision, note
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.save()
    claim = locked.claim
    if decision == AuditDecision.FAIL:
        claim.status = ClaimStatus.REMOVED
        claim.status_reason = f"Failed internal audit: {note}"
        claim.save(update_fields=["status", "status_reason"])
    return locked


@records_actor
@transaction.atomic
def batch_submit(*, actor: User, batch: ClaimBatch) -> ClaimBatch:
    """Submit an audited batch: every sampled claim passed or failed."""
    _require(can_make_claims(actor), "a programme manager can submit a batch")
    locked = _locked(batch, B.IN_AUDIT)
    waiting = ClaimAudit.objects.filter(claim__batch=locked).exclude(
        decision__in=[AuditDecision.PASS, AuditDecision.FAIL]
    )
    if waiting.exists():
        raise ApplicationError(
            f"The internal audit is not finished: {waiting.count()} sampled claim(s) still "
            "to pass or fail"
        )
    _move(actor, locked, B.SUBMITTED)
    return locked


@records_actor
@transaction.atomic
def batch_outcome_record(
    *, actor: User, batch: ClaimBatch, accepted: bool, note: str = ""
) -> ClaimBatch:
    """Record government's answer to a submitted batch. An accepted batch moves each
    family whose outcomes are met to "claimed"; others are left where they are, and so
    is a family the journey cannot move yet (a requirement missing, such as a lawful
    basis for sharing): government's answer is recorded all the same, and the held move
    is logged, as the nightly evaluation holds its moves."""
    _require(can_make_claims(actor), "a programme manager can record the outcome")
    locked = _locked(batch, B.SUBMITTED)
    _move(actor, locked, B.ACCEPTED if accepted else B.REJECTED, note.strip())
    if accepted:
        for claim in Claim.objects.filter(
            batch=locked, status=ClaimStatus.PROPOSED, family__status=FamilyStatus.OUTCOMES_MET
        ).select_related("family"):
            try:
                with transaction.atomic():
                    family_transition(
                        actor=actor,
                        family=claim.family,
                        to_status=FamilyStatus.CLAIMED,
                        reason=f"Claim accepted ({locked})",
                        chosen=False,
                    )
            except ApplicationError as exc:
                logger.info("%s not moved to claimed: %s", claim.family.reference, exc)
    return locked


@records_actor
@transaction.atomic
def batch_payment_record(
    *, actor: User, batch: ClaimBatch, amount: Decimal, paid_on: date
) -> ClaimBatch:
    """Record what government paid for an accepted batch, and when."""
    _require(can_make_claims(actor), "a programme manager can record a payment")
    locked = _locked(batch, B.ACCEPTED)
    if amount < 0:
        raise ApplicationError("The amount paid cannot be negative", field="amount")
    if paid_on < timezone.localdate(locked.created_at):
        raise ApplicationError("The payment cannot be before the batch was made", field="paid_on")
    locked.paid_amount, locked.paid_on = amount, paid_on
    locked.save(update_fields=["paid_amount", "paid_on"])
    ClaimBatchChange.objects.create(
        batch=locked,
        from_status=locked.status,
        to_status=locked.status,
        note=f"Payment of £{amount:,.2f} received on {paid_on.isoformat()}",
        actor=actor,
        created_at=timezone.now(),
    )
    return locked


@records_actor
@transaction.atomic
def claim_claw_back(*, actor: User, claim: Claim, reason: str) -> Claim:
    """A claim of an accepted batch found invalid later: clawed back, with a reason. The
    family may then be claimed again if it is still valid (DOMAIN.md 5)."""
    _require(can_make_claims(actor), "a programme manager can claw back a claim")
    reason = reason_checked(reason, missing="Enter why the claim is clawed back", maximum=NOTE_MAX)
    locked = Claim.objects.select_for_update().select_related("batch").get(pk=claim.pk)
    if locked.batch.status != B.ACCEPTED or locked.status != ClaimStatus.PROPOSED:
        raise ApplicationError("Only a claim of an accepted batch can be clawed back")
    locked.status, locked.status_reason = ClaimStatus.CLAWED_BACK, reason
    locked.save(update_fields=["status", "status_reason"])
    return locked
