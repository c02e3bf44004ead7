"""Reads for intensive support: providers' places, nominations and the waiting list,
and the share of families on each track. Each list is one query however long it is."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from agencies.models import LCG, Agency, AgencyKind, AnyUser
from families.models import Family, Track
from families.states import OPEN_STATES
from lcgs.intensive.access import nomination_scope
from lcgs.intensive.models import IntensiveNomination, IntensiveNominationStatus, IntensivePlaces
from lcgs.screening.access import lcg_work_scope
from outcomes.money.rules import financial_year_of

WAITING = IntensiveNominationStatus.WAITING
ACCEPTED = IntensiveNominationStatus.ACCEPTED
# DOMAIN.md 1: about 20-30% of families go to the intensive service. A council that
# agreed another share sets ONEPLAN_INTENSIVE_SHARE_TARGET = (low, high) in percent.
DEFAULT_INTENSIVE_TARGET = (20, 30)


def current_financial_year(today: datetime.date) -> int:
    return financial_year_of(today)


# ---------------------------------------------------------------------------
# Providers and their places
# ---------------------------------------------------------------------------


def provider_choices() -> QuerySet[Agency]:
    """The intensive support providers families can be nominated to: active ones, by name."""
    return Agency.objects.filter(
        kind=AgencyKind.INTENSIVE_SUPPORT_PROVIDER, is_active=True
    ).order_by("name")


@dataclass(frozen=True)
class ProviderPlaces:
    """A provider's year: the places contracted (None: no contract recorded), the
    families it accepted that year, and the nominations waiting for its decision."""

    provider: Agency
    financial_year: int
    contracted: int | None
    accepted: int
    waiting: int

    @property
    def left(self) -> int:
        return max((self.contracted or 0) - self.accepted, 0)


def _count(queryset: QuerySet[IntensiveNomination]) -> Coalesce:
    counted = queryset.order_by().values("provider_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def provider_places(*, financial_year: int, include_inactive: bool = False) -> list[ProviderPlaces]:
    """Every provider's places in ``financial_year``: contracted, accepted, left, and
    how many nominations wait for it (all LCGs: places are shared by the whole
    programme). One query."""
    providers = Agency.objects.filter(kind=AgencyKind.INTENSIVE_SUPPORT_PROVIDER)
    if not include_inactive:
        providers = providers.filter(is_active=True)
    contracted = IntensivePlaces.objects.filter(
        provider_id=OuterRef("pk"), financial_year=financial_year
    ).values("places")[:1]
    rows = providers.annotate(
        contracted=Subquery(contracted, output_field=IntegerField()),
        accepted=_count(
            IntensiveNomination.objects.filter(
                provider_id=OuterRef("pk"), status=ACCEPTED, place_year=financial_year
            )
        ),
        waiting=_count(
            IntensiveNomination.objects.filter(provider_id=OuterRef("pk"), status=WAITING)
        ),
    ).order_by("name", "pk")
    return [
        ProviderPlaces(
            provider=row,
            financial_year=financial_year,
            contracted=row.contracted,
            accepted=row.accepted,
            waiting=row.waiting,
        )
        for row in rows
    ]


def places_history(provider: Agency) -> QuerySet[IntensivePlaces]:
    """A provider's contracts, newest year first."""
    return IntensivePlaces.objects.filter(provider=provider).order_by("-financial_year")


# ---------------------------------------------------------------------------
# Nominations and the waiting list
# ---------------------------------------------------------------------------


def nomination_list_for_user(
    user: AnyUser,
    *,
    status: str | None = None,
    provider: Agency | None = None,
    lcg: LCG | None = None,
) -> QuerySet[IntensiveNomination]:
    """The nominations ``user`` sees (``access.nomination_scope``), oldest first, each
    with ``queue_position``: its place among every nomination waiting for the same
    provider (1 is next), across all LCGs; None once decided."""
    ahead = IntensiveNomination.objects.filter(
        provider_id=OuterRef("provider_id"), status=WAITING
    ).filter(
        Q(nominated_at__lt=OuterRef("nominated_at"))
        | Q(nominated_at=OuterRef("nominated_at"), pk__lt=OuterRef("pk"))
    )
    rows = IntensiveNomination.objects.filter(nomination_scope(user))
    if status:
        rows = rows.filter(status=status)
    if provider is not None:
        rows = rows.filter(provider=provider)
    if lcg is not None:
        rows = rows.filter(lcg=lcg)
    counted = ahead.order_by().values("provider_id").annotate(n=Count("pk")).values("n")
    return (
        rows.select_related(
            "family", "lcg", "provider", "nominated_by", "decided_by", "lead_professional__user"
        )
        .annotate(ahead=Coalesce(Subquery(counted, output_field=IntegerField()), 0))
        .order_by("nominated_at", "pk")
    )


