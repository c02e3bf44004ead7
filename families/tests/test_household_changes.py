"""The "Changes" of a person and of a family, from the write history: who changed what,
when, old and new values and why; a protected address's values only for those who may
see it; corrections in the family's chronology; the pages' and API's forms."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from conftest import World, client_for
from families.household import selectors, services
from families.household.history import WITHHELD
from families.models import Person

DOB_REASON = "Birth certificate seen at the home visit"
REFUGE = "Canaryrefugelane"


def _jordan(world: World) -> Person:
    return world.own_family.memberships.get().person


def _correct_dob(world: World) -> Person:
    person = _jordan(world)
    return services.person_correct(
        actor=world.keyworker.user,
        family=world.own_family,
        person=person,
        details=services.PersonDetails(
            given_name=person.given_name,
            family_name=person.family_name,
            date_of_birth=datetime.date(1986, 7, 2),
            nhs_number=person.nhs_number,
        ),
        reason=DOB_REASON,
    )


def _protect_and_move(world: World) -> None:
    services.family_address_correct(
        actor=world.keyworker.user,
        family=world.own_family,
        details=services.AddressDetails(postcode="SO23 8UG", line_1=f"1 {REFUGE}"),
        reason=f"Typed wrongly: it is 1 {REFUGE}-reason",
    )
    world.own_family.refresh_from_db()
    services.family_address_protect(
        actor=world.keyworker.user,
        family=world.own_family,
        protected=True,
        reason="Canaryprotectreason",
    )


def test_the_person_changes_show_who_what_when_and_why(world: World) -> None:
    person = _correct_dob(world)

    changes = selectors.person_changes_for_user(world.dpo.user, world.own_family, person)

    corrected = changes.changes[0]
    assert corrected.action == "Changed"
    assert corrected.reason == DOB_REASON
    assert corrected.by == (world.keyworker.user.get_full_name() or "keyworker")
    assert [(c.label, c.old, c.new) for c in corrected.changes] == [
        ("Date of birth", "1 June 1985", "2 July 1986")
    ]
    # The person's first record is there too, below the correction
    assert changes.changes[-1].action == "Added"


def test_a_protected_addresss_values_and_reasons_are_withheld_without_the_permission(
    world: World,
) -> None:
    _protect_and_move(world)

    for persona, sees in [("keyworker", True), ("dpo", True), ("programme_manager", False)]:
        user = getattr(world, persona).user
        found = selectors.family_changes_for_user(user, world.own_family)
        text = repr(found.changes)
        assert (REFUGE in text) is sees, persona
        assert ("Canaryprotectreason" in text) is sees, persona
        # The reason given for correcting the address before it was protected is
        # restricted with it.
        assert (f"{REFUGE}-reason" in text) is sees, persona
        assert found.withheld is (not sees)
        if not sees:
            assert WITHHELD in text


def test_the_changes_pages_and_api_record_the_read_and_show_the_reason(world: World) -> None:
    person = _correct_dob(world)
    client = client_for(world.coordinator)
    reference = world.own_family.reference

    page = client.get(reverse("families:person-changes", args=[reference, person.pk]))
    family_page = client.get(reverse("families:changes", args=[reference]))
    api = client.get(f"/api/families/{reference}/people/{person.pk}/changes/")
    family_api = client.get(f"/api/families/{reference}/changes/")

    assert page.status_code == family_page.status_code == 200
    assert DOB_REASON in page.content.decode() and "2 July 1986" in page.content.decode()
    assert DOB_REASON in family_page.content.decode()
    assert api.status_code == 200 and api.json()[0]["reason"] == DOB_REASON
    assert family_api.status_code == 200
    assert DOB_REASON in family_api.content.decode()
    kinds = set(
        AccessEvent.objects.filter(user=world.coordinator.user).values_list(
            "object_type", flat=True
        )
    )
    assert {"person_changes", "family_changes"} <= kinds


def test_a_person_from_another_family_is_404_on_this_familys_changes(world: World) -> None:
    casey = world.other_lcg_family.memberships.get().person
    response = client_for(world.keyworker).get(
        reverse("families:person-changes", args=[world.own_family.reference, casey.pk])
    )
    assert response.status_code == 404


def test_corrections_appear_in_the_chronology_restricted_ones_only_with_the_permission(
    world: World,
) -> None:
    _correct_dob(world)
    _protect_and_move(world)
    url = f"/api/families/{world.own_family.reference}/chronology/"

    def entries(persona: str) -> str:
        response = client_for(getattr(world, persona)).get(url, {"kind": "household_correction"})
        assert response.status_code == 200
        return response.content.decode()

    keyworker = entries("keyworker")
    manager = entries("programme_manager")
    assert DOB_REASON in keyworker and "details corrected" in keyworker
    assert "Canaryprotectreason" in keyworker
    assert DOB_REASON in manager
    assert "Canaryprotectreason" not in manager and "protected" not in manager


def test_a_history_read_costs_the_same_however_long_the_history(
    world: World, django_assert_max_num_queries: object
) -> None:
    person = _jordan(world)
    for year in range(1980, 1990):
        services.person_correct(
            actor=world.keyworker.user,
            family=world.own_family,
            person=person,
            details=services.PersonDetails(
                given_name=person.given_name,
                family_name=person.family_name,
                date_of_birth=datetime.date(year, 1, 1),
                nhs_number=person.nhs_number,
            ),
            reason=f"Correction {year}",
        )
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        found = selectors.family_changes_for_user(world.dpo.user, world.own_family)
    assert len([c for c in found.changes if c.reason.startswith("Correction")]) == 10


# --- Pages: forms keep what was typed, stale edits refused ------------------------------


def test_a_form_with_mistakes_keeps_what_was_typed_and_lists_the_problems(world: World) -> None:
    person = _jordan(world)
    url = reverse("families:person-correct", args=[world.own_family.reference, person.pk])
    client = client_for(world.keyworker)

    response = client.post(
        url,
        {
            "version": services.person_version(person),
            "given_name": "Jordann",
            "family_name": "",
            "date_of_birth_day": "31",
            "date_of_birth_month": "2",
            "date_of_birth_year": "1986",
            "reason": "",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Enter a last name" in html and "Enter the reason for the change" in html
    assert "Date of birth must be a real date" in html
    assert 'value="Jordann"' in html
    assert Person.objects.get(pk=person.pk).given_name == "Jordan"


def test_a_page_saved_after_someone_elses_change_is_refused_with_a_clear_message(
    world: World,
) -> None:
    person = _jordan(world)
    url = reverse("families:person-correct", args=[world.own_family.reference, person.pk])
    read = services.person_version(person)
    _correct_dob(world)

    response = client_for(world.coordinator).post(
        url,
        {
            "version": read,
            "given_name": "Jo",
            "family_name": person.family_name,
            "date_of_birth_day": "1",
            "date_of_birth_month": "6",
            "date_of_birth_year": "1985",
            "reason": "Prefers Jo",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "after you opened it" in html
    assert Person.objects.get(pk=person.pk).given_name == "Jordan"
    assert Person.objects.get(pk=person.pk).date_of_birth == datetime.date(1986, 7, 2)


def test_the_household_page_offers_changes_only_to_those_who_may_make_them(world: World) -> None:
    url = reverse("families:household", args=[world.own_family.reference])
    keyworker = client_for(world.keyworker).get(url).content.decode()
    auditor = client_for(world.auditor).get(url).content.decode()
    assert "Correct details" in keyworker and "Protect" in keyworker
    assert "Correct details" not in auditor and "Protect" not in auditor
    assert "Jordan Ashby" in auditor


def test_finding_people_to_add_lists_only_those_in_the_users_scope(world: World) -> None:
    url = reverse("families:member-find", args=[world.own_family.reference])
    response = client_for(world.keyworker).get(url, {"family_name": "B"})
    # Casey Brook lives in Havant, outside the key worker's scope
    assert response.status_code == 200
    assert "Casey" not in response.content.decode()
    response = client_for(world.keyworker).get(url, {"family_name": "Ash"})
    assert "Jordan Ashby" in response.content.decode()


def test_someone_who_moved_out_of_scope_is_listed_without_their_new_family(
    world: World,
) -> None:
    from tests.factories import MembershipFactory, PersonFactory

    person = PersonFactory(given_name="Morgan", family_name="Quill")
    MembershipFactory(
        family=world.own_family,
        person=person,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2024, 1, 1),
    )
    MembershipFactory(family=world.other_lcg_family, person=person)
    url = reverse("families:member-find", args=[world.own_family.reference])

    page = client_for(world.keyworker).get(url, {"family_name": "Quill"}).content.decode()

    assert "Morgan Quill" in page
    assert world.other_lcg_family.reference not in page


# --- API: ETags and If-Match --------------------------------------------------------------


def test_the_api_needs_if_match_and_refuses_a_stale_one(world: World) -> None:
    person = _jordan(world)
    client = client_for(world.keyworker)
    url = f"/api/families/{world.own_family.reference}/people/{person.pk}/"
    read = client.get(url)
    etag = read["ETag"]
    body = {"date_of_birth": "1986-07-02", "reason": DOB_REASON}

    missing = client.patch(url, body, content_type="application/json")
    done = client.patch(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
    stale = client.patch(
        url,
        {"given_name": "Jo", "reason": "Prefers Jo"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )

    assert missing.status_code == 428
    assert done.status_code == 200 and done.json()["date_of_birth"] == "1986-07-02"
    assert stale.status_code == 412
    assert stale.json()["current"]["date_of_birth"] == "1986-07-02"
    assert stale["ETag"] == done["ETag"]
    assert Person.objects.get(pk=person.pk).given_name == "Jordan"


def test_the_api_protects_an_address_and_hides_it_at_once(world: World) -> None:
    reference = world.own_family.reference
    url = f"/api/families/{reference}/address/"
    keyworker = client_for(world.keyworker)
    etag = keyworker.get(url)["ETag"]

    response = keyworker.post(
        f"{url}protection/",
        {"protected": True, "reason": "Refuge"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    manager = client_for(world.programme_manager).get(url).json()

    assert response.status_code == 200 and response.json()["is_protected"] is True
    assert manager == {
        "line_1": "",
        "line_2": "",
        "town": "",
        "postcode": "",
        "is_protected": True,
        "restricted": True,
    }


@pytest.mark.parametrize(
    ("persona", "answer"),
    [("auditor", 403), ("practitioner", 404), ("programme_manager", 403), ("dpo", 403)],
)
def test_the_api_refuses_corrections_from_others_and_changes_nothing(
    world: World, persona: str, answer: int
) -> None:
    client = client_for(getattr(world, persona))
    reference = world.own_family.reference
    response = client.post(
        f"/api/families/{reference}/household/",
        {
            "given_name": "New",
            "family_name": "Person",
            "date_of_birth": "2020-01-01",
            "role": "child",
            "start_date": "2025-01-01",
            "reason": "x",
        },
        content_type="application/json",
    )
    assert response.status_code == answer
    assert world.own_family.memberships.count() == 1
