"""Claims on "equivalent progress" (DOMAIN.md 4.2, 5): a senior officer adds a family
whose results are not fully met to a draft claim batch, with a written reason.

- Only a senior officer (``can_claim_equivalent_progress``), only in a draft batch.
- The family is attached, was eligible at entry (a family that was not cannot be claimed
  for at all), and is not claimable on its results (those are proposed as result claims
  when the batch is made).
- Paid as the framework's full result: the highest result payment its version sets
  (``outcomes.frameworks.payments.full_result``), kept in ``route``.
- With the frozen evidence snapshot every claim has (``claim_snapshot``): the rules'
  decision in it shows the result was not met, which is what the reason answers.
- Once per programme, like every claim: the database's ``claim_once_per_programme``
  refuses a second standing claim, so two people at once cannot both claim a family.
- Always in the internal audit's sample (``outcomes.claims.audit``).
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import User
from audit.history import records_actor
from families.models import Family
from oneplan.dates import govuk_date
from oneplan.errors import ApplicationError
from oneplan.reasons import reason_checked
from outcomes.claims.access import can_claim_equivalent_progress
from outcomes.claims.services import claim_snapshot
from outcomes.frameworks.payments import full_result
from outcomes.frameworks.results import CLAIMABLE
from outcomes.frameworks.snapshots import snapshot_hash
from outcomes.frameworks.types import ParameterError
from outcomes.models import Claim, ClaimBatch, ClaimBatchStatus, ClaimKind, ClaimStatus
from outcomes.results.services import results_compute

REASON_MIN = 30
REASON_MAX = 2000


def _reason_checked(reason: str) -> str:
    return reason_checked(
        reason,
        missing="Enter why the family's progress is equivalent to the result",
        minimum=REASON_MIN,
        maximum=REASON_MAX,
        too_short="say what progress the family made and why it is equivalent to the result",
    )


@records_actor
@transaction.atomic
def claim_equivalent_add(*, actor: User, batch: ClaimBatch, family: Family, reason: str) -> Claim:
    """Add ``family`` to the draft ``batch`` on equivalent progress, with the senior
    officer's written reason; its results judged on the last day of the window, or today
    if that is earlier. ``ApplicationError`` says why when it cannot be added."""
    if not can_claim_equivalent_progress(actor):
        raise ApplicationError("Only a senior officer can approve a claim on equivalent progress")
    reason = _reason_checked(reason)
    locked = ClaimBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != ClaimBatchStatus.DRAFT:
        raise ApplicationError(
            "Families can be added only while the batch is a draft: it is "
            f"{locked.get_status_display().lower()}"
        )
    day: date = min(timezone.localdate(), locked.window_end)
    computed = results_compute(family=family, as_of=day)
    results, version = computed.results, computed.attachment.framework_version
    if not results.eligible_at_entry:
        raise ApplicationError(
            f"{family.reference} was not eligible when it was attached, so it cannot be "
            "claimed for, even on equivalent progress",
            field="family",
        )
    if computed.readiness.status == CLAIMABLE:
        raise ApplicationError(
            f"{family.reference} is claimable on its results (route {results.route}): it is "
            "claimed as a result, not on equivalent progress",
            field="family",
        )
    standing = (
        Claim.objects.filter(
            family=family, framework=results.framework, status=ClaimStatus.PROPOSED
        )
        .select_related("batch")
        .first()
    )
    if standing is not None:
        raise ApplicationError(
            f"{family.reference} is already claimed under this programme ({standing.batch}): "
            "a family is claimed once",
            field="family",
        )
    try:
        route, amount = full_result(results.framework, version.parameters)
    except ParameterError as exc:
        raise ApplicationError(f"{version} cannot be used to claim: {exc}") from exc
    snapshot = claim_snapshot(computed)
    claim = Claim(
        batch=locked,
        family=family,
        framework=results.framework,
        framework_version=version,
        route=route,
        claim_date=day,
        amount=amount,
        snapshot=snapshot,
        snapshot_sha256=snapshot_hash(snapshot),
        status=ClaimStatus.PROPOSED,
        kind=ClaimKind.EQUIVALENT,
        equivalent_reason=reason,
        created_at=timezone.now(),
    )
    try:
        # Another batch may have claimed the family at the same moment.
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise ApplicationError(
            f"{family.reference} was claimed in another batch at the same moment: a family "
            "is claimed once",
            field="family",
        ) from None
    return claim


def equivalent_added_message(claim: Claim) -> str:
    return (
        f"{claim.family.reference} added on equivalent progress, paid as route {claim.route} "
        f"(£{claim.amount:,.2f}), judged on {govuk_date(claim.claim_date)}"
    )
