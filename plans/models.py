"""The single family plan: the family's voice, needs, goals, actions, reviews, agreement.

One live plan per family ("one family, one plan"). Every saved change bumps the plan's
``version`` and stores a full snapshot in ``PlanVersion``, so any two versions can be
compared and nothing is overwritten unseen: every save carries the version the editor
started from, and a save from a stale version is refused (no lost updates).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from agencies.models import Agency, Staff
from audit.history import audited
from families.models import Family, Person
from oneplan.dates import govuk_date


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft: not yet agreed"
    AGREED = "agreed", "Agreed with the family"


@audited()
class Plan(models.Model):
    family = models.OneToOneField(Family, on_delete=models.CASCADE, related_name="plan")
    # Agreed while what the family agreed to is unchanged (plans.plan.rules, "What the
    # family agrees to"); kept by plans.plan.services.plan_change_record at every save.
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    # plans.plan.rules.terms_fingerprint of the plan as the family last agreed it; empty
    # when they never agreed one (or it was loaded in bulk without one).
    agreed_terms = models.CharField(max_length=64, blank=True, default="", db_default="")
    # Bumped by every saved change to the plan or anything in it; the ETag of the plan.
    version = models.PositiveIntegerField(default=1)
    # The family's voice, in their words.
    working_well = models.TextField("What is working well", blank=True)
    worries = models.TextField("What we are worried about", blank=True)
    family_wants = models.TextField("What the family wants to change", blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["next_review_on"]),
            # Drift: plans with no saved change since a date (the LCG dashboard).
            models.Index(fields=["updated_at"], name="plan_updated_at"),
        ]

    def __str__(self) -> str:
        return f"Plan for {self.family}"


class PlanVersion(models.Model):
    """A full snapshot of the plan after one saved change (append-only)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    summary = models.CharField(max_length=300, help_text="What changed, in words")
    # The change added, removed or changed restricted content (plans.restricted), so its
    # summary may name it: shown only to those who may see restricted information.
    is_restricted = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number}"


class NeedSource(models.TextChoices):
    ASSESSMENT = "assessment", "Identified from agency data"
    NOMINATION = "nomination", "Named in a nomination"
    PRACTITIONER = "practitioner", "Found during the work"


@audited()
class Need(models.Model):
    """A problem or need the family has: an identified framework criterion (``code``,
    e.g. ``education``) or one found during the work. Each open need must have at least
    one goal before the plan can be agreed."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="needs")
    code = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    source = models.CharField(max_length=12, choices=NeedSource.choices)
    framework = models.CharField(max_length=8, blank=True)
    members = models.ManyToManyField(Person, blank=True, related_name="needs")
    identified_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["family", "identified_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "code"],
                condition=Q(closed_on__isnull=True),
                name="need_one_open_per_code",
            )
        ]

    def __str__(self) -> str:
        return self.label


class GoalStatus(models.TextChoices):
    OPEN = "open", "Working on it"
    ACHIEVED = "achieved", "Achieved"
    STOPPED = "stopped", "No longer needed"


@audited()
class Goal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    needs = models.ManyToManyField(Need, blank=True, related_name="goals")
    members = models.ManyToManyField(Person, blank=True, related_name="goals")
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class ActionOwner(models.TextChoices):
    AGENCY = "agency", "An agency"
    FAMILY = "family", "The family (a commitment)"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_DONE = "not_done", "Not done"


OPEN_ACTION_STATUSES = frozenset({ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS})


@audited()
class Action(models.Model):
    """Something an agency (optionally a named practitioner) or the family will do."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    # Denormalised from goal.plan so "my actions" and attention lists need no join chain.
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=8, choices=ActionOwner.choices)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_actions"
    )
    practitioner = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_actions"
    )
    family_member = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_actions",
        help_text="For a family commitment: who in the family, if one person",
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    not_done_reason = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    review = models.ForeignKey(
        "plans.Review",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions_created",
        help_text="The review meeting that decided this action, if any",
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["goal", "due_on", "pk"]
        indexes = [
            models.Index(fields=["agency", "status", "due_on"]),
            models.Index(fields=["practitioner", "status", "due_on"]),
            models.Index(fields=["plan", "status", "due_on"]),
            # Agencies' overdue actions, counted across a whole caseload by the LCG
            # dashboard (lcgs.caseload.conditions.overdue_actions).
            models.Index(
                fields=["due_on"],
                include=["plan", "agency"],
                # Written out rather than IN: PostgreSQL gives an IN list back in
                # another form after a dump and reload (oneplan/tests/test_seed_loading).
                condition=Q(owner="agency") & (Q(status="in_progress") | Q(status="not_started")),
                name="action_open_agency_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner="agency") & Q(agency__isnull=False))
                | (Q(owner="family") & Q(agency__isnull=True) & Q(practitioner__isnull=True)),
                name="action_owner_agency_or_family",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_done") | ~Q(not_done_reason=""),
                name="action_not_done_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]


class ActionProgressNote(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="progress_notes")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["action", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Note on action {self.action_id}"


@audited()
class Review(models.Model):
    """A team around the family meeting: who came, how each goal is going, what was
    decided, and when the next review is."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    attendee_agencies = models.ManyToManyField(Agency, blank=True, related_name="+")
    attendee_members = models.ManyToManyField(Person, blank=True, related_name="+")
    other_attendees = models.CharField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    next_review_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review_on__gt=models.F("held_on")),
                name="review_next_after_held",
            )
        ]

    def __str__(self) -> str:
        return f"Review on {govuk_date(self.held_on)}"


class GoalRatingValue(models.TextChoices):
    WORSE = "worse", "Getting worse"
    NO_CHANGE = "no_change", "No change"
    SOME_PROGRESS = "some_progress", "Some progress"
    GOOD_PROGRESS = "good_progress", "Good progress"
    ACHIEVED = "achieved", "Achieved"


class GoalRating(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="ratings")
    rating = models.CharField(max_length=14, choices=GoalRatingValue.choices)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="goal_rating_once_per_review")
        ]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.get_rating_display()}"


class AgreementMethod(models.TextChoices):
    SIGNED = "signed", "Signed on paper"
    ELECTRONIC = "electronic", "Signed electronically"
    VERBAL = "verbal", "Agreed verbally (recorded by the key worker)"


@audited()
class Agreement(models.Model):
    """The family agreed the plan as it stood at ``plan_version``."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="agreements")
    plan_version = models.PositiveIntegerField()
    agreed_on = models.DateField()
    signed_by = models.ManyToManyField(Person, related_name="+")
    method = models.CharField(max_length=12, choices=AgreementMethod.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "-agreed_on", "-pk"]

    def __str__(self) -> str:
        return f"Agreed on {govuk_date(self.agreed_on)}"


@audited()
class CaseNote(models.Model):
    """A note on the family or one member. Restricted notes follow the family's
    restricted-information rule (``families.access.access.can_view_restricted``)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="case_notes")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="case_notes"
    )
    text = models.TextField()
    is_restricted = models.BooleanField(default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["family", "-created_at", "-pk"]
        indexes = [models.Index(fields=["family", "-created_at"])]

    def __str__(self) -> str:
        return f"Note by {self.author_id} on {govuk_date(self.created_at)}"


class ReminderDigest(models.Model):
    """One daily reminder email per person per day: the unique key that makes sending
    reminders twice send once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    overdue_actions = models.PositiveIntegerField(default=0)
    reviews_due = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="reminder_digest_once_a_day")
        ]

    def __str__(self) -> str:
        return f"Reminders for {self.recipient_id} on {govuk_date(self.day)}"
