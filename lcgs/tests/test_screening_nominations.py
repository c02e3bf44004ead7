"""Nominations: professionals put forward families they see, or families not yet known;
nominators follow and withdraw their own. Who may nominate and withdraw, and that denial
changes nothing, is the authorisation table in lcgs/tests/matrix.py."""

from __future__ import annotations

import datetime
import re
from html import unescape
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import World, client_for
from families.models import Address, Family, FamilyStatusChange, MemberRole, Person
from families.services import MemberData
from families.states import FamilyStatus
from lcgs.screening import services
from oneplan.errors import ApplicationError
from outcomes.models import Nomination, NominationStatus
from tests.support.screening import nomination_add

# Today's framework (the seeded periods): Supporting Families (2022).
CRIME = "crime"
HOUSING = "housing"


def _html(response: Any) -> str:
    text: str = unescape(response.content.decode())
    return text


def _nominate_url(world: World) -> str:
    return reverse("lcgs:nomination-create", args=[world.own_family.reference])


# -- nominating a family the user can see -------------------------------------------


def test_a_key_worker_nominates_their_family_from_its_page(world: World) -> None:
    client = client_for(world.keyworker)

    page = client.get(reverse("families:detail", args=[world.own_family.reference]))
    form = client.get(_nominate_url(world))
    response = client.post(
        _nominate_url(world),
        {"criteria": [CRIME, HOUSING], "reason": "Rent arrears and police call-outs"},
    )

    assert "Nominate this family for the programme" in _html(page)
    assert _nominate_url(world) in _html(page)
    assert "Crime prevention and tackling crime" in _html(form)
    assert response.status_code == 302
    nomination = Nomination.objects.get(family=world.own_family)
    assert nomination.status == NominationStatus.OPEN
    assert nomination.framework == "sf2022"
    assert nomination.criteria == [CRIME, HOUSING]
    assert nomination.agency == world.council
    assert nomination.nominated_by == world.keyworker.user
    after = _html(client.get(reverse("families:detail", args=[world.own_family.reference])))
    assert "Rent arrears and police call-outs" in after
    assert "Your agency has nominated this family" in after
    assert _nominate_url(world) not in after


def test_a_coordinator_sees_the_nomination_on_the_family_page_and_can_screen_it(
    world: World,
) -> None:
    nomination_add(world.own_family, world.keyworker, reason="Worried about the children")

    html = _html(
        client_for(world.coordinator).get(
            reverse("families:detail", args=[world.own_family.reference])
        )
    )

    assert "Worried about the children" in html
    assert reverse("lcgs:screening-decide", args=[world.own_family.reference]) in html


def test_someone_who_neither_nominated_nor_screens_does_not_read_the_reason(
    world: World,
) -> None:
    nomination_add(world.own_family, world.coordinator, reason="Confidential account")

    html = _html(
        client_for(world.auditor).get(reverse("families:detail", args=[world.own_family.reference]))
    )

    assert "Confidential account" not in html
    assert 'id="nominations"' not in html


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        (
            {"reason": "Rent arrears"},
            ["Select the problems you believe the family has"],
        ),
        ({"criteria": [CRIME]}, ["Enter why you are nominating the family"]),
        (
            {"criteria": ["not_a_criterion"], "reason": "Rent arrears"},
            ["Select the problems from the list"],
        ),
        ({"criteria": [CRIME], "reason": "x" * 2001}, ["2,000 characters or fewer"]),
    ],
)
def test_bad_nominations_are_shown_again_with_what_was_typed(
    world: World, data: dict[str, Any], messages: list[str]
) -> None:
    response = client_for(world.keyworker).post(_nominate_url(world), data)

    html = _html(response)
    assert response.status_code == 400
    assert "There is a problem" in html
    for message in messages:
        assert message in html
    if data.get("reason") == "Rent arrears":
        assert "Rent arrears" in html
    if data.get("criteria") == [CRIME]:
        assert re.search(
            rf'<input type="checkbox" name="criteria" value="{CRIME}"[^>]* checked', html
        )
    assert not Nomination.objects.exists()


def test_an_agency_cannot_nominate_the_same_family_twice_while_the_first_is_open(
    world: World,
) -> None:
    nomination_add(world.own_family, world.other_keyworker)  # same agency as keyworker

    response = client_for(world.keyworker).post(
        _nominate_url(world), {"criteria": [CRIME], "reason": "Second opinion"}
    )

    assert response.status_code == 400
    assert "Early Help Hampshire has already nominated" in _html(response)
    assert Nomination.objects.count() == 1


