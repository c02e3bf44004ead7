"""Retention's reads, for the data protection officer only (``access.can_manage_retention``):
the records due, the batches, legal holds, periods and anonymisation records."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, QuerySet, Value, When
from django.http import Http404

from agencies.models import AnyUser
from lcgs.retention.access import DENIED, can_manage_retention
from lcgs.retention.models import (
    AnonymisationRecord,
    BatchStatus,
    LegalHold,
    RetentionBatch,
    RetentionPolicy,
    RetentionReview,
    ReviewStatus,
)
from lcgs.retention.rules import COUNTED_FROM, RECORD_CLASS_LABELS, RecordClass

# The most records one page lists; the rest wait for the next batch.
LIST_MAX = 200


def _require(user: AnyUser) -> None:
    if not can_manage_retention(user):
        raise PermissionDenied(DENIED)


@dataclass(frozen=True)
class ClassSummary:
    record_class: str
    label: str
    counted_from: str
    policy: RetentionPolicy | None
    due: int
    held: int


def retention_summary(user: AnyUser) -> list[ClassSummary]:
    """Per class of record: its period, how many records are due and how many held."""
    _require(user)
    policies = {p.record_class: p for p in RetentionPolicy.objects.all()}
    counts = {
        (row["record_class"], row["status"]): row["n"]
        for row in RetentionReview.objects.filter(status__in=[ReviewStatus.DUE, ReviewStatus.HELD])
        .values("record_class", "status")
        .annotate(n=Count("pk"))
    }
    return [
        ClassSummary(
            record_class=c.value,
            label=RECORD_CLASS_LABELS[c],
            counted_from=COUNTED_FROM[c],
            policy=policies.get(c.value),
            due=counts.get((c.value, ReviewStatus.DUE), 0),
            held=counts.get((c.value, ReviewStatus.HELD), 0),
        )
        for c in RecordClass
    ]


def reviews_waiting(user: AnyUser) -> list[RetentionReview]:
    """Records due for review, then those held, each oldest due first (up to
    ``LIST_MAX``): records held for years never push a due one off the list."""
    _require(user)
    held_last = Case(When(status=ReviewStatus.DUE, then=Value(0)), default=Value(1))
    return list(
        RetentionReview.objects.filter(status__in=[ReviewStatus.DUE, ReviewStatus.HELD])
        .select_related("family", "source_person__agency")
        .order_by(held_last, "due_on", "pk")[:LIST_MAX]
    )


def batch_list(user: AnyUser) -> QuerySet[RetentionBatch]:
    _require(user)
    return (
        RetentionBatch.objects.annotate(item_count=Count("items"))
        .select_related("created_by", "approved_by")
        .order_by("-created_at", "-pk")  # a grouped query drops the model's ordering
    )


def batch_get_or_404(user: AnyUser, batch_id: int) -> RetentionBatch:
    _require(user)
    batch = (
        RetentionBatch.objects.select_related("created_by", "approved_by", "job")
        .filter(pk=batch_id)
        .first()
    )
    if batch is None:
        raise Http404("No such batch")
    return batch


def batch_items(user: AnyUser, batch: RetentionBatch) -> list[RetentionReview]:
    _require(user)
    return list(
        batch.items.select_related("family", "source_person__agency", "decided_by").order_by(
            "due_on", "pk"
        )
    )


def batch_record(user: AnyUser, batch: RetentionBatch) -> AnonymisationRecord | None:
    _require(user)
    return batch.records.first()


def review_for_exclusion_or_404(user: AnyUser, review_id: int) -> RetentionReview:
    """A record still waiting (due, or in a batch not yet approved)."""
    _require(user)
    review = (
        RetentionReview.objects.select_related("family", "batch", "source_person__agency")
        .filter(pk=review_id, status__in=[ReviewStatus.DUE, ReviewStatus.IN_BATCH])
        .exclude(batch__status__in=[BatchStatus.APPROVED, BatchStatus.DONE])
        .first()
    )
    if review is None:
        raise Http404("No such record waiting for review")
    return review


def legal_hold_list(user: AnyUser) -> QuerySet[LegalHold]:
    """Every legal hold, those in place first, then lifted ones: callers page it."""
    _require(user)
    return LegalHold.objects.select_related("family", "person", "placed_by", "lifted_by").order_by(
        "lifted_at", "-placed_at", "-pk"
    )


def legal_hold_get_or_404(user: AnyUser, hold_id: int) -> LegalHold:
    _require(user)
    hold = LegalHold.objects.select_related("family", "person").filter(pk=hold_id).first()
    if hold is None:
        raise Http404("No such legal hold")
    return hold


def policy_list(user: AnyUser) -> list[RetentionPolicy]:
    _require(user)
    return list(RetentionPolicy.objects.select_related("updated_by"))


def policy_get_or_404(user: AnyUser, policy_id: int) -> RetentionPolicy:
    _require(user)
    policy = RetentionPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise Http404("No such retention period")
    return policy


# The latest anonymisation records the retention page shows (each batch's page shows
# its own).
RECORDS_MAX = 20


def anonymisation_records(user: AnyUser) -> list[AnonymisationRecord]:
    _require(user)
    return list(AnonymisationRecord.objects.select_related("approved_by")[:RECORDS_MAX])
