"""Finding people and families: typos forgiven, scope respected, every search logged."""

from __future__ import annotations

import datetime
import random
from html import unescape

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.services import system_actor
from audit.models import AccessAction, AccessEvent
from conftest import World, client_for
from families.access.grants import grants_sync
from families.models import Family, HouseholdMembership, MemberRole, Person
from families.search.selectors import PersonSearch, person_search_for_user
from tests.factories import FamilyFactory, MembershipFactory

SEARCH = "families:search"


def _family(world: World, *people: tuple[str, str], **kwargs: object) -> Family:
    """A Winchester family led by the world's key worker, with these people in it."""
    family = FamilyFactory(
        lcg=world.winchester,
        lead_agency=world.council,
        lead_professional=world.keyworker,
        **kwargs,
    )
    for given, surname in people:
        MembershipFactory(family=family, person__given_name=given, person__family_name=surname)
    grants_sync(actor=system_actor(), family_ids=[family.pk])
    return family


def _names(world: World, persona: str, **search: object) -> list[str]:
    rows = person_search_for_user(getattr(world, persona).user, PersonSearch(**search))
    return [row.person.full_name for row in rows]


# -- what a search finds -----------------------------------------------------------


def test_a_misspelt_full_name_finds_the_person_first(world: World) -> None:
    # Given John Smith and people whose names are near it
    _family(world, ("John", "Smith"))
    _family(world, ("Jane", "Smith"))
    _family(world, ("John", "Smithers"))
    _family(world, ("Jonathan", "Barker"))

    # When a key worker types both names with their letters swapped
    names = _names(world, "keyworker", text="Jonh Smiht")

    # Then John Smith is the best match, and a John with another surname is not listed
    assert names[0] == "John Smith"
    assert "Jane Smith" in names
    assert "Jonathan Barker" not in names


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("smith", "John Smith"),  # any case
        ("Smyth", "John Smith"),  # one letter wrong
        ("Smith John", "John Smith"),  # surname first
        ("Jordan", "Jordan Ashby"),  # a given name alone
        ("Zoe", "Zoë Öztürk"),  # without the accents that are stored
        ("oztürk", "Zoë Öztürk"),
        ("O'Neill", "Sean O'Neill"),
        ("Smith-Jones", "Amy Smith-Jones"),
        ("Jones", "Amy Smith-Jones"),  # one half of a double-barrelled name
    ],
)
def test_names_are_found_despite_case_accents_and_small_mistakes(
    world: World, typed: str, found: str
) -> None:
    _family(world, ("John", "Smith"))
    _family(world, ("Zoë", "Öztürk"))
    _family(world, ("Sean", "O'Neill"))
    _family(world, ("Amy", "Smith-Jones"))

    assert found in _names(world, "keyworker", text=typed)


def test_a_different_name_is_not_a_match(world: World) -> None:
    _family(world, ("John", "Smith"))

    assert _names(world, "keyworker", text="Peter Williams") == []


@pytest.mark.parametrize("typed", ["{ref}", "{ref_lower}", "{ref_short}", "  {ref}  "])
def test_a_family_reference_lists_everyone_in_the_family(world: World, typed: str) -> None:
    family = _family(world, ("Alex", "Doe"), ("Sam", "Doe"))
    number = int(family.reference[2:])
    text = typed.format(
        ref=family.reference, ref_lower=family.reference.lower(), ref_short=f"f{number}"
    )

    assert sorted(_names(world, "keyworker", text=text)) == ["Alex Doe", "Sam Doe"]


def test_date_of_birth_and_name_together_must_both_match(world: World) -> None:
    family = _family(world, ("John", "Smith"))
    MembershipFactory(
        family=family,
        role=MemberRole.CHILD,
        person__given_name="Jack",
        person__family_name="Smith",
        person__date_of_birth=datetime.date(2014, 3, 27),
    )

    assert _names(world, "keyworker", date_of_birth=datetime.date(2014, 3, 27)) == ["Jack Smith"]
    assert _names(world, "keyworker", text="Smith", date_of_birth=datetime.date(2014, 3, 27)) == [
        "Jack Smith"
    ]
    assert _names(world, "keyworker", text="Ashby", date_of_birth=datetime.date(2014, 3, 27)) == []


