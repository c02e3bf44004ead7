"""Test data for intensive support: two providers with a key worker each, contracted
places this financial year, and screened families waiting in each LCG."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from agencies.models import Agency, AgencyKind, Staff
from agencies.services import system_actor
from conftest import World
from families.models import Family, FamilyStatusChange, Grant, LeadAssignment
from families.states import FamilyStatus
from lcgs.intensive.models import IntensiveNomination, IntensivePlaces
from outcomes.money.rules import financial_year_of
from tests.factories import AgencyFactory, FamilyFactory, MembershipFactory, StaffFactory


@dataclass
class Intensive:
    world: World
    provider: Agency
    provider_worker: Staff
    other_provider: Agency
    other_provider_worker: Staff
    # Screened, in Winchester (the coordinator's LCG) and in Havant.
    family: Family
    other_lcg_family: Family
    year: int


def this_year() -> int:
    return financial_year_of(timezone.localdate())


def places(provider: Agency, count: int, year: int | None = None) -> IntensivePlaces:
    return IntensivePlaces.objects.create(
        provider=provider,
        financial_year=this_year() if year is None else year,
        places=count,
        updated_by=system_actor(),
        updated_at=timezone.now(),
    )


def screened(world: World, **kwargs: object) -> Family:
    family = FamilyFactory(**{"lcg": world.winchester, "status": FamilyStatus.SCREENED, **kwargs})
    MembershipFactory(family=family, person__given_name="Sam", person__family_name="Dunne")
    return family


def intensive(world: World, *, contracted: int | None = 2) -> Intensive:
    provider = AgencyFactory(
        code="IFSS", name="Intensive Family Support", kind=AgencyKind.INTENSIVE_SUPPORT_PROVIDER
    )
    other = AgencyFactory(
        code="IFSS2", name="Families First Intensive", kind=AgencyKind.INTENSIVE_SUPPORT_PROVIDER
    )
    worker = StaffFactory(
        user__username="ifss-worker",
        user__first_name="Ira",
        user__last_name="Shaw",
        agency=provider,
    )
    other_worker = StaffFactory(user__username="ifss2-worker", agency=other)
    if contracted is not None:
        places(provider, contracted)
        places(other, contracted)
    return Intensive(
        world=world,
        provider=provider,
        provider_worker=worker,
        other_provider=other,
        other_provider_worker=other_worker,
        family=screened(world),
        other_lcg_family=screened(world, lcg=world.havant, address__postcode="PO9 1AB"),
        year=this_year(),
    )


def snapshot() -> tuple[object, ...]:
    """Every row nominating, deciding and allocating write: a refusal changes none."""
    return (
        sorted(
            IntensiveNomination.objects.values_list(
                "pk", "status", "decided_by_id", "decision_note", "place_year"
            )
        ),
        sorted(IntensivePlaces.objects.values_list("pk", "places")),
        sorted(
            Family.objects.values_list(
                "pk", "status", "track", "lead_agency_id", "lead_professional_id"
            )
        ),
        sorted(LeadAssignment.objects.values_list("pk", "ended_at")),
        sorted(Grant.objects.values_list("pk", "ended_at")),
        FamilyStatusChange.objects.count(),
    )