def test_a_family_past_screening_cannot_be_nominated(world: World) -> None:
    Family.objects.filter(pk=world.own_family.pk).update(status=FamilyStatus.ALLOCATED)

    with pytest.raises(ApplicationError, match="allocated, so it is past screening"):
        services.nomination_create(
            actor=world.keyworker.user,
            family=world.own_family,
            reason="Late",
            criteria=[CRIME],
        )
    assert not Nomination.objects.exists()


# -- nominating a family not yet known ---------------------------------------------


def _new_family_form(**overrides: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "main_carer_given_name": "Morgan",
        "main_carer_family_name": "Lake",
        "main_carer_date_of_birth_day": "14",
        "main_carer_date_of_birth_month": "2",
        "main_carer_date_of_birth_year": "1988",
        "address_line_1": "4 Water Lane",
        "postcode": "so23 9pq",
        "member_1_given_name": "Ellis",
        "member_1_family_name": "Lake",
        "member_1_date_of_birth_day": "3",
        "member_1_date_of_birth_month": "9",
        "member_1_date_of_birth_year": "2015",
        "member_1_role": "child",
        "criteria": [CRIME, HOUSING],
        "reason": "Facing eviction; police called twice",
    }
    data.update(overrides)
    return data


def test_a_practitioner_nominates_a_family_not_yet_known(world: World) -> None:
    client = client_for(world.practitioner)

    response = client.post(reverse("lcgs:nomination-create-family"), _new_family_form())

    assert response.status_code == 302
    nomination = Nomination.objects.get()
    family = nomination.family
    assert family.status == FamilyStatus.IDENTIFIED
    assert family.lcg == world.winchester  # SO23 is in Winchester's districts
    assert family.address is not None
    assert family.address.postcode == "SO23 9PQ"
    members = {
        (m.person.full_name, m.role, m.person.date_of_birth) for m in family.memberships.all()
    }
    assert members == {
        ("Morgan Lake", MemberRole.PARENT_CARER, datetime.date(1988, 2, 14)),
        ("Ellis Lake", MemberRole.CHILD, datetime.date(2015, 9, 3)),
    }
    assert nomination.agency == world.police
    assert nomination.criteria == [CRIME, HOUSING]
    change = FamilyStatusChange.objects.get(family=family)
    assert change.actor == world.practitioner.user
    assert change.reason.startswith("Nominated by Hampshire Constabulary")
    # The nominator follows the nomination, but does not gain the family's record.
    listing = _html(client.get(reverse("lcgs:nomination-list")))
    assert family.reference in listing
    assert reverse("families:detail", args=[family.reference]) not in listing
    assert client.get(reverse("families:detail", args=[family.reference])).status_code == 404
    screening = _html(client_for(world.coordinator).get(reverse("lcgs:screening-list")))
    assert family.reference in screening
    assert "Morgan Lake" in screening


def test_a_family_outside_every_lcg_waits_for_the_programme_manager(world: World) -> None:
    client_for(world.keyworker).post(
        reverse("lcgs:nomination-create-family"), _new_family_form(postcode="SO14 3AB")
    )

    family = Nomination.objects.get().family
    assert family.lcg is None
    pm = _html(client_for(world.programme_manager).get(reverse("lcgs:screening-list")))
    coordinator = _html(client_for(world.coordinator).get(reverse("lcgs:screening-list")))
    assert family.reference in pm
    assert family.reference not in coordinator


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"main_carer_given_name": ""}, "Enter the main carer's first name"),
        ({"main_carer_family_name": ""}, "Enter the main carer's last name"),
        (
            {
                "main_carer_date_of_birth_day": "",
                "main_carer_date_of_birth_month": "",
                "main_carer_date_of_birth_year": "",
            },
            "Enter the main carer's date of birth",
        ),
        ({"main_carer_date_of_birth_year": "2999"}, "Date of birth must be today or in the past"),
        ({"address_line_1": ""}, "Enter the first line of the address"),
        ({"postcode": "WINCHESTER"}, "Enter a real postcode, like SO23 8UG"),
        ({"member_1_family_name": ""}, "Enter a last name for family member 1"),
        (
            {
                "member_1_date_of_birth_day": "",
                "member_1_date_of_birth_month": "",
                "member_1_date_of_birth_year": "",
            },
            "Enter a date of birth for family member 1",
        ),
        ({"member_2_given_name": "Sky"}, "Enter a last name for family member 2"),
        ({"criteria": []}, "Select the problems you believe the family has"),
        ({"reason": ""}, "Enter why you are nominating the family"),
    ],
)
def test_a_bad_new_family_is_shown_again_and_nothing_is_created(
    world: World, overrides: dict[str, str], message: str
) -> None:
    families, people = Family.objects.count(), Person.objects.count()

    response = client_for(world.keyworker).post(
        reverse("lcgs:nomination-create-family"), _new_family_form(**overrides)
    )

    html = _html(response)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert message in html
    assert 'value="4 Water Lane"' in html or overrides.get("address_line_1") == ""
    assert "Facing eviction; police called twice" in html or overrides.get("reason") == ""
    assert (Family.objects.count(), Person.objects.count()) == (families, people)
    assert not Nomination.objects.exists()


