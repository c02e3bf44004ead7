"""factory-boy factories for tests. Valid identifiers by construction."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import factory
from django.utils import timezone

from agencies.models import LCG, Agency, AgencyKind, LCGMembership, Staff, User
from agencies.roles import Role
from families import identifiers
from families.models import Address, Family, HouseholdMembership, MemberRole, Person
from families.services import family_references_next
from families.states import FamilyStatus

_counter = itertools.count(1)


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AG{n:04d}")
    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.OTHER


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class StaffFactory(factory.django.DjangoModelFactory[Staff]):
    class Meta:
        model = Staff

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    job_title = "Family support worker"
    roles = factory.LazyFunction(lambda: [Role.FAMILY_SUPPORT_WORKER.value])


class LCGFactory(factory.django.DjangoModelFactory[LCG]):
    class Meta:
        model = LCG
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"LCG{n}")
    name = factory.Sequence(lambda n: f"LCG number {n}")
    districts = factory.LazyFunction(lambda: ["Winchester"])
    postcode_districts = factory.LazyFunction(lambda: ["SO23"])


def coordinator_of(lcg: LCG, **kwargs: Any) -> Staff:
    staff = StaffFactory(roles=[Role.LCG_COORDINATOR.value], job_title="LCG coordinator", **kwargs)
    LCGMembership.objects.create(lcg=lcg, staff=staff, is_coordinator=True)
    return staff


class AddressFactory(factory.django.DjangoModelFactory[Address]):
    class Meta:
        model = Address

    line_1 = factory.Faker("street_address", locale="en_GB")
    town = "Winchester"
    postcode = "SO23 8UG"


def _nhs_number() -> str:
    while True:
        candidate = identifiers.nhs_number_with_check_digit(f"{400000000 + next(_counter):09d}")
        if candidate:
            return candidate


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = datetime.date(1985, 6, 1)
    nhs_number = factory.LazyFunction(_nhs_number)


class FamilyFactory(factory.django.DjangoModelFactory[Family]):
    class Meta:
        model = Family

    reference = factory.LazyFunction(lambda: family_references_next(1)[0])
    lcg = factory.SubFactory(LCGFactory)
    status = FamilyStatus.IDENTIFIED
    status_changed_at = factory.LazyFunction(timezone.now)
    address = factory.SubFactory(AddressFactory)


class MembershipFactory(factory.django.DjangoModelFactory[HouseholdMembership]):
    class Meta:
        model = HouseholdMembership

    family = factory.SubFactory(FamilyFactory)
    person = factory.SubFactory(PersonFactory)
    role = MemberRole.PARENT_CARER
    start_date = datetime.date(2025, 1, 1)
