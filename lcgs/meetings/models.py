"""LCG meetings: who came, which families were discussed and why, and what was decided.

A meeting's decisions are written into the family or its plan by their own services
(allocation, the case journey, plan actions, reviews); a ``MeetingDecision`` keeps what
each did and links to what it wrote, so the minutes can say it. Attendees from agencies
not otherwise involved see the agenda's families during the meeting through grants
(``lcgs.meetings.grants``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from agencies.models import LCG, Staff
from audit.history import audited
from oneplan.dates import govuk_datetime


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CLOSED = "closed", "Closed"


@audited()
class Meeting(models.Model):
    """An LCG's meeting: when and where, its attendees and agenda; closed when done."""

    lcg = models.ForeignKey(LCG, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["lcg", "-starts_at"], name="lcg_meeting_by_lcg_time")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="closed") & Q(closed_at__isnull=False))
                | (Q(status="scheduled") & Q(closed_at__isnull=True)),
                name="lcg_meeting_closed_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lcg.name} meeting on {govuk_datetime(self.starts_at)}"

    @property
    def is_closed(self) -> bool:
        return self.status == MeetingStatus.CLOSED


@audited()
class MeetingAttendee(models.Model):
    """A member of staff invited to the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="lcg_meetings")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["staff__user__last_name", "staff__user__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "staff"], name="lcg_meeting_attendee_once")
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} at meeting {self.meeting_id}"


class AgendaReason(models.TextChoices):
    NEW = "new", "New family to allocate"
    STUCK = "stuck", "Stuck case"
    DRIFT = "drift", "No progress for 6 weeks or more (drift)"
    AT_RISK = "at_risk", "Results at risk"
    ADDED = "added", "Added by the coordinator"


@audited()
class AgendaItem(models.Model):
    """A family on the agenda, with why OnePlan proposed it (or that someone added it)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="+")
    reasons = ArrayField(models.CharField(max_length=20, choices=AgendaReason.choices))
    # Why it is stuck, in the caseload's words ("Review overdue"), when it is.
    details = ArrayField(models.CharField(max_length=120), default=list, blank=True)
    position = models.PositiveIntegerField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "family"], name="lcg_meeting_family_once_on_agenda"
            )
        ]

    def __str__(self) -> str:
        return f"Family {self.family_id} on meeting {self.meeting_id}'s agenda"

    @property
    def reason_labels(self) -> list[str]:
        return [AgendaReason(reason).label for reason in self.reasons]


class DecisionKind(models.TextChoices):
    ALLOCATION = "allocation", "Allocate or hand over"
    STATUS = "status", "Change the status"
    ACTION = "action", "Add an action to the plan"
    REVIEW = "review", "Set the next review date"


@audited()
class MeetingDecision(models.Model):
    """One decision about an agenda family, and what it wrote (linked where it made a
    record: the lead assignment, the status change, the plan action)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="decisions")
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    # What the decision did, in words, as the minutes say it.
    summary = models.TextField()
    lead_assignment = models.ForeignKey(
        "families.LeadAssignment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status_change = models.ForeignKey(
        "families.FamilyStatusChange",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.ForeignKey(
        "plans.Action", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    next_review_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for family {self.family_id}"


__all__ = [
    "AgendaItem",
    "AgendaReason",
    "DecisionKind",
    "Meeting",
    "MeetingAttendee",
    "MeetingDecision",
    "MeetingStatus",
]