def test_a_failure_while_adding_the_family_leaves_nothing_half_written(world: World) -> None:
    addresses, families = Address.objects.count(), Family.objects.count()
    household = services.NewHousehold(
        main_carer=MemberData(
            "Morgan", "Lake", datetime.date(1988, 2, 14), MemberRole.PARENT_CARER
        ),
        address_line_1="4 Water Lane",
        postcode="SO23 9PQ",
        # Too long for the person record: fails after the address and family were saved.
        other_members=(MemberData("x" * 101, "Lake", datetime.date(2015, 9, 3), MemberRole.CHILD),),
    )

    with pytest.raises(ValidationError):
        services.nomination_create_for_new_family(
            actor=world.keyworker.user, household=household, reason="Eviction", criteria=[CRIME]
        )

    assert (Address.objects.count(), Family.objects.count()) == (addresses, families)
    assert not Nomination.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("programme_manager", 403), ("auditor", 403), ("dpo", 403), ("sysadmin", 403)],
)
def test_roles_that_do_not_nominate_cannot_add_a_family(
    world: World, persona: str, status: int
) -> None:
    families = Family.objects.count()
    client = client_for(getattr(world, persona))

    page = client.post(reverse("lcgs:nomination-create-family"), _new_family_form())
    api = client.post("/api/nominations/new-family/", {}, content_type="application/json")

    assert page.status_code == status
    assert api.status_code == status
    assert Family.objects.count() == families


# -- following and withdrawing -----------------------------------------------------


def test_the_nominations_page_lists_only_your_own(world: World) -> None:
    mine = nomination_add(world.own_family, world.keyworker, reason="Mine")
    nomination_add(world.other_lcg_family, world.other_practitioner, reason="Theirs")

    html = _html(client_for(world.keyworker).get(reverse("lcgs:nomination-list")))

    assert world.own_family.reference in html
    assert world.other_lcg_family.reference not in html
    assert reverse("lcgs:nomination-withdraw", args=[mine.pk]) in html
    assert "Crime prevention and tackling crime" in html


def test_the_nominations_page_has_an_empty_state(world: World) -> None:
    html = _html(client_for(world.practitioner).get(reverse("lcgs:nomination-list")))

    assert "You have not nominated any families" in html
    assert reverse("lcgs:nomination-create-family") in html


def test_the_nominator_withdraws_their_nomination_with_a_reason(world: World) -> None:
    nomination = nomination_add(world.own_family, world.keyworker)
    url = reverse("lcgs:nomination-withdraw", args=[nomination.pk])
    client = client_for(world.keyworker)

    empty = client.post(url, {"reason": ""})
    done = client.post(url, {"reason": "Family moved to Devon"})

    assert empty.status_code == 400
    assert "Enter why you are withdrawing the nomination" in _html(empty)
    assert done.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.WITHDRAWN
    assert nomination.decided_by == world.keyworker.user
    assert nomination.decided_at is not None
    assert nomination.decision_note == "Family moved to Devon"
    again = client.post(url, {"reason": "Twice"})
    assert again.status_code == 400
    assert "already been decided" in _html(again)


# -- the API -----------------------------------------------------------------------


