"""Subject access requests and the items assembled for them.

Audit depends on no case app (docs/decisions/0005): the person is named by id, and their
name copied when the request is recorded, not by a foreign key. These tables hold copies
of personal data; they are in the personal data registry so retention finds them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from audit.history import audited
from audit.subject_access import rules


class SubjectAccessStatus(models.TextChoices):
    RECEIVED = rules.RECEIVED, "Received"
    ASSEMBLING = rules.ASSEMBLING, "Assembling"
    READY = rules.READY, "Ready for redaction"
    REDACTED = rules.REDACTED, "Redacted"
    SENT = rules.SENT, "Sent"
    CLOSED = rules.CLOSED, "Closed"


class Requester(models.TextChoices):
    SELF = "self", "The person themselves"
    PARENT = "parent", "A parent or carer on behalf of a child"
    REPRESENTATIVE = "representative", "A solicitor or other representative"
    OTHER = "other", "Someone else with authority"


@audited()
class SubjectAccessRequest(models.Model):
    """One person's request to see what OnePlan holds about them (UK GDPR Article 15)."""

    person_id = models.BigIntegerField(db_index=True)
    person_name = models.CharField(max_length=201)
    requester = models.CharField(max_length=20, choices=Requester.choices)
    requester_name = models.CharField(max_length=200)
    requester_contact = models.TextField(help_text="Where to send the response")
    received_on = models.DateField()
    due_on = models.DateField()
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=24, choices=SubjectAccessStatus.choices, default=SubjectAccessStatus.RECEIVED
    )
    notes = models.TextField(blank=True)
    sent_on = models.DateField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    assembly_job = models.ForeignKey(
        "oneplan.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "subject access request"
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SubjectAccessStatus.values), name="sar_status_known"
            ),
            models.CheckConstraint(
                condition=Q(extension_months__lte=rules.MAX_EXTENSION_MONTHS),
                name="sar_extension_at_most_two_months",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gt=models.F("received_on")), name="sar_due_after_received"
            ),
        ]

    def __str__(self) -> str:
        return f"Subject access request {self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in rules.OPEN_STATES


class SubjectAccessItem(models.Model):
    """One row found about the person, as it was when assembled: its fields as text for
    the bundle, whether it may hold information about other people (the redaction step),
    and the DPO's decision on it."""

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="items"
    )
    source_model = models.CharField(max_length=100)
    source_label = models.CharField(max_length=200)
    row_id = models.CharField(max_length=64)
    # The record this item is, "plans.CaseNote:12"; for a change history row, the record
    # it is the history of, so a decision on a record covers its history too.
    source_row = models.CharField(max_length=170, default="", db_index=True)
    label = models.CharField(max_length=300)
    is_history = models.BooleanField(default=False)
    # [{"field": name, "label": "Given name", "value": "Ann"}...], in the model's order.
    values = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    needs_redaction = models.BooleanField(default=False)
    redaction_hint = models.CharField(max_length=200, blank=True)
    # The DPO's decision: withhold the whole item, or some of its fields, and why.
    redacted = models.BooleanField(default=False)
    redacted_fields = models.JSONField(default=list)
    redaction_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["request", "position", "pk"]
        verbose_name = "subject access item"
        constraints = [
            models.UniqueConstraint(
                fields=["request", "source_model", "row_id"], name="sar_item_one_per_row"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None