def queue_position(nomination: IntensiveNomination) -> int | None:
    """Where a nomination annotated by ``nomination_list_for_user`` stands (1 is next)."""
    if nomination.status != WAITING:
        return None
    return int(getattr(nomination, "ahead", 0)) + 1


def waiting_list_for_user(
    user: AnyUser, *, provider: Agency | None = None, lcg: LCG | None = None
) -> QuerySet[IntensiveNomination]:
    """The nominations waiting for a provider's decision that ``user`` sees, oldest first."""
    return nomination_list_for_user(user, status=WAITING, provider=provider, lcg=lcg)


def nomination_get_for_user_or_404(user: AnyUser, pk: int) -> IntensiveNomination:
    """A nomination ``user`` sees: 404 for one outside their scope, as for a missing one."""
    nomination = nomination_list_for_user(user).filter(pk=pk).first()
    if nomination is None:
        raise Http404("No nomination found")
    return nomination


def nominations_for_family(family: Family) -> QuerySet[IntensiveNomination]:
    """A family's nominations, newest first (for those who nominate it)."""
    return (
        IntensiveNomination.objects.filter(family=family)
        .select_related("provider", "nominated_by", "decided_by", "lead_professional__user")
        .order_by("-nominated_at", "-pk")
    )


def lcgs_for_user(user: AnyUser) -> QuerySet[LCG]:
    """The LCGs whose waiting list ``user`` sees, by name."""
    return LCG.objects.filter(lcg_work_scope(user)).order_by("name")


# ---------------------------------------------------------------------------
# The twin track's shares
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackShares:
    """How the open, allocated families divide between the two tracks (DOMAIN.md 1)."""

    intensive: int
    local: int
    target_low: int
    target_high: int

    @property
    def total(self) -> int:
        return self.intensive + self.local

    @property
    def intensive_percent(self) -> Decimal:
        return _percent(self.intensive, self.total)

    @property
    def local_percent(self) -> Decimal:
        return _percent(self.local, self.total)

    @property
    def within_target(self) -> bool | None:
        """Whether the intensive share is inside the target range (both ends
        included); None while no family is on either track."""
        if not self.total:
            return None
        return self.target_low <= self.intensive_percent <= self.target_high

    @property
    def verdict(self) -> str:
        """The share against the target, in words."""
        within = self.within_target
        if within is None:
            return "No open family has been allocated to a track yet"
        if within:
            return "Within the target"
        if self.intensive_percent < self.target_low:
            return "Below the target"
        return "Above the target"


def _percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def intensive_target() -> tuple[int, int]:
    low, high = getattr(settings, "ONEPLAN_INTENSIVE_SHARE_TARGET", DEFAULT_INTENSIVE_TARGET)
    return int(low), int(high)


def track_shares(lcg: LCG | None = None) -> TrackShares:
    """The open families (not closed, not left the journey) on each track, in ``lcg``
    or, with None, across the whole programme (the unassigned list included), against
    the intensive target (20-30%, DOMAIN.md 1). Families not yet allocated have no
    track and are not counted. One query. Not scoped to a user: the caller checks that
    the viewer may see the LCG's figures (numbers only, no family named)."""
    families = Family.objects.filter(status__in=[s.value for s in OPEN_STATES])
    if lcg is not None:
        families = families.filter(lcg=lcg)
    counts = families.aggregate(
        intensive=Count("pk", filter=Q(track=Track.INTENSIVE)),
        local=Count("pk", filter=Q(track=Track.LOCAL)),
    )
    low, high = intensive_target()
    return TrackShares(
        intensive=counts["intensive"], local=counts["local"], target_low=low, target_high=high
    )
