"""Retention's writes (docs/retention.md; docs/decisions/0018): the periods, legal holds,
the nightly listing of records due for review, the DPO's batches, and the run that
anonymises (or deletes) an approved batch. Each takes ``actor=``, runs in a transaction
and is recorded by the models' history triggers in its actor's name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from agencies.models import User
from audit.history import records_actor
from families.models import Family, HouseholdMembership, Person
from families.states import OPEN_STATES, TERMINAL_STATES, FamilyStatus
from lcgs.retention import anonymise as engine
from lcgs.retention.access import DENIED, can_list_reviews, can_manage_retention
from lcgs.retention.models import (
    OPEN_REVIEW_STATUSES,
    AnonymisationRecord,
    BatchStatus,
    LegalHold,
    RetentionAction,
    RetentionBatch,
    RetentionPolicy,
    RetentionReview,
    ReviewStatus,
)
from lcgs.retention.rules import (
    MAX_YEARS,
    RECORD_CLASS_LABELS,
    CaseDates,
    RecordClass,
    family_due_on,
    feed_record_due_on,
    hold_is_active,
    is_due,
)
from oneplan.errors import ApplicationError
from oneplan.jobs import job_start
from outcomes.models import SourcePerson

RETENTION_BATCH_JOB = "retention_batch"
REASON_MAX = 2000
SOURCE_MAX = 200
# The most records one batch gathers: a batch is read through before it is approved.
BATCH_MAX = 200
# Serialises the nightly listing (two runs at once add each row once anyway).
_LISTING_LOCK = 0x0E7E_4710

# Statuses in which the programme works with a family: no retention period runs.
_WORKED_WITH = frozenset(OPEN_STATES) - {FamilyStatus.IDENTIFIED, FamilyStatus.SCREENED}


def _require(actor: User) -> None:
    if not can_manage_retention(actor):
        raise PermissionDenied(DENIED)


def _text(value: str, field: str, what: str) -> str:
    """Required text up to ``REASON_MAX``; ``what`` names it in the errors ("the reason
    for the hold")."""
    value = value.strip()
    if not value:
        raise ApplicationError(f"Enter {what}", field=field)
    if len(value) > REASON_MAX:
        raise ApplicationError(f"Enter {what} in {REASON_MAX} characters or fewer", field=field)
    return value


# --- Periods ------------------------------------------------------------------------------


class PolicyChanged(ApplicationError):
    """Someone saved the period after the version the caller read (the API's If-Match)."""

    def __init__(self, current: RetentionPolicy) -> None:
        super().__init__(
            f"Someone changed the retention period for {current.get_record_class_display()} "
            "after you read it: read it again, then make your change"
        )
        self.current = current


def policy_version(policy: RetentionPolicy) -> int:
    """The version of a period a caller read (the API's ETag): when it was last saved, in
    microseconds. Every change sets ``updated_at``, so every change gives a new version."""
    return (policy.updated_at - _EPOCH) // datetime.timedelta(microseconds=1)


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@records_actor
@transaction.atomic
def retention_policy_change(
    *,
    actor: User,
    policy: RetentionPolicy,
    years: int,
    action: str,
    source: str,
    expected_version: int | None = None,
) -> RetentionPolicy:
    """Set how long a class of record is kept and what the DPO approves when it falls
    due. Saving confirms the period: it is no longer marked as OnePlan's example. Records
    already listed keep their due date; the next listing uses the new period.
    ``expected_version``: the ``policy_version`` the caller read; ``PolicyChanged`` when
    someone saved since."""
    _require(actor)
    if not 1 <= years <= MAX_YEARS:
        raise ApplicationError(f"Enter a number of years from 1 to {MAX_YEARS}", field="years")
    if action not in RetentionAction.values:
        raise ApplicationError("Select what happens to the records", field="action")
    if (
        action == RetentionAction.DELETE
        and policy.record_class != RecordClass.UNMATCHED_FEED_RECORD
    ):
        raise ApplicationError(
            "Families are anonymised, not deleted: reporting and claims still count them",
            field="action",
        )
    source = source.strip()
    if len(source) > SOURCE_MAX:
        raise ApplicationError(
            f"Where the period comes from must be {SOURCE_MAX} characters or fewer",
            field="source",
        )
    locked = RetentionPolicy.objects.select_for_update().get(pk=policy.pk)
    if expected_version is not None and policy_version(locked) != expected_version:
        raise PolicyChanged(locked)
    locked.years, locked.action, locked.source = years, action, source
    locked.is_example = False
    locked.updated_by, locked.updated_at = actor, timezone.now()
    locked.save(
        update_fields=["years", "action", "source", "is_example", "updated_by", "updated_at"]
    )
    return locked


# --- Legal holds --------------------------------------------------------------------------


def held_family_ids(*, today: datetime.date, family_ids: list[int] | None = None) -> set[int]:
    """The families a legal hold stops today: held themselves, or with a member who is
    held. The one answer the listing, the batches and the run all use
    (``rules.hold_is_active`` decides whether each hold holds)."""
    holds = LegalHold.objects.filter(lifted_at__isnull=True) | LegalHold.objects.filter(
        lifted_at__date__gt=today
    )
    if family_ids is not None:
        holds = holds.filter(
            Q(family_id__in=family_ids) | Q(person__memberships__family_id__in=family_ids)
        )
    held: set[int] = set()
    people: set[int] = set()
    for hold in holds.distinct():
        if not _active(hold, today):
            continue
        if hold.family_id is not None:
            held.add(hold.family_id)
        if hold.person_id is not None:
            people.add(hold.person_id)
    if people:
        held |= set(
            HouseholdMembership.objects.filter(person_id__in=people).values_list(
                "family_id", flat=True
            )
        )
    if family_ids is not None:
        held &= set(family_ids)
    return held


def _active(hold: LegalHold, today: datetime.date) -> bool:
    return hold_is_active(
        placed_on=timezone.localdate(hold.placed_at),
        until=hold.until,
        lifted_on=timezone.localdate(hold.lifted_at) if hold.lifted_at else None,
        today=today,
    )


@records_actor
@transaction.atomic
def legal_hold_place(
    *,
    actor: User,
    reason: str,
    family: Family | None = None,
    person: Person | None = None,
    until: datetime.date | None = None,
) -> LegalHold:
    """Place a legal hold on a family or a person: from now their records are not listed
    for review, and a batch that holds them skips them when it runs. Records already
    listed show as held."""
    _require(actor)
    if (family is None) == (person is None):
        raise ApplicationError("A legal hold is on one family or one person")
    reason = _text(reason, "reason", "the reason for the hold")
    today = timezone.localdate()
    if until is not None and until < today:
        raise ApplicationError(
            "The date the hold ends must be today or in the future", field="until"
        )
    hold = LegalHold.objects.create(
        family=family,
        person=person,
        reason=reason,
        placed_by=actor,
        placed_at=timezone.now(),
        until=until,
    )
    families = (
        [family.pk]
        if family is not None
        else list(
            HouseholdMembership.objects.filter(person=person).values_list("family_id", flat=True)
        )
    )
    RetentionReview.objects.filter(family_id__in=families, status=ReviewStatus.DUE).update(
        status=ReviewStatus.HELD, decided_by=actor, decided_at=timezone.now()
    )
    return hold


@records_actor
@transaction.atomic
def legal_hold_lift(*, actor: User, hold: LegalHold, reason: str) -> LegalHold:
    """Lift a legal hold. The records it held are listed again by the next nightly
    listing, if they are still due and nothing else holds them."""
    _require(actor)
    reason = _text(reason, "lift_reason", "why the hold is lifted")
    locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if locked.lifted_at is not None:
        raise ApplicationError("This legal hold has already been lifted")
    locked.lifted_at, locked.lifted_by, locked.lift_reason = timezone.now(), actor, reason
    locked.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    return locked


# --- The nightly listing ------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    listed: int
    reopened: int
    held: int


def _years() -> dict[RecordClass, int]:
    return {RecordClass(p.record_class): p.years for p in RetentionPolicy.objects.all()}


def _anonymised_family_ids() -> QuerySet[RetentionReview, Any]:
    """Families already anonymised (a review done): never due again, whatever their
    period becomes."""
    return RetentionReview.objects.filter(status=ReviewStatus.ANONYMISED).values("family_id")


def _due_families(
    today: datetime.date, years: dict[RecordClass, int]
) -> list[tuple[RecordClass, int, datetime.date]]:
    """Every family due for review on ``today`` by the rules (``rules.family_due_on``).
    SQL narrows the candidates to families old enough to be due and not anonymised
    already (a changed period gives them a new due date); the rule decides."""
    candidates = Q(pk__in=[])
    closed = years.get(RecordClass.CLOSED_CASE)
    if closed is not None:
        candidates |= Q(
            attached_on__isnull=False,
            status__in=list(TERMINAL_STATES),
            status_changed_at__date__lte=today - datetime.timedelta(days=365 * closed - 2),
        )
    not_taken = years.get(RecordClass.NOT_TAKEN_ON)
    if not_taken is not None:
        candidates |= Q(
            attached_on__isnull=True,
            created_at__date__lte=today - datetime.timedelta(days=365 * not_taken - 2),
        ) & ~Q(status__in=list(_WORKED_WITH))
    due: list[tuple[RecordClass, int, datetime.date]] = []
    rows = (Family.objects.filter(candidates).exclude(pk__in=_anonymised_family_ids())).values_list(
        "pk", "status", "status_changed_at", "attached_on", "created_at"
    )
    for pk, status, changed_at, attached_on, created_at in rows.iterator(chunk_size=2000):
        answer = family_due_on(
            CaseDates(
                identified_on=timezone.localdate(created_at),
                status_is_terminal=status in TERMINAL_STATES,
                being_worked_with=status in _WORKED_WITH,
                attached_on=attached_on,
                status_since=timezone.localdate(changed_at),
            ),
            years,
        )
        if answer is not None and is_due(answer[1], today):
            due.append((answer[0], pk, answer[1]))
    return due


def _due_sources(
    today: datetime.date, years: dict[RecordClass, int]
) -> list[tuple[int, datetime.date]]:
    period = years.get(RecordClass.UNMATCHED_FEED_RECORD)
    if period is None:
        return []
    rows = SourcePerson.objects.filter(
        person__isnull=True,
        updated_at__date__lte=today - datetime.timedelta(days=365 * period - 2),
    ).values_list("pk", "updated_at")
    due = []
    for pk, updated_at in rows.iterator(chunk_size=2000):
        due_on = feed_record_due_on(timezone.localdate(updated_at), period)
        if is_due(due_on, today):
            due.append((pk, due_on))
    return due


@records_actor
@transaction.atomic
def retention_reviews_list(*, actor: User, today: datetime.date) -> Listing:
    """List every record due for review on ``today`` (the nightly job, DOMAIN.md 7).

    Idempotent: one row per record and due date (unique keys), and a record with a row
    waiting (due, or in a batch) gets no second one, so running twice, or twice at once,
    adds nothing. Records a legal hold stops are not listed; records skipped for a hold
    that has since ended are listed again.
    """
    if not can_list_reviews(actor):
        raise PermissionDenied(DENIED)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LISTING_LOCK])
    years = _years()
    now = timezone.now()
    held = held_family_ids(today=today)

    # Held before, free now, and nothing else waiting for the family: due again.
    waiting = RetentionReview.objects.filter(
        family_id=OuterRef("family_id"), status__in=OPEN_REVIEW_STATUSES
    )
    reopened = (
        RetentionReview.objects.filter(
            status=ReviewStatus.HELD, family__isnull=False, due_on__lte=today
        )
        .exclude(family_id__in=held)
        .exclude(Exists(waiting))
        .exclude(family_id__in=_anonymised_family_ids())
        .update(status=ReviewStatus.DUE, batch=None, decided_by=None, decided_at=None)
    )

    rows = [
        RetentionReview(record_class=record_class.value, family_id=pk, due_on=due_on, listed_at=now)
        for record_class, pk, due_on in _due_families(today, years)
        if pk not in held
    ]
    rows += [
        RetentionReview(
            record_class=RecordClass.UNMATCHED_FEED_RECORD.value,
            source_person_id=pk,
            due_on=due_on,
            listed_at=now,
        )
        for pk, due_on in _due_sources(today, years)
    ]
    before = RetentionReview.objects.count()
    # ON CONFLICT DO NOTHING: every unique key of the table (module doc) guards it.
    RetentionReview.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    listed = RetentionReview.objects.count() - before
    return Listing(listed=listed, reopened=reopened, held=len(held))