def test_the_api_nominates_a_visible_family_and_lists_it(world: World) -> None:
    client = client_for(world.keyworker)

    created = client.post(
        "/api/nominations/",
        {"family": world.own_family.reference, "criteria": [HOUSING], "reason": "Arrears"},
        content_type="application/json",
    )
    listed = client.get("/api/nominations/")
    detail = client.get(f"/api/nominations/{created.json()['id']}/")

    assert created.status_code == 201
    body = created.json()
    assert body["family"] == world.own_family.reference
    assert body["criteria"] == [HOUSING]
    assert body["status"] == "open"
    assert body["agency"] == "HCC-EH"
    assert [n["id"] for n in listed.json()["results"]] == [body["id"]]
    assert detail.json()["reason"] == "Arrears"


def test_the_api_lists_nominations_by_status_and_refuses_an_unknown_one(world: World) -> None:
    client = client_for(world.keyworker)
    created = client.post(
        "/api/nominations/",
        {"family": world.own_family.reference, "criteria": [HOUSING], "reason": "Arrears"},
        content_type="application/json",
    )

    open_ = client.get("/api/nominations/", {"status": "open"}).json()
    withdrawn = client.get("/api/nominations/", {"status": "withdrawn"}).json()
    unknown = client.get("/api/nominations/", {"status": "pending"})

    assert [n["id"] for n in open_["results"]] == [created.json()["id"]]
    assert withdrawn["results"] == []
    assert unknown.status_code == 400
    assert unknown.json() == {"status": ["Unknown status 'pending'"]}


def test_the_api_refuses_bad_nominations_with_messages(world: World) -> None:
    client = client_for(world.keyworker)

    unknown = client.post(
        "/api/nominations/",
        {"family": world.own_family.reference, "criteria": ["nope"], "reason": "x"},
        content_type="application/json",
    )
    missing = client.post(
        "/api/nominations/",
        {"family": world.own_family.reference, "criteria": [], "reason": "x"},
        content_type="application/json",
    )
    hidden = client.post(
        "/api/nominations/",
        {"family": world.other_lcg_family.reference, "criteria": [CRIME], "reason": "x"},
        content_type="application/json",
    )

    assert unknown.status_code == 400
    assert unknown.json() == {"criteria": ["Not a criterion of this framework: nope"]}
    assert missing.json() == {"criteria": ["Select the problems you believe the family has"]}
    assert hidden.status_code == 404
    assert not Nomination.objects.exists()


def test_the_api_adds_and_nominates_a_new_family(world: World) -> None:
    response = client_for(world.practitioner).post(
        "/api/nominations/new-family/",
        {
            "main_carer": {
                "given_name": "Morgan",
                "family_name": "Lake",
                "date_of_birth": "1988-02-14",
            },
            "address_line_1": "4 Water Lane",
            "postcode": "so239pq",
            "other_members": [
                {"given_name": "Ellis", "family_name": "Lake", "date_of_birth": "2015-09-03"}
            ],
            "criteria": [CRIME],
            "reason": "Police called twice",
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    family = Family.objects.get(reference=response.json()["family"])
    assert family.lcg == world.winchester
    assert family.memberships.count() == 2


def test_the_api_refuses_a_bad_new_family_and_creates_nothing(world: World) -> None:
    families = Family.objects.count()

    response = client_for(world.practitioner).post(
        "/api/nominations/new-family/",
        {
            "main_carer": {"given_name": "Morgan", "family_name": "Lake", "date_of_birth": ""},
            "address_line_1": "4 Water Lane",
            "postcode": "nowhere",
            "criteria": [CRIME],
            "reason": "Police called twice",
        },
        content_type="application/json",
    )

    assert response.status_code == 400
    body = response.json()
    assert "date_of_birth" in body["main_carer"]
    assert body["postcode"] == ["Enter a real postcode, like SO23 8UG"]
    assert Family.objects.count() == families


def test_the_api_list_shows_own_nominations_and_those_of_families_screened(
    world: World,
) -> None:
    own = nomination_add(world.own_family, world.keyworker)
    havant = nomination_add(world.other_lcg_family, world.other_practitioner)

    def ids(persona: str) -> set[int]:
        response = client_for(getattr(world, persona)).get("/api/nominations/")
        return {n["id"] for n in response.json()["results"]}

    assert ids("keyworker") == {own.pk}
    assert ids("other_practitioner") == {havant.pk}
    assert ids("coordinator") == {own.pk}
    assert ids("other_coordinator") == {havant.pk}
    assert ids("programme_manager") == {own.pk, havant.pk}
    assert ids("practitioner") == set()
    assert client_for(world.auditor).get("/api/nominations/").status_code == 403
    assert client_for(world.keyworker).get(f"/api/nominations/{havant.pk}/").status_code == 404