@pytest.mark.parametrize("typed", ["SO23 8UG", "so238ug", " so23  8ug "])
def test_a_postcode_is_found_whatever_its_spacing_and_case(world: World, typed: str) -> None:
    _family(world, ("Robin", "Hill"), address__postcode="SO23 8UG")
    _family(world, ("Kim", "Vale"), address__postcode="SO22 4NR")

    names = _names(world, "keyworker", postcode=typed)

    assert "Robin Hill" in names
    assert "Kim Vale" not in names


def test_someone_who_left_the_household_is_found_only_in_their_current_family(
    world: World,
) -> None:
    old = _family(world, ("Lee", "Marsh"))
    old.memberships.update(end_date=datetime.date(2025, 2, 1))

    assert _names(world, "keyworker", text="Marsh") == []


# -- scope -------------------------------------------------------------------------


def test_a_coordinator_does_not_find_a_family_in_another_lcg(world: World) -> None:
    # Casey Brook lives in Havant; the Winchester coordinator does not see that family.
    assert _names(world, "coordinator", text="Casey Brook") == []
    assert _names(world, "other_coordinator", text="Casey Brook") == ["Casey Brook"]
    assert _names(world, "programme_manager", text="Casey Brook") == ["Casey Brook"]


def test_the_page_gives_no_hint_of_a_family_outside_scope(world: World) -> None:
    client = client_for(world.coordinator)

    hidden = client.get(reverse(SEARCH), {"q": "Casey Brook"})
    nothing = client.get(reverse(SEARCH), {"q": "Nobody Atall"})

    html = unescape(hidden.content.decode())
    assert hidden.status_code == 200
    assert world.other_lcg_family.reference not in html
    assert "No people found" in html

    def results(response: HttpResponse) -> str:
        text: str = unescape(response.content.decode())
        return text.split("Clear search</a>", 1)[1].split("<footer", 1)[0]

    assert results(hidden) == results(nothing)


def test_a_protected_address_is_found_by_postcode_only_by_those_who_may_see_it(
    world: World,
) -> None:
    # Given a family in a refuge, worked with by the police as the lead agency
    refuge = FamilyFactory(
        lcg=world.winchester,
        lead_agency=world.police,
        address__postcode="SO23 9AA",
        address__is_protected=True,
    )
    MembershipFactory(family=refuge, person__given_name="Dana", person__family_name="Reid")
    grants_sync(actor=system_actor(), family_ids=[refuge.pk])

    # The police practitioner sees the family, and finds them by name...
    assert _names(world, "practitioner", text="Dana Reid") == ["Dana Reid"]
    # ...but not by the refuge's postcode, which they may not see.
    assert _names(world, "practitioner", postcode="SO23 9AA") == []
    # The LCG's coordinator and the data protection officer may see the address.
    assert _names(world, "coordinator", postcode="SO23 9AA") == ["Dana Reid"]
    assert _names(world, "dpo", postcode="SO23 9AA") == ["Dana Reid"]
    # A programme manager sees the family but not restricted information.
    assert _names(world, "programme_manager", postcode="SO23 9AA") == []


# -- the page ----------------------------------------------------------------------


def test_the_page_starts_empty_with_the_search_form(world: World) -> None:
    response = client_for(world.keyworker).get(reverse(SEARCH))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Find a person or family" in html
    assert "There is a problem" not in html
    assert "No people found" not in html
    assert not AccessEvent.objects.filter(path=reverse(SEARCH)).exists()