# --- Batches ------------------------------------------------------------------------------


@records_actor
@transaction.atomic
def retention_batch_create(
    *, actor: User, record_class: str, today: datetime.date
) -> RetentionBatch:
    """Gather the records of one class that are due (up to ``BATCH_MAX``, oldest due
    first) into a batch for the DPO to read through and approve. Records a legal hold
    stops are left out and shown as held."""
    _require(actor)
    try:
        klass = RecordClass(record_class)
    except ValueError:
        raise ApplicationError("Select the kind of records", field="record_class") from None
    policy = RetentionPolicy.objects.filter(record_class=klass.value).first()
    if policy is None:
        raise ApplicationError("This kind of record has no retention period", field="record_class")
    due = list(
        RetentionReview.objects.select_for_update()
        .filter(record_class=klass.value, status=ReviewStatus.DUE, batch__isnull=True)
        .order_by("due_on", "pk")[:BATCH_MAX]
    )
    held = held_family_ids(today=today, family_ids=[r.family_id for r in due if r.family_id])
    now = timezone.now()
    for review in due:
        if review.family_id in held:
            review.status, review.decided_by, review.decided_at = ReviewStatus.HELD, actor, now
            review.save(update_fields=["status", "decided_by", "decided_at"])
    items = [review for review in due if review.family_id not in held]
    if not items:
        raise ApplicationError(
            f"No records of this kind are due for review: {RECORD_CLASS_LABELS[klass].lower()}",
            field="record_class",
        )
    batch = RetentionBatch.objects.create(
        record_class=klass.value, action=policy.action, created_by=actor, created_at=now
    )
    RetentionReview.objects.filter(pk__in=[r.pk for r in items]).update(
        status=ReviewStatus.IN_BATCH, batch=batch
    )
    return batch


