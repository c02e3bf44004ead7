"""Access records: lawful bases, the team around a family, grants, break-glass access.

Imported into ``families.models``. Grants are the source of truth for who may see a
family outside the role-derived scopes (LCG coordinators, programme-wide roles); they are
written only by ``families.access.grants`` reacting to domain events, never by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency
from audit.history import audited
from families.access.rules import BreakGlassCategory
from oneplan.dates import govuk_date, govuk_datetime


class LawfulBasisKind(models.TextChoices):
    CONSENT = "consent", "Consent"
    STATUTORY_GATEWAY = "statutory_gateway", "Statutory gateway"


@audited()
class LawfulBasis(models.Model):
    """Why agencies may share information about a family (DOMAIN.md section 7).

    Consent is given by a family member (``person``) and can be withdrawn; a statutory
    gateway (e.g. a section 47 safeguarding enquiry) names the law it rests on.
    """

    family = models.ForeignKey(
        "families.Family", on_delete=models.CASCADE, related_name="lawful_bases"
    )
    person = models.ForeignKey(
        "families.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lawful_bases",
        help_text="The family member who gave consent",
    )
    kind = models.CharField(max_length=20, choices=LawfulBasisKind.choices)
    gateway = models.CharField(
        max_length=300, blank=True, help_text="The law a statutory gateway rests on"
    )
    given_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name_plural = "lawful bases"
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="consent") & Q(person__isnull=False))
                | (Q(kind="statutory_gateway") & ~Q(gateway="")),
                name="lawful_basis_consent_has_person_gateway_has_law",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="lawful_basis_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == LawfulBasisKind.CONSENT:
            return f"Consent from {self.person} on {govuk_date(self.given_on)}"
        return f"Statutory gateway: {self.gateway}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


@audited()
class TeamMember(models.Model):
    """An agency in the team around the family, and the lawful basis it joined under."""

    family = models.ForeignKey(
        "families.Family", on_delete=models.CASCADE, related_name="team_members"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="team_memberships")
    lawful_basis = models.ForeignKey(
        LawfulBasis, on_delete=models.PROTECT, related_name="team_members"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    removal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "agency"],
                condition=Q(removed_at__isnull=True),
                name="team_member_one_current_per_agency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} on the team for {self.family_id}"


class GrantReason(models.TextChoices):
    LEAD_PROFESSIONAL = "lead_professional", "Lead professional"
    LEAD_AGENCY = "lead_agency", "Lead agency"
    TEAM = "team", "Team around the family"
    BREAK_GLASS = "break_glass", "Emergency access (break glass)"
    # An attendee of an LCG meeting that discusses the family (lcgs.meetings), for the
    # meeting only: opened by the grant source the meetings register with grants_sync.
    MEETING = "meeting", "LCG meeting"


@audited()
class Grant(models.Model):
    """Who (a user or an agency) may see a family, why, from what, and until when."""

    family = models.ForeignKey("families.Family", on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="family_grants",
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="family_grants"
    )
    reason = models.CharField(max_length=20, choices=GrantReason.choices)
    # What the grant rests on, e.g. "lead:12", "team:7", "break_glass:3": one active grant
    # per source, so re-running a sync changes nothing.
    source = models.CharField(max_length=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="When the grant lapses by itself (break glass)"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    # What the grant rests on, in words, when that is a record outside families (the LCG
    # meeting an attendee was invited to): the "why can I see this family?" page says it.
    about = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(
                fields=["user", "family"],
                condition=Q(ended_at__isnull=True),
                name="grant_open_by_user",
            ),
            models.Index(
                fields=["agency", "family"],
                condition=Q(ended_at__isnull=True),
                name="grant_open_by_agency",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(agency__isnull=True))
                | (Q(user__isnull=True) & Q(agency__isnull=False)),
                name="grant_to_user_or_agency",
            ),
            models.UniqueConstraint(
                fields=["family", "source"],
                condition=Q(ended_at__isnull=True),
                name="grant_one_open_per_source",
            ),
        ]

    def __str__(self) -> str:
        who = f"user {self.user_id}" if self.user_id else f"agency {self.agency_id}"
        return f"{who} may see {self.family_id} ({self.reason})"


@audited()
class BreakGlassAccess(models.Model):
    """Emergency access outside a user's scope: reason given, time-limited, reviewed."""

    family = models.ForeignKey(
        "families.Family", on_delete=models.CASCADE, related_name="break_glass_accesses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_accesses"
    )
    # Empty only on accesses opened before the kind of emergency was asked for.
    category = models.CharField(max_length=30, choices=BreakGlassCategory.choices, blank=True)
    reason = models.TextField()
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    review_outcome = models.CharField(
        max_length=20,
        blank=True,
        choices=[("justified", "Justified"), ("not_justified", "Not justified")],
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["reviewed_at", "-started_at"]),
            # The one-open check and the daily limit look up a user's recent accesses.
            models.Index(fields=["user", "-started_at"], name="break_glass_by_user_time"),
        ]

    def __str__(self) -> str:
        return f"Break glass by {self.user_id} on {self.family_id}"


@audited()
class BreakGlassRefusal(models.Model):
    """A break-glass request refused because the user had reached the daily limit.

    Kept so the data protection officer sees it beside the accesses to review. The
    reference is stored as typed: whether it names a family is not told to the user, and
    ``family`` is filled in only for the officer.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_refusals"
    )
    reference = models.CharField(max_length=12)
    family = models.ForeignKey(
        "families.Family", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category = models.CharField(max_length=30, choices=BreakGlassCategory.choices)
    reason = models.TextField()
    refused_at = models.DateTimeField(default=timezone.now)
    # How many accesses the user had opened in the window when refused.
    accesses_in_window = models.PositiveIntegerField()
    dpo_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-refused_at"]
        indexes = [models.Index(fields=["-refused_at"], name="break_glass_refusal_time")]

    def __str__(self) -> str:
        return f"Break glass refused for {self.user_id}, {govuk_datetime(self.refused_at)}"


__all__ = [
    "BreakGlassAccess",
    "BreakGlassRefusal",
    "Grant",
    "GrantReason",
    "LawfulBasis",
    "LawfulBasisKind",
    "TeamMember",
]