def test_results_link_to_the_family_marked_as_from_search_and_opening_is_logged(
    world: World,
) -> None:
    client = client_for(world.keyworker)

    response = client.get(reverse(SEARCH), {"q": "Ashbey"})

    html = response.content.decode()
    link = reverse("families:detail", args=[world.own_family.reference]) + "?from=search"
    assert link in html
    assert "Jordan Ashby" in html
    client.get(link)
    assert AccessEvent.objects.filter(
        action=AccessAction.SEARCH_RESULT_OPENED,
        family_id=world.own_family.pk,
        user=world.keyworker.user,
    ).exists()


def test_every_search_is_recorded_with_what_was_searched_and_what_was_shown(
    world: World,
) -> None:
    client = client_for(world.keyworker)

    client.get(reverse(SEARCH), {"q": "Ashby", "postcode": "so23 8ug"})
    client.get(reverse(SEARCH), {"q": "Nobody"})

    found, empty = AccessEvent.objects.filter(user=world.keyworker.user).order_by("id")
    assert found.action == AccessAction.LIST
    assert found.detail["search"] is True
    assert found.detail["filters"] == {"q": "Ashby", "postcode": "so23 8ug"}
    assert found.detail["families"] == [world.own_family.pk]
    assert empty.detail["families"] == []
    assert empty.detail["filters"] == {"q": "Nobody"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "", "postcode": ""}, "Enter a name, family reference, date of birth or postcode"),
        ({"q": "J"}, "Enter at least 2 letters of a name"),
        ({"q": "Smith", "postcode": "NOT A POSTCODE"}, "Enter a real postcode, like SO23 8UG"),
        (
            {"q": "Smith", "date_of_birth_day": "31", "date_of_birth_month": "2"},
            "Date of birth must include a year",
        ),
        (
            {
                "q": "Smith",
                "date_of_birth_day": "31",
                "date_of_birth_month": "2",
                "date_of_birth_year": "2014",
            },
            "Date of birth must be a real date",
        ),
    ],
)
def test_bad_searches_are_shown_again_with_a_clear_message(
    world: World, params: dict[str, str], message: str
) -> None:
    response = client_for(world.keyworker).get(reverse(SEARCH), params)

    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert "There is a problem" in html
    assert message in html
    assert "<title>Error: " in html
    for value in params.values():
        if value:
            assert f'value="{value}"' in html
    assert not AccessEvent.objects.exists()


# -- authorisation -----------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in_and_the_api_refuses() -> None:
    client = Client()

    page = client.get(reverse(SEARCH), {"q": "Ashby"})
    api = client.get("/api/search/", {"q": "Ashby"})

    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))
    assert api.status_code == 403


@pytest.mark.django_db
def test_system_administrators_cannot_search(world: World) -> None:
    client = client_for(world.sysadmin)

    assert client.get(reverse(SEARCH), {"q": "Ashby"}).status_code == 403
    assert client.get("/api/search/", {"q": "Ashby"}).status_code == 403
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize(
    ("persona", "finds"),
    [
        ("keyworker", True),
        ("other_keyworker", False),
        ("practitioner", False),  # police, not on the team
        ("other_practitioner", False),
        ("coordinator", True),
        ("other_coordinator", False),
        ("programme_manager", True),
        ("auditor", True),
        ("dpo", True),
    ],
)
def test_page_and_api_find_own_family_only_for_those_who_see_it(
    world: World, persona: str, finds: bool
) -> None:
    client = client_for(getattr(world, persona))
    reference = world.own_family.reference

    page = client.get(reverse(SEARCH), {"q": "Jordan Ashby"})
    api = client.get("/api/search/", {"q": "Jordan Ashby"})

    assert page.status_code == api.status_code == 200
    assert (reference in page.content.decode()) is finds
    refs = [row["family"]["reference"] for row in api.json()["results"]]
    assert refs == ([reference] if finds else [])


# -- the API -----------------------------------------------------------------------


