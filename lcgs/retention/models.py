"""Retention (DOMAIN.md 7): how long each class of record is kept, the records due for
review, the DPO's batches and their approval, legal holds, and the record of each
anonymisation. docs/retention.md for DPOs; docs/decisions/0018 for the design.

Nothing here holds personal data but the free text people type (a hold's reason, why an
item was left out of a batch), which the anonymisation clears with the rest of a
family's records. ``AnonymisationRecord`` holds counts only, and is append-only.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from audit.history import audited
from families.models import Family, Person
from lcgs.retention.rules import RECORD_CLASS_LABELS, RecordClass
from oneplan.models import Job
from outcomes.models import SourcePerson

__all__ = [
    "AnonymisationRecord",
    "BatchStatus",
    "LegalHold",
    "RetentionAction",
    "RetentionBatch",
    "RetentionPolicy",
    "RetentionReview",
    "ReviewStatus",
]

RECORD_CLASS_CHOICES = [(c.value, RECORD_CLASS_LABELS[c]) for c in RecordClass]


class RetentionAction(models.TextChoices):
    ANONYMISE = "anonymise", "Anonymise"
    DELETE = "delete", "Delete"


@audited()
class RetentionPolicy(models.Model):
    """How long one class of record is kept before it is reviewed (the council's
    retention schedule). Seeded with examples (``is_example``) that the council confirms
    or changes; the DPO edits them, and the old periods stay in the history."""

    record_class = models.CharField(max_length=32, choices=RECORD_CLASS_CHOICES, unique=True)
    years = models.PositiveSmallIntegerField()
    # What the DPO approves for the class when its records fall due.
    action = models.CharField(
        max_length=12, choices=RetentionAction.choices, default=RetentionAction.ANONYMISE
    )
    # Where the period comes from ("Council retention schedule 2026, line 14").
    source = models.CharField(max_length=200, blank=True)
    # Seeded by OnePlan and not yet confirmed by the council.
    is_example = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["record_class"]
        verbose_name_plural = "retention policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(record_class__in=[c.value for c in RecordClass]),
                name="retention_policy_class_known",
            ),
            models.CheckConstraint(
                condition=Q(years__gte=1) & Q(years__lte=100), name="retention_policy_years"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_record_class_display()}: {self.years} years"


@audited()
class LegalHold(models.Model):
    """A legal hold on a family or a person: while it holds, their records are not
    listed for review and not anonymised or deleted (checked again when a batch runs).
    Lifted by the DPO, or ends after ``until``."""

    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, null=True, blank=True, related_name="legal_holds"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="legal_holds"
    )
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField()
    until = models.DateField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(family__isnull=False) & Q(person__isnull=True))
                | (Q(family__isnull=True) & Q(person__isnull=False)),
                name="legal_hold_on_family_or_person",
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | Q(lifted_by__isnull=False),
                name="legal_hold_lifted_by_someone",
            ),
        ]

    def __str__(self) -> str:
        what = f"family {self.family_id}" if self.family_id else f"person {self.person_id}"
        return f"Legal hold on {what}"


class BatchStatus(models.TextChoices):
    OPEN = "open", "Waiting for approval"
    APPROVED = "approved", "Approved: running"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


@audited()
class RetentionBatch(models.Model):
    """Records of one class due for review, gathered for the DPO to approve together.
    Approval starts the background job (``oneplan.models.Job``) that anonymises (or
    deletes) them."""

    record_class = models.CharField(max_length=32, choices=RECORD_CLASS_CHOICES)
    action = models.CharField(max_length=12, choices=RetentionAction.choices)
    status = models.CharField(max_length=12, choices=BatchStatus.choices, default=BatchStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "retention batches"
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(status="cancelled") | Q(approved_at__isnull=False),
                name="retention_batch_approved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Retention batch {self.pk}"


class ReviewStatus(models.TextChoices):
    DUE = "due", "Due for review"
    IN_BATCH = "in_batch", "In a batch"
    EXCLUDED = "excluded", "Left out"
    HELD = "held", "Skipped: legal hold"
    ANONYMISED = "anonymised", "Anonymised"
    DELETED = "deleted", "Deleted"


# Statuses in which a record is still waiting: the nightly listing adds no second row
# for a record with one of these, whatever its due date.
OPEN_REVIEW_STATUSES = (ReviewStatus.DUE, ReviewStatus.IN_BATCH)


@audited()
class RetentionReview(models.Model):
    """One record due for review: a family (closed case, not taken on) or an agency's
    record of a person never matched to a family. Listed by the nightly job; one row per
    record and due date, so listing twice adds nothing."""

    record_class = models.CharField(max_length=32, choices=RECORD_CLASS_CHOICES)
    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, null=True, blank=True, related_name="retention_reviews"
    )
    # SET_NULL: a deleted feed record leaves its review row, saying it was deleted.
    source_person = models.ForeignKey(
        SourcePerson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retention_reviews",
    )
    due_on = models.DateField()
    listed_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.DUE)
    batch = models.ForeignKey(
        RetentionBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    excluded_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "record_class"], name="retention_review_open")]
        constraints = [
            # Idempotent listing: one row per family (or feed record) and due date.
            models.UniqueConstraint(
                fields=["record_class", "family", "due_on"],
                condition=Q(family__isnull=False),
                name="retention_review_one_per_family_due",
            ),
            models.UniqueConstraint(
                fields=["record_class", "source_person", "due_on"],
                condition=Q(source_person__isnull=False),
                name="retention_review_one_per_source_due",
            ),
            # And never two open rows for one record.
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(family__isnull=False, status__in=["due", "in_batch"]),
                name="retention_review_one_open_per_family",
            ),
            models.UniqueConstraint(
                fields=["source_person"],
                condition=Q(source_person__isnull=False, status__in=["due", "in_batch"]),
                name="retention_review_one_open_per_source",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["due", "excluded", "held"]) | Q(batch__isnull=False),
                name="retention_review_batched_has_batch",
            ),
        ]

    def __str__(self) -> str:
        return f"Retention review {self.pk}"


class AnonymisationRecord(models.Model):
    """What one run of a batch did: who approved it, when, which class, and how many rows
    of which tables it changed. No personal data: the families are named by id in the
    batch's reviews, not here. Append-only, like the access events."""

    batch = models.ForeignKey(RetentionBatch, on_delete=models.PROTECT, related_name="records")
    record_class = models.CharField(max_length=32, choices=RECORD_CLASS_CHOICES)
    action = models.CharField(max_length=12, choices=RetentionAction.choices)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    records_done = models.PositiveIntegerField()
    records_held = models.PositiveIntegerField()
    # {"families.Person": 3, "families.PersonEvent": 7, ...}: rows changed per table.
    rows_changed = models.JSONField(default=dict)
    rows_deleted = models.JSONField(default=dict)

    class Meta:
        ordering = ["-finished_at", "-pk"]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"Anonymisation record {self.pk}"
