"""Recording an outcome for one of a family's needs (sf2022, DOMAIN.md 4.3): the lead
practitioner's judgement, with a reason, where no feed carries the measure.

One current record per need: recording again for a need (a correction, or a change in
the family's situation) supersedes the current record, which is kept, not current,
pointing to the one that replaced it; the write history (pghistory) keeps every change
with who made it. Records are dated the day they are made: results count an outcome
from the day it was recorded, so it cannot be back-dated.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from agencies.models import User
from audit.history import records_actor
from families.models import Family
from oneplan.errors import ApplicationError
from oneplan.reasons import reason_checked
from outcomes.models import Attachment, RecordedOutcome
from outcomes.results.recorded import RECORDING_FRAMEWORKS, recordable_needs
from outcomes.results.recorded_access import can_record_outcome

REASON_MIN = 20
REASON_MAX = 2000


def _reason_checked(reason: str) -> str:
    return reason_checked(
        reason,
        missing="Enter why the outcome is positive or not",
        minimum=REASON_MIN,
        maximum=REASON_MAX,
        too_short="say what you saw and where it is recorded",
    )


@records_actor
@transaction.atomic
def recorded_outcome_record(
    *, actor: User, family: Family, need_code: str, positive: bool, reason: str
) -> RecordedOutcome:
    """Record the lead practitioner's outcome for one of the family's needs today.

    Only the family's lead professional (``can_record_outcome``); only a family attached
    under a framework whose results read recorded outcomes (sf2022); only a need met at
    entry or found during the work; a reason of at least ``REASON_MIN`` characters.
    Supersedes the need's current record, which is kept; the same outcome with the same
    reason again is refused (nothing would change)."""
    if not can_record_outcome(actor, family):
        raise ApplicationError("Only the family's lead professional can record its outcomes")
    # One recording per family at a time: the current record is read and replaced here.
    locked = Family.objects.select_for_update().get(pk=family.pk)
    attachment = Attachment.objects.filter(family=locked).first()
    if attachment is None:
        raise ApplicationError(
            f"{locked.reference} is not attached to the programme: outcomes are recorded once it is"
        )
    if attachment.framework not in RECORDING_FRAMEWORKS:
        raise ApplicationError(
            f"{locked.reference} was attached under {attachment.get_framework_display()}, "
            "whose results rest on agency data only: the lead practitioner records outcomes "
            "under Supporting Families (2022)"
        )
    needs = {need.code: need for need in recordable_needs(locked, attachment)}
    if need_code not in needs:
        raise ApplicationError(
            "Select one of the family's needs: those it had when it was attached, or found since",
            field="need",
        )
    reason = _reason_checked(reason)
    current = (
        RecordedOutcome.objects.select_for_update()
        .filter(family=locked, need_code=need_code, is_current=True)
        .first()
    )
    if current is not None and current.positive == positive and current.reason == reason:
        raise ApplicationError(
            f"This outcome is already recorded for {needs[need_code].label.lower()}, with the "
            "same reason",
            field="reason",
        )
    if current is not None:
        # Not current first: the database allows one current record per need.
        current.is_current = False
        current.save(update_fields=["is_current"])
    now = timezone.now()
    made = RecordedOutcome.objects.create(
        family=locked,
        need_code=need_code,
        positive=positive,
        reason=reason,
        recorded_on=timezone.localdate(now),
        recorded_by=actor,
        created_at=now,
    )
    if current is not None:
        current.superseded_by = made
        current.save(update_fields=["superseded_by"])
    # Nothing to queue here: the next results run takes every family with an outcome
    # recorded since the last run (its due query reads this table), and the pages
    # compute results when they are shown.
    return made