def test_the_api_returns_people_with_their_family_best_match_first(world: World) -> None:
    _family(world, ("John", "Smith"), address__postcode="SO23 8UG")
    _family(world, ("Jane", "Smith"), address__postcode="SO23 8UG")

    response = client_for(world.keyworker).get(
        "/api/search/", {"q": "jonh smiht", "postcode": "so238ug"}
    )

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 2
    first = body["results"][0]
    assert (first["given_name"], first["family_name"]) == ("John", "Smith")
    assert first["family"]["lcg"] == "WINCHESTER"
    assert first["family"]["status"] == "identified"
    assert first["role_in_family"] == "parent_carer"
    assert first["score"] > body["results"][1]["score"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "q", "Enter a name, family reference, date of birth or postcode"),
        ({"date_of_birth": "27/03/2014"}, "date_of_birth", "Enter a date of birth as YYYY-MM-DD"),
        ({"postcode": "ZZ"}, "postcode", "Enter a real postcode, like SO23 8UG"),
    ],
)
def test_the_api_refuses_a_bad_search_with_a_message(
    world: World, params: dict[str, str], field: str, message: str
) -> None:
    response = client_for(world.keyworker).get("/api/search/", params)

    assert response.status_code == 400
    assert response.json()[field][0].startswith(message)


def test_the_api_searches_by_date_of_birth(world: World) -> None:
    person = world.own_family.memberships.get().person

    response = client_for(world.keyworker).get(
        "/api/search/", {"date_of_birth": person.date_of_birth.isoformat()}
    )

    assert [row["person_id"] for row in response.json()["results"]] == [person.pk]
    assert response.json()["results"][0]["score"] is None


# -- performance -------------------------------------------------------------------


def _queries(client: Client, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", ["/search/", "/api/search/"])
def test_a_search_uses_the_same_few_queries_for_3_or_30_results(world: World, url: str) -> None:
    client = client_for(world.keyworker)
    for _ in range(3):
        _family(world, ("John", "Smith"))
    client.get(url, {"q": "Smith"})  # warm the session
    few = _queries(client, url, {"q": "Smith"})
    for _ in range(27):
        _family(world, ("John", "Smith"))

    many = _queries(client, url, {"q": "Smith"})

    assert many == few
    # Sign-in and session, the count, the page of rows, the access event.
    assert few <= 10


def test_name_search_uses_the_trigram_indexes(world: World) -> None:
    # Given enough people for the planner to prefer an index to reading them all
    rng = random.Random(7)
    letters = "ABCDEFGHIJKLMNOPRSTUVWY"
    people = Person.objects.bulk_create(
        Person(
            given_name="".join(rng.choices(letters, k=6)),
            family_name="".join(rng.choices(letters, k=7)),
            date_of_birth=datetime.date(1990, 1, 1),
        )
        for _ in range(5000)
    )
    HouseholdMembership.objects.bulk_create(
        HouseholdMembership(
            family=world.unassigned_family,
            person=person,
            role=MemberRole.OTHER_ADULT,
            start_date=datetime.date(2025, 1, 1),
        )
        for person in people
    )
    with connection.cursor() as cursor:
        # New rows wait in each GIN index's pending list until autovacuum merges them;
        # this test's transaction never reaches autovacuum, so merge them here.
        for index in ("person_family_name_trgm", "person_given_name_trgm"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE families_person; ANALYZE families_householdmembership")
    user = world.programme_manager.user

    # When the programme manager, who sees every family, searches by name
    full_name = person_search_for_user(user, PersonSearch(text="Jonh Smiht")).explain()
    one_word = person_search_for_user(user, PersonSearch(text="Jordan")).explain()

    # Then the trigram indexes on UPPER(name) find the candidates
    assert "person_family_name_trgm" in full_name
    assert "person_family_name_trgm" in one_word
    assert "person_given_name_trgm" in one_word
