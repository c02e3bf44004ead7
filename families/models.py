"""Families, the people in them, where they live and who leads the work."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Func, Q
from django.db.models.functions import Upper
from django.utils.deconstruct import deconstructible

from agencies.models import LCG, Agency, Staff
from audit.history import audited
from families import identifiers
from families.states import FamilyStatus
from oneplan.dates import govuk_date


@deconstructible
class IdentifierValidator:
    """Validate with one of ``families.identifiers``' ``*_error`` checks, by name.

    By name so migrations can serialise it; the check itself stays pure.
    """

    def __init__(self, check: str) -> None:
        self.check = check

    def __call__(self, value: str) -> None:
        if value:
            message = getattr(identifiers, self.check)(value)
            if message:
                raise ValidationError(message)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IdentifierValidator) and other.check == self.check

    def __hash__(self) -> int:
        return hash(self.check)


validate_upn = IdentifierValidator("upn_error")
validate_nhs_number = IdentifierValidator("nhs_number_error")
validate_ni_number = IdentifierValidator("ni_number_error")
validate_postcode = IdentifierValidator("postcode_error")


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "X", "Not specified"


@audited()
class Address(models.Model):
    line_1 = models.CharField(max_length=200, blank=True)
    line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, validators=[validate_postcode], db_index=True)
    uprn = models.CharField(max_length=12, blank=True, db_index=True)
    # A refuge or safe address: restricted information (DOMAIN.md section 7).
    is_protected = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line_1, self.town, self.postcode) if p)

    @property
    def postcode_district(self) -> str:
        return identifiers.postcode_district(self.postcode)


@audited()
class Person(models.Model):
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    upn = models.CharField(
        "Unique Pupil Number", max_length=13, blank=True, validators=[validate_upn]
    )
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number]
    )
    ni_number = models.CharField(
        "National Insurance number", max_length=9, blank=True, validators=[validate_ni_number]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["date_of_birth"]),
            # Typo-tolerant search and match blocking (pg_trgm, migration 0002).
            GinIndex(
                OpClass(Upper("family_name"), name="gin_trgm_ops"), name="person_family_name_trgm"
            ),
            GinIndex(
                OpClass(Upper("given_name"), name="gin_trgm_ops"), name="person_given_name_trgm"
            ),
            # Match blocking: family names that sound alike, born near the same date
            # (outcomes.matching.blocking, pass 4; fuzzystrmatch, migration 0002).
            models.Index(
                Func(Upper("family_name"), function="dmetaphone", output_field=models.TextField()),
                "date_of_birth",
                name="person_family_dmetaphone_dob",
            ),
        ]
        # An identifier names one person; matching (FEEDS.md) relies on it.
        constraints = [
            models.UniqueConstraint(fields=["upn"], condition=~Q(upn=""), name="person_upn_unique"),
            models.UniqueConstraint(
                fields=["nhs_number"], condition=~Q(nhs_number=""), name="person_nhs_unique"
            ),
            models.UniqueConstraint(
                fields=["ni_number"], condition=~Q(ni_number=""), name="person_ni_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: datetime.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Track(models.TextChoices):
    """The LCG's twin track (DOMAIN.md 1): a commissioned intensive family support
    service for the families in greatest need, or better-coordinated local help."""

    INTENSIVE = "intensive", "Intensive"
    LOCAL = "local", "Local"


@audited()
class Family(models.Model):
    reference = models.CharField(max_length=12, unique=True, editable=False)
    lcg = models.ForeignKey(
        LCG,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="families",
        help_text="Empty when the address is outside every LCG (the unassigned list)",
    )
    status = models.CharField(
        max_length=20, choices=FamilyStatus.choices, default=FamilyStatus.IDENTIFIED
    )
    status_changed_at = models.DateTimeField()
    address = models.ForeignKey(
        Address, on_delete=models.PROTECT, null=True, blank=True, related_name="families"
    )
    lead_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="led_families"
    )
    lead_professional = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="led_families"
    )
    attached_on = models.DateField(
        null=True, blank=True, help_text="The date the family was taken on by the programme"
    )
    # Set by the LCG's allocation (lcgs.allocation); empty until the family is allocated.
    track = models.CharField(
        max_length=10, choices=Track.choices, blank=True, default="", db_default=""
    )
    # When the family's first lead assignment on the local track started: the moment the
    # LCG "took it on" for its grant (lcgs.money.selectors.taken_on_q). Kept by
    # families.services.family_set_lead, which writes every LeadAssignment, so the LCG
    # dashboard and the grant statement count by a column, not by the history.
    first_local_lead_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reference"]
        verbose_name_plural = "families"
        indexes = [
            models.Index(fields=["lcg", "status"]),
            models.Index(fields=["lead_professional", "status"]),
            models.Index(fields=["lead_agency", "status"]),
            models.Index(fields=["status"]),
            # Families taken on in a financial year, by LCG, from the index alone.
            models.Index(
                fields=["first_local_lead_at"],
                include=["lcg"],
                condition=Q(first_local_lead_at__isnull=False),
                name="family_first_local_lead",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=FamilyStatus.values), name="family_status_known"
            ),
            models.CheckConstraint(
                condition=Q(lead_professional__isnull=True) | Q(lead_agency__isnull=False),
                name="family_lead_professional_needs_agency",
            ),
            models.CheckConstraint(
                condition=Q(track__in=["", *Track.values]),
                name="family_track_known",
            ),
        ]
        # Permissions a grant or a role gives on a family, decided in
        # families.access.access; their codenames are named in families.access.perms.
        permissions = [
            ("view_restricted_family", "Can see a family's restricted information"),
            ("manage_team_family", "Can change the team around a family"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def status_enum(self) -> FamilyStatus:
        return FamilyStatus(self.status)


class MemberRole(models.TextChoices):
    PARENT_CARER = "parent_carer", "Parent or carer"
    CHILD = "child", "Child"
    OTHER_ADULT = "other_adult", "Other adult"


@audited()
class HouseholdMembership(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=MemberRole.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["family", "start_date", "pk"]
        indexes = [models.Index(fields=["family", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
            ),
            # A person lives in one family's household at a time.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(end_date__isnull=True),
                name="membership_one_current_family",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.family} ({self.get_role_display()})"


class FamilyStatusChange(models.Model):
    """Who moved a family along its journey, when and why (append-only)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=FamilyStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=FamilyStatus.choices)
    reason = models.TextField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["family", "-created_at"]),
            # When each family was allocated, read per family by the LCG dashboard's
            # waits (lcgs.caseload.conditions.stage_since).
            models.Index(
                fields=["family", "-created_at", "-id"],
                condition=Q(to_status="allocated"),
                name="statuschange_allocated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family_id}: {self.from_status or 'new'} to {self.to_status}"


@audited()
class LeadAssignment(models.Model):
    """The history of a family's lead agency and lead professional."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="lead_assignments")
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    lead_professional = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField()
    # The track the family was on while this lead held it (empty before tracks were
    # recorded), and where the decision was made (an LCG meeting, say).
    track = models.CharField(
        max_length=10, choices=Track.choices, blank=True, default="", db_default=""
    )
    source = models.CharField(max_length=200, blank=True, default="", db_default="")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # When the lead professional was emailed about it (lcgs.allocation): once only.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(ended_at__isnull=True),
                name="lead_assignment_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.family_id}: led by {self.lead_agency_id} from {govuk_date(self.started_at)}"


from families.grants_models import (  # noqa: E402 - split out for size; same app
    BreakGlassAccess,
    BreakGlassRefusal,
    Grant,
    GrantReason,
    LawfulBasis,
    LawfulBasisKind,
    TeamMember,
)
from families.household.models import RecordCorrection  # noqa: E402 - household corrections

__all__ = [
    "Address",
    "BreakGlassAccess",
    "BreakGlassRefusal",
    "Family",
    "FamilyStatusChange",
    "Grant",
    "GrantReason",
    "HouseholdMembership",
    "LawfulBasis",
    "LawfulBasisKind",
    "LeadAssignment",
    "MemberRole",
    "Person",
    "RecordCorrection",
    "Sex",
    "TeamMember",
    "Track",
]
