"""Claim batches (DOMAIN.md 5): proposing every claimable family for a window, each
claim with its frozen evidence snapshot and SHA-256; removing a family with a reason;
replaying a claim's decision from its snapshot.

A family is claimed once per programme: a partial unique constraint on standing claims
(``claim_once_per_programme``) decides, so two programme managers creating batches at
the same moment cannot both claim a family; the one whose insert loses skips it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from agencies.models import User
from audit.history import records_actor
from families.models import Family
from oneplan.dates import govuk_date
from oneplan.errors import ApplicationError
from oneplan.reasons import reason_checked
from outcomes.claims.access import can_make_claims
from outcomes.frameworks.payments import result_payment
from outcomes.frameworks.results import CLAIMABLE
from outcomes.frameworks.snapshots import (
    Replay,
    snapshot_hash,
    snapshot_json,
    snapshot_replay,
)
from outcomes.frameworks.types import ParameterError
from outcomes.models import (
    Attachment,
    Claim,
    ClaimBatch,
    ClaimBatchStatus,
    ClaimStatus,
)
from outcomes.results.services import FamilyResults, results_compute_many

# Families judged at once when a batch is made (a few queries a chunk).
CHUNK: Final = 500

REASON_MAX = 2000


def _require_programme_manager(actor: User) -> None:
    if not can_make_claims(actor):
        raise ApplicationError("Only a programme manager can make or change claims")


def claim_snapshot(computed: FamilyResults) -> dict[str, Any]:
    """The frozen evidence snapshot of a claim on ``computed`` results (DOMAIN.md 5)."""
    results, version = computed.results, computed.attachment.framework_version
    return snapshot_json(
        framework=results.framework,
        version=version.version,
        version_parameters=version.parameters,
        household=computed.household,
        entry=computed.entry,
        programme=computed.programme,
        attached_on=results.attached_on,
        as_of=results.as_of,
        results=results,
    )


def _claim_from(batch: ClaimBatch, family: Family, computed: FamilyResults) -> Claim:
    results, attachment = computed.results, computed.attachment
    version = attachment.framework_version
    assert results.route is not None
    snapshot = claim_snapshot(computed)
    try:
        amount = result_payment(results.framework, results.route, version.parameters)
    except ParameterError as exc:
        raise ApplicationError(f"{version} cannot be used to claim: {exc}") from exc
    return Claim(
        batch=batch,
        family=family,
        framework=results.framework,
        framework_version=version,
        route=results.route,
        claim_date=computed.readiness.claimable_from or results.as_of,
        amount=amount,
        snapshot=snapshot,
        snapshot_sha256=snapshot_hash(snapshot),
        status=ClaimStatus.PROPOSED,
        created_at=timezone.now(),
    )


@dataclass(frozen=True)
class BatchMade:
    batch: ClaimBatch
    proposed: int
    # Claimable families another batch claimed first (at the same moment).
    taken: int


@records_actor
def claim_batch_create(
    *, actor: User, window_start: date, window_end: date, sample_percent: int = 10
) -> BatchMade:
    """A draft batch for the window, proposing every family claimable on ``window_end``
    (claimable from a date in the window or before) that has no standing claim under its
    programme. Each claim is written in its own savepoint: one taken by another batch at
    the same moment is skipped, not an error."""
    _require_programme_manager(actor)
    if window_end < window_start:
        raise ApplicationError(
            "The window must end on or after the day it starts", field="window_end"
        )
    if not 0 <= sample_percent <= 100:
        raise ApplicationError("The audit sample must be from 0% to 100%", field="sample_percent")
    # One transaction: a batch that fails half way leaves nothing behind.
    with transaction.atomic():
        return _batch_fill(actor, window_start, window_end, sample_percent)


def _batch_fill(
    actor: User, window_start: date, window_end: date, sample_percent: int
) -> BatchMade:
    batch = ClaimBatch.objects.create(
        window_start=window_start,
        window_end=window_end,
        sample_percent=sample_percent,
        created_by=actor,
        created_at=timezone.now(),
    )
    claimed = set(
        Claim.objects.filter(status=ClaimStatus.PROPOSED).values_list("family_id", "framework")
    )
    attempted = 0
    candidates = list(
        Attachment.objects.filter(attached_on__lte=window_end)
        .order_by("family_id")
        .values_list("family_id", "framework")
    )
    ids = [
        family_id for family_id, framework in candidates if (family_id, framework) not in claimed
    ]
    for start in range(0, len(ids), CHUNK):
        families = list(Family.objects.filter(pk__in=ids[start : start + CHUNK]).order_by("pk"))
        answers = results_compute_many(families, as_of=window_end)
        claims = []
        for family in families:
            computed = answers[family.pk]
            if isinstance(computed, ApplicationError) or computed.readiness.status != CLAIMABLE:
                continue
            claims.append(_claim_from(batch, family, computed))
        # A family another batch claims at the same moment is skipped by the database's
        # once-per-programme constraint, not an error.
        Claim.objects.bulk_create(claims, ignore_conflicts=True)
        attempted += len(claims)
    proposed = Claim.objects.filter(batch=batch).count()
    return BatchMade(batch, proposed, attempted - proposed)


@records_actor
@transaction.atomic
def claim_remove(*, actor: User, claim: Claim, reason: str) -> Claim:
    """Take a family out of a draft batch, with a reason (kept with the claim)."""
    _require_programme_manager(actor)
    reason = reason_checked(
        reason, missing="Enter why the family is removed from the batch", maximum=REASON_MAX
    )
    locked = Claim.objects.select_for_update().select_related("batch").get(pk=claim.pk)
    if locked.batch.status != ClaimBatchStatus.DRAFT:
        raise ApplicationError("Families can be removed only while the batch is a draft")
    if locked.status != ClaimStatus.PROPOSED:
        raise ApplicationError("This family is no longer in the batch")
    locked.status = ClaimStatus.REMOVED
    locked.status_reason = reason
    locked.save(update_fields=["status", "status_reason"])
    return locked


def claim_replay(claim: Claim) -> Replay:
    """Run the claim's framework version's rules again on its frozen snapshot; refuses a
    snapshot whose SHA-256 no longer matches (it was changed after the claim)."""
    if snapshot_hash(claim.snapshot) != claim.snapshot_sha256:
        raise ApplicationError(
            "The evidence snapshot of this claim (made on "
            f"{govuk_date(timezone.localdate(claim.created_at))}) has "
            "been changed since: its SHA-256 does not match"
        )
    return snapshot_replay(claim.snapshot)
