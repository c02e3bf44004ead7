"""The household services: each change is checked, made, kept in the history with who
and why, refused from a stale version, and refused (changing nothing) for anyone the
rule does not allow."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from conftest import World
from families.household import services
from families.household.models import CorrectionKind, RecordCorrection
from families.models import Address, HouseholdMembership, MemberRole, Person
from oneplan.errors import ApplicationError
from tests.factories import FamilyFactory, MembershipFactory

REASON = "Birth certificate seen at the home visit"


def _member(world: World) -> HouseholdMembership:
    return world.own_family.memberships.select_related("person").get()


def _details(person: Person, **changes: object) -> services.PersonDetails:
    values: dict[str, object] = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "sex": person.sex,
        "upn": person.upn,
        "nhs_number": person.nhs_number,
        "ni_number": person.ni_number,
    }
    values.update(changes)
    return services.PersonDetails(**values)


def test_correcting_a_date_of_birth_keeps_the_reason_and_the_old_value(world: World) -> None:
    # Given Jordan's date of birth recorded wrongly
    person = _member(world).person
    version = services.person_version(person)

    # When the key worker corrects it, with the version they read
    corrected = services.person_correct(
        actor=world.keyworker.user,
        family=world.own_family,
        person=person,
        details=_details(person, date_of_birth=datetime.date(1986, 6, 1)),
        reason=REASON,
        expected_version=version,
    )

    # Then the person has the new date, and the correction names who, what and why
    assert Person.objects.get(pk=person.pk).date_of_birth == datetime.date(1986, 6, 1)
    correction = RecordCorrection.objects.get()
    assert (correction.kind, correction.reason, correction.actor_id) == (
        CorrectionKind.PERSON_CORRECTED,
        REASON,
        world.keyworker.user_id,
    )
    assert correction.record_id == person.pk and correction.context_id is not None
    # and the version moved on, so an edit from the old page is refused
    assert services.person_version(corrected) != version


def test_a_correction_from_a_stale_page_is_refused_and_says_who_changed_it(world: World) -> None:
    person = _member(world).person
    read = services.person_version(person)
    services.person_correct(
        actor=world.coordinator.user,
        family=world.own_family,
        person=person,
        details=_details(person, given_name="Jordon"),
        reason="Spelling",
        expected_version=read,
    )

    with pytest.raises(services.RecordChanged) as refused:
        services.person_correct(
            actor=world.keyworker.user,
            family=world.own_family,
            person=person,
            details=_details(person, date_of_birth=datetime.date(1990, 1, 1)),
            reason=REASON,
            expected_version=read,
        )

    assert world.coordinator.user.username in refused.value.message or (
        world.coordinator.user.get_full_name() in refused.value.message
    )
    assert Person.objects.get(pk=person.pk).date_of_birth == datetime.date(1985, 6, 1)
    assert RecordCorrection.objects.count() == 1


def test_someone_the_rule_does_not_allow_is_refused_and_nothing_changes(world: World) -> None:
    person = _member(world).person
    with pytest.raises(PermissionDenied):
        services.person_correct(
            actor=world.programme_manager.user,
            family=world.own_family,
            person=person,
            details=_details(person, given_name="Changed"),
            reason=REASON,
        )
    with pytest.raises(PermissionDenied):
        services.family_address_protect(
            actor=world.practitioner.user, family=world.own_family, protected=True, reason="x"
        )
    assert Person.objects.get(pk=person.pk).given_name == "Jordan"
    assert not RecordCorrection.objects.exists()
    assert Address.objects.get(pk=world.own_family.address_id).is_protected is False


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"given_name": "  "}, "given_name", "Enter a first name"),
        ({"family_name": "x" * 101}, "family_name", "Last name must be 100 characters or fewer"),
        (
            {"date_of_birth": datetime.date.today() + datetime.timedelta(days=1)},
            "date_of_birth",
            "Date of birth must be today or in the past",
        ),
        ({"nhs_number": "123"}, "nhs_number", None),
        ({}, "given_name", "Change at least one detail, or cancel"),
    ],
)
def test_wrong_details_are_refused_with_a_message_for_their_field(
    world: World, changes: dict[str, object], field: str, message: str | None
) -> None:
    person = _member(world).person
    with pytest.raises(ApplicationError) as refused:
        services.person_correct(
            actor=world.keyworker.user,
            family=world.own_family,
            person=person,
            details=_details(person, **changes),
            reason=REASON,
        )
    assert refused.value.field == field
    if message:
        assert refused.value.message == message


def test_an_identifier_another_person_has_is_refused(world: World) -> None:
    person = _member(world).person
    other = world.other_lcg_family.memberships.get().person
    with pytest.raises(ApplicationError) as refused:
        services.person_correct(
            actor=world.keyworker.user,
            family=world.own_family,
            person=person,
            details=_details(person, nhs_number=other.nhs_number),
            reason=REASON,
        )
    assert refused.value.message == "Another person already has this NHS number"


def test_a_reason_is_required(world: World) -> None:
    person = _member(world).person
    with pytest.raises(ApplicationError) as refused:
        services.person_correct(
            actor=world.keyworker.user,
            family=world.own_family,
            person=person,
            details=_details(person, given_name="Jo"),
            reason="   ",
        )
    assert (refused.value.field, refused.value.message) == (
        "reason",
        "Enter the reason for the change",
    )


def test_adding_a_new_baby_to_the_household(world: World) -> None:
    membership = services.household_member_add(
        actor=world.keyworker.user,
        family=world.own_family,
        role=MemberRole.CHILD,
        start_date=datetime.date(2026, 1, 5),
        reason="Born in January",
        details=services.PersonDetails(
            given_name="Ava", family_name="Ashby", date_of_birth=datetime.date(2026, 1, 5)
        ),
    )
    assert membership.family == world.own_family
    assert membership.person.full_name == "Ava Ashby"
    assert RecordCorrection.objects.get().kind == CorrectionKind.MEMBER_ADDED


def test_an_existing_person_joins_only_once_they_have_left_their_old_household(
    world: World,
) -> None:
    # Given a person the coordinator can see, living in another Winchester family
    elsewhere = FamilyFactory(lcg=world.winchester)
    moving = MembershipFactory(family=elsewhere, person__given_name="Sam")
    coordinator = world.coordinator.user

    # When they are added while still in that household, it is refused
    with pytest.raises(ApplicationError) as refused:
        services.household_member_add(
            actor=coordinator,
            family=world.own_family,
            person=moving.person,
            role=MemberRole.OTHER_ADULT,
            start_date=datetime.date(2026, 2, 1),
            reason="Moved in",
        )
    assert "still in another family's household" in refused.value.message

    # Once that membership has ended, they join
    services.household_membership_end(
        actor=coordinator,
        family=elsewhere,
        membership=moving,
        end_date=datetime.date(2026, 1, 31),
        reason="Moved out",
    )
    joined = services.household_member_add(
        actor=coordinator,
        family=world.own_family,
        person=moving.person,
        role=MemberRole.OTHER_ADULT,
        start_date=datetime.date(2026, 2, 1),
        reason="Moved in",
    )
    assert joined.person == moving.person


def test_a_person_outside_the_actors_scope_cannot_be_added(world: World) -> None:
    # Casey lives in Havant, which the key worker cannot see: they cannot be found or added
    casey = world.other_lcg_family.memberships.get()
    HouseholdMembership.objects.filter(pk=casey.pk).update(end_date=datetime.date(2025, 6, 1))

    with pytest.raises(ApplicationError) as refused:
        services.household_member_add(
            actor=world.keyworker.user,
            family=world.own_family,
            person=casey.person,
            role=MemberRole.OTHER_ADULT,
            start_date=datetime.date(2026, 2, 1),
            reason="Moved in",
        )
    assert refused.value.field == "person"
    assert not HouseholdMembership.objects.filter(family=world.own_family, person=casey.person)


def test_ending_a_membership_and_changing_a_role(world: World) -> None:
    membership = _member(world)
    changed = services.household_membership_role_change(
        actor=world.keyworker.user,
        family=world.own_family,
        membership=membership,
        role=MemberRole.OTHER_ADULT,
        reason="Recorded wrongly",
        expected_version=services.membership_version(membership),
    )
    assert changed.role == MemberRole.OTHER_ADULT

    with pytest.raises(ApplicationError) as too_early:
        services.household_membership_end(
            actor=world.keyworker.user,
            family=world.own_family,
            membership=membership,
            end_date=datetime.date(2024, 12, 31),
            reason="Left",
        )
    assert too_early.value.field == "end_date"

    ended = services.household_membership_end(
        actor=world.keyworker.user,
        family=world.own_family,
        membership=membership,
        end_date=datetime.date(2025, 12, 31),
        reason="Moved to live with their father",
    )
    assert ended.end_date == datetime.date(2025, 12, 31)
    kinds = list(RecordCorrection.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [CorrectionKind.ROLE_CHANGED, CorrectionKind.MEMBERSHIP_ENDED]


def test_a_move_is_a_new_address_and_the_old_one_is_kept(world: World) -> None:
    family = world.own_family
    old = family.address
    assert old is not None

    changed = services.family_address_change(
        actor=world.keyworker.user,
        family=family,
        details=services.AddressDetails(
            postcode="so22 5aa", line_1="3 New Road", town="Winchester"
        ),
        reason="Moved on 3 March",
        expected_version=services.address_version(family),
    )

    assert changed.address.pk != old.pk and changed.address.postcode == "SO22 5AA"
    assert changed.outside_lcg is None
    assert Address.objects.filter(pk=old.pk).exists()
    correction = RecordCorrection.objects.get()
    assert (correction.kind, correction.is_restricted) == (CorrectionKind.ADDRESS_CHANGED, False)


def test_a_move_into_another_lcgs_area_says_so_and_keeps_the_lcg(world: World) -> None:
    changed = services.family_address_change(
        actor=world.coordinator.user,
        family=world.own_family,
        details=services.AddressDetails(postcode="PO9 2BB", line_1="1 Harbour Way"),
        reason="Moved",
    )
    assert changed.outside_lcg == world.havant
    assert changed.family.lcg == world.winchester


def test_a_move_to_a_refuge_is_protected_from_the_start(world: World) -> None:
    changed = services.family_address_change(
        actor=world.keyworker.user,
        family=world.own_family,
        details=services.AddressDetails(postcode="SO23 9AA", line_1="Safe House"),
        reason="Fled to a refuge",
        is_protected=True,
    )
    assert changed.address.is_protected
    assert RecordCorrection.objects.get().is_restricted is True


def test_correcting_and_protecting_the_address(world: World) -> None:
    family = world.own_family
    services.family_address_correct(
        actor=world.keyworker.user,
        family=family,
        details=services.AddressDetails(postcode="SO23 8UG", line_1="12 Correct Street"),
        reason="House number wrong",
        expected_version=services.address_version(family),
    )
    family.refresh_from_db()
    stale = services.address_version(family)
    services.family_address_protect(
        actor=world.coordinator.user,
        family=family,
        protected=True,
        reason="Risk from a former partner",
        expected_version=stale,
    )
    address = Address.objects.get(pk=family.address_id)
    assert address.line_1 == "12 Correct Street" and address.is_protected

    # A second change from the version read before the protection is refused
    with pytest.raises(services.RecordChanged):
        services.family_address_correct(
            actor=world.keyworker.user,
            family=family,
            details=services.AddressDetails(postcode="SO23 8UG", line_1="13 Correct Street"),
            reason="Again",
            expected_version=stale,
        )
    with pytest.raises(ApplicationError, match="already protected"):
        services.family_address_protect(
            actor=world.keyworker.user, family=family, protected=True, reason="Twice"
        )


def test_an_address_shared_with_another_family_is_not_corrected_in_place(world: World) -> None:
    family = world.own_family
    FamilyFactory(lcg=world.winchester, address=family.address)
    with pytest.raises(ApplicationError, match="also recorded for another family"):
        services.family_address_correct(
            actor=world.keyworker.user,
            family=family,
            details=services.AddressDetails(postcode="SO23 8UG", line_1="1 Other Road"),
            reason="Wrong",
        )
