"""Twin track: the intensive family support service's contracted places and the LCG's
nominations of families to it (DOMAIN.md 1: about 20-30% of families, those in greatest
need, go to a commissioned Intensive Family Support Service; Hampshire: 4 providers,
376 families a year)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from agencies.models import LCG, Agency, Staff
from audit.history import audited
from families.models import Family


@audited()
class IntensivePlaces(models.Model):
    """How many families a provider is contracted to take on in one financial year
    (1 April to 31 March). Set by the programme manager; every change is kept (history).
    A provider with no row for a year has no places that year."""

    provider = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="intensive_places")
    # The calendar year the financial year starts in: 2025 for April 2025 to March 2026.
    financial_year = models.PositiveSmallIntegerField()
    places = models.PositiveIntegerField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "lcgs_intensive_places"
        ordering = ["provider__name", "financial_year"]
        verbose_name = "intensive support places"
        verbose_name_plural = "intensive support places"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "financial_year"], name="intensive_places_one_per_year"
            ),
        ]

    def __str__(self) -> str:
        year = self.financial_year
        return f"{self.provider_id}: {self.places} places {year} to {year + 1}"


class IntensiveNominationStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for the provider"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


@audited()
class IntensiveNomination(models.Model):
    """An LCG's nomination of one of its families to an intensive support provider.

    Waiting until the provider accepts (the family is allocated to it on the intensive
    track, and takes one of its places for the year) or declines with a reason, or the
    LCG withdraws it. A family has at most one waiting nomination at a time.
    """

    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="intensive_nominations"
    )
    # The family's LCG when it was nominated: whose waiting list it is on.
    lcg = models.ForeignKey(LCG, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    provider = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="intensive_nominations"
    )
    reason = models.TextField()
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    nominated_at = models.DateTimeField()
    status = models.CharField(
        max_length=10,
        choices=IntensiveNominationStatus.choices,
        default=IntensiveNominationStatus.WAITING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # When the provider's staff were emailed that the family waits for their decision
    # (lcgs.intensive.services.nomination_notice_send): once per nomination.
    provider_notified_at = models.DateTimeField(null=True, blank=True)
    # The provider's reason for declining, the coordinator's for withdrawing, or the
    # provider's note on accepting.
    decision_note = models.TextField(blank=True)
    # Accepted: the financial year whose place the family took, and the lead
    # professional the provider named (if it named one then).
    place_year = models.PositiveSmallIntegerField(null=True, blank=True)
    lead_professional = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "lcgs_intensive_nomination"
        ordering = ["nominated_at", "pk"]
        indexes = [
            models.Index(fields=["provider", "status", "nominated_at"]),
            models.Index(fields=["lcg", "status", "nominated_at"]),
            models.Index(
                fields=["provider", "place_year"],
                condition=Q(status="accepted"),
                name="intensive_accepted_by_year",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(status="waiting"),
                name="intensive_nomination_one_waiting_per_family",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "accepted", "declined", "withdrawn"]),
                name="intensive_nomination_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status="waiting", decided_at__isnull=True, decided_by__isnull=True)
                | (~Q(status="waiting") & Q(decided_at__isnull=False, decided_by__isnull=False)),
                name="intensive_nomination_decided_when_not_waiting",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["declined", "withdrawn"]) | ~Q(decision_note=""),
                name="intensive_nomination_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="accepted", place_year__isnull=False)
                | (~Q(status="accepted") & Q(place_year__isnull=True)),
                name="intensive_nomination_accepted_takes_a_place",
            ),
        ]

    def __str__(self) -> str:
        # Named as the source of the allocation it leads to (the lead history).
        return f"Intensive support nomination {self.pk} to {self.provider.name}"

    @property
    def is_waiting(self) -> bool:
        return self.status == IntensiveNominationStatus.WAITING