def _open_batch(batch_id: int) -> RetentionBatch:
    batch = RetentionBatch.objects.select_for_update().get(pk=batch_id)
    if batch.status != BatchStatus.OPEN:
        raise ApplicationError("This batch has already been approved or cancelled")
    return batch


@records_actor
@transaction.atomic
def retention_review_exclude(
    *, actor: User, review: RetentionReview, reason: str
) -> RetentionReview:
    """Leave one record out of its batch (or out of review), with the reason: it is kept
    and not listed again for the same due date."""
    _require(actor)
    reason = _text(reason, "reason", "why the record is left out")
    locked = RetentionReview.objects.select_for_update().get(pk=review.pk)
    if locked.batch_id is not None:
        _open_batch(locked.batch_id)
    if locked.status not in OPEN_REVIEW_STATUSES:
        raise ApplicationError("This record is no longer waiting for review")
    locked.status, locked.excluded_reason = ReviewStatus.EXCLUDED, reason
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.save(update_fields=["status", "excluded_reason", "decided_by", "decided_at"])
    return locked


@records_actor
@transaction.atomic
def retention_batch_cancel(*, actor: User, batch: RetentionBatch) -> RetentionBatch:
    """Cancel a batch not yet approved: its records are due for review again."""
    _require(actor)
    locked = _open_batch(batch.pk)
    locked.items.filter(status=ReviewStatus.IN_BATCH).update(status=ReviewStatus.DUE, batch=None)
    locked.status = BatchStatus.CANCELLED
    locked.save(update_fields=["status"])
    return locked


