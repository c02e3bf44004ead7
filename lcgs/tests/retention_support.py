"""Test data for retention: families whose cases ended long ago, and a canary family
whose distinctive names are written into as many kinds of record as a real case has
(personal details, address, status reasons, notes, plan, evidence and the agency's
record, access events with a search for the name, a lifted legal hold), so a test can
look for the names everywhere after anonymisation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pghistory
from django.utils import timezone

from agencies.services import system_actor
from audit.models import AccessAction
from audit.services import access_event_record, access_events_record_many
from conftest import World
from families.models import Family, FamilyStatusChange, HouseholdMembership, LeadAssignment, Person
from families.states import FamilyStatus
from lcgs.retention.models import LegalHold, RetentionPolicy
from lcgs.retention.rules import EXAMPLE_YEARS, RecordClass
from lcgs.tests.money_support import claim_accepted
from plans.models import CaseNote, Plan
from tests.factories import AddressFactory, FamilyFactory, MembershipFactory, PersonFactory
from tests.support.assessment import evidence_add

# Names no Faker list holds, so a hit in the database can only be the canary's.
CANARY_GIVEN = "Zephyrine"
CANARY_FAMILY = "Quillfeather"
CANARY_CHILD = "Oswaldine"
CANARY_STREET = "Brackenwhistle Lane"
CANARY_WORDS = (CANARY_GIVEN, CANARY_FAMILY, CANARY_CHILD, CANARY_STREET)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def policies_seeded() -> None:
    """The example periods migration 0011 seeds, again: a transactional test (browser
    journeys) starts from tables emptied by the one before."""
    for record_class, years in EXAMPLE_YEARS.items():
        RetentionPolicy.objects.get_or_create(
            record_class=record_class.value,
            defaults={
                "years": years,
                "action": "delete"
                if record_class == RecordClass.UNMATCHED_FEED_RECORD
                else "anonymise",
                "is_example": True,
                "updated_at": timezone.now(),
            },
        )


def family_ended(
    world: World,
    *,
    closed_on: datetime.date,
    attached_on: datetime.date | None = datetime.date(2016, 1, 4),
    identified_on: datetime.date = datetime.date(2015, 11, 2),
    status: FamilyStatus = FamilyStatus.CLOSED,
) -> Family:
    """A family (with one member) whose case ended on ``closed_on``."""
    family = FamilyFactory(
        lcg=world.winchester,
        lead_agency=world.council,
        status=status,
        status_changed_at=at(closed_on),
        attached_on=attached_on,
    )
    MembershipFactory(family=family)
    Family.objects.filter(pk=family.pk).update(created_at=at(identified_on))
    family.refresh_from_db()
    return family


@dataclass(frozen=True)
class Canary:
    family: Family
    parent: Person
    child: Person


def canary_build(world: World, *, closed_on: datetime.date) -> Canary:
    """The canary family: taken on, claimed for, closed on ``closed_on``."""
    actor = world.keyworker.user
    family = FamilyFactory(
        lcg=world.winchester,
        lead_agency=world.council,
        lead_professional=world.keyworker,
        status=FamilyStatus.CLOSED,
        status_changed_at=at(closed_on),
        attached_on=datetime.date(2016, 1, 4),
        address=AddressFactory(line_1=f"7 {CANARY_STREET}", postcode="SO23 7QQ"),
    )
    parent = PersonFactory(
        given_name=CANARY_GIVEN, family_name=CANARY_FAMILY, ni_number="QQ123456C"
    )
    child = PersonFactory(
        given_name=CANARY_CHILD, family_name=CANARY_FAMILY, date_of_birth=datetime.date(2010, 7, 19)
    )
    MembershipFactory(family=family, person=parent)
    MembershipFactory(family=family, person=child, role="child")
    # A name corrected on the family's page: the history keeps the old spelling, and
    # its context the page's address, with the family's reference.
    with pghistory.context(url=f"/families/{family.reference}/people/{child.pk}/", user=actor.pk):
        Person.objects.filter(pk=child.pk).update(family_name=CANARY_FAMILY + "e")
        Person.objects.filter(pk=child.pk).update(family_name=CANARY_FAMILY)
    FamilyStatusChange.objects.create(
        family=family,
        from_status=FamilyStatus.CLAIMED,
        to_status=FamilyStatus.CLOSED,
        reason=f"{CANARY_GIVEN} {CANARY_FAMILY} says the family no longer needs support",
        actor=actor,
        created_at=at(closed_on),
    )
    LeadAssignment.objects.create(
        family=family,
        lead_agency=world.council,
        lead_professional=world.keyworker,
        reason=f"Allocated after {CANARY_GIVEN} asked for help",
        actor=actor,
        started_at=at(datetime.date(2016, 1, 4)),
        ended_at=at(closed_on),
    )
    Plan.objects.create(
        family=family,
        worries=f"{CANARY_CHILD} misses school on Mondays",
        working_well=f"{CANARY_GIVEN} walks {CANARY_CHILD} to school",
        created_by=actor,
        created_at=at(datetime.date(2016, 2, 1)),
        updated_by=actor,
        updated_at=at(datetime.date(2016, 2, 1)),
    )
    CaseNote.objects.create(
        family=family,
        person=child,
        text=f"Home visit: {CANARY_CHILD} {CANARY_FAMILY} was at home, unwell",
        author=actor,
        created_at=at(datetime.date(2016, 3, 1)),
    )
    evidence_add(
        child,
        "school_attendance",
        "2016-01-04",
        "2016-03-31",
        pupil_name=f"{CANARY_CHILD} {CANARY_FAMILY}",
        possible_sessions=120,
        unauthorised_sessions=30,
    )
    claim_accepted(family, "2017-06-01 10:00")
    # Seen on its page, opened from a search for the name, listed with another family.
    access_event_record(
        user=actor,
        action=AccessAction.VIEW,
        object_type="family",
        object_id=family.pk,
        family_id=family.pk,
        family_reference=family.reference,
    )
    access_events_record_many(
        user=actor,
        family_ids=[family.pk, world.own_family.pk],
        family_references=[str(family.reference), world.own_family.reference],
        filters={"q": f"{CANARY_GIVEN} {CANARY_FAMILY}"},
    )
    access_event_record(
        user=actor,
        action=AccessAction.BREAK_GLASS,
        object_type="family",
        object_id=family.pk,
        family_id=family.pk,
        family_reference=family.reference,
        purpose=f"Risk to a child: police called about {CANARY_CHILD}",
    )
    # A legal hold, long lifted: its reasons name the family too.
    hold = LegalHold.objects.create(
        family=family,
        reason=f"Complaint by {CANARY_GIVEN} {CANARY_FAMILY} about the service",
        placed_by=world.dpo.user,
        placed_at=at(datetime.date(2018, 1, 1)),
    )
    LegalHold.objects.filter(pk=hold.pk).update(
        lifted_at=at(datetime.date(2019, 1, 1)),
        lifted_by=world.dpo.user,
        lift_reason=f"{CANARY_FAMILY} complaint closed",
    )
    assert HouseholdMembership.objects.filter(family=family).count() == 2
    system_actor()
    return Canary(family=family, parent=parent, child=child)