@records_actor
@transaction.atomic
def retention_batch_approve(*, actor: User, batch: RetentionBatch) -> RetentionBatch:
    """Approve a batch: the background job anonymises (or deletes) its records. Legal
    holds are checked again when it runs, and held records are skipped."""
    _require(actor)
    locked = _open_batch(batch.pk)
    if not locked.items.filter(status=ReviewStatus.IN_BATCH).exists():
        raise ApplicationError("Every record has been left out of this batch: cancel it instead")
    locked.status, locked.approved_by, locked.approved_at = (
        BatchStatus.APPROVED,
        actor,
        timezone.now(),
    )
    locked.job = job_start(
        actor=actor,
        kind=RETENTION_BATCH_JOB,
        parameters={"batch": locked.pk},
        idempotency_key=f"retention-batch-{locked.pk}",
    )
    locked.save(update_fields=["status", "approved_by", "approved_at", "job"])
    return locked


@dataclass(frozen=True)
class BatchRun:
    done: int
    held: int
    record: AnonymisationRecord | None


@records_actor
@transaction.atomic
def retention_batch_run(*, actor: User, batch_id: int, today: datetime.date) -> BatchRun:
    """Anonymise (or, for unmatched feed records, delete) an approved batch's records,
    every table at once: all of it or none. Legal holds are checked again now; a held
    record is skipped and shown as held. Recorded as an ``AnonymisationRecord`` (who
    approved, when, which class, rows changed per table: no personal data). Running a
    batch that is done does nothing."""
    batch = RetentionBatch.objects.select_for_update().get(pk=batch_id)
    if batch.status == BatchStatus.DONE:
        return BatchRun(done=0, held=0, record=None)
    if batch.status != BatchStatus.APPROVED or batch.approved_by is None:
        raise ApplicationError("Only an approved batch is run")
    # The approver answers for the run: it stops if they are no longer a DPO.
    _require(batch.approved_by)
    started = timezone.now()
    items = list(batch.items.select_for_update().filter(status=ReviewStatus.IN_BATCH))
    family_ids = [item.family_id for item in items if item.family_id is not None]
    held = held_family_ids(today=today, family_ids=family_ids)
    to_do = [item for item in items if item.family_id not in held]
    now = timezone.now()
    batch.items.filter(pk__in=[i.pk for i in items if i.family_id in held]).update(
        status=ReviewStatus.HELD, decided_by=batch.approved_by, decided_at=now
    )

    if batch.record_class == RecordClass.UNMATCHED_FEED_RECORD:
        subjects = engine.subjects_for_sources(
            i.source_person_id for i in to_do if i.source_person_id
        )
    else:
        done_before = RetentionReview.objects.filter(status=ReviewStatus.ANONYMISED).values_list(
            "family_id", flat=True
        )
        subjects = engine.subjects_for_families(
            [i.family_id for i in to_do if i.family_id is not None],
            already_anonymised=[pk for pk in done_before if pk is not None],
        )
    changed = engine.anonymise(subjects)
    deleted: dict[str, int] = {}
    final = ReviewStatus.ANONYMISED
    if batch.action == RetentionAction.DELETE and subjects.source_ids:
        deleted = engine.delete_sources(subjects.source_ids)
        final = ReviewStatus.DELETED
    batch.items.filter(pk__in=[i.pk for i in to_do]).update(
        status=final, decided_by=batch.approved_by, decided_at=now
    )
    finished = timezone.now()
    record = AnonymisationRecord.objects.create(
        batch=batch,
        record_class=batch.record_class,
        action=batch.action,
        approved_by=batch.approved_by,
        started_at=started,
        finished_at=finished,
        records_done=len(to_do),
        records_held=len(items) - len(to_do),
        rows_changed=changed,
        rows_deleted=deleted,
    )
    batch.status, batch.finished_at = BatchStatus.DONE, finished
    batch.save(update_fields=["status", "finished_at"])
    return BatchRun(done=len(to_do), held=len(items) - len(to_do), record=record)
