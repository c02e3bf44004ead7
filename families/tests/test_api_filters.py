"""The query-string filters of GET /api/families/ and GET /api/search/: what each one
narrows, and a clear 400 naming the parameter for a value it does not accept."""

from __future__ import annotations

import pytest

from audit.models import AccessEvent
from conftest import World, client_for
from families.models import Family
from families.states import FamilyStatus

FAMILIES = "/api/families/"
SEARCH = "/api/search/"


def _references(world: World, params: dict[str, str]) -> list[str]:
    response = client_for(world.programme_manager).get(FAMILIES, params)
    assert response.status_code == 200, response.json()
    return [row["reference"] for row in response.json()["results"]]


def test_each_family_filter_narrows_the_list_to_what_it_names(world: World) -> None:
    Family.objects.filter(pk=world.other_lcg_family.pk).update(status=FamilyStatus.SCREENED)
    own, other, unassigned = (
        world.own_family.reference,
        world.other_lcg_family.reference,
        world.unassigned_family.reference,
    )

    assert sorted(_references(world, {})) == sorted([own, other, unassigned])
    assert _references(world, {"status": "screened"}) == [other]
    assert _references(world, {"lcg": str(world.winchester.pk)}) == [own]
    assert _references(world, {"unassigned": "true"}) == [unassigned]
    assert _references(world, {"unassigned": "yes"}) == [unassigned]
    assert sorted(_references(world, {"unassigned": "false"})) == sorted([own, other, unassigned])
    # "Outside every LCG" wins over naming one, as it always has.
    assert _references(world, {"unassigned": "1", "lcg": str(world.winchester.pk)}) == [unassigned]
    assert _references(world, {"q": "ashby"}) == [own]
    assert _references(world, {"q": other.lower()}) == [other]
    # An empty filter is no filter.
    assert len(_references(world, {"status": "", "lcg": "", "q": ""})) == 3


def test_the_families_list_records_the_filters_as_given(world: World) -> None:
    before = AccessEvent.objects.count()

    client_for(world.programme_manager).get(FAMILIES, {"q": "Ashby", "unassigned": "no"})

    event = AccessEvent.objects.order_by("-pk").first()
    assert AccessEvent.objects.count() == before + 1
    assert event is not None
    assert event.detail["filters"] == {"q": "Ashby", "unassigned": "no"}


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"status": "sleeping"}, "status", "Unknown status 'sleeping'"),
        ({"lcg": "winchester"}, "lcg", "Enter an LCG id as a whole number"),
        ({"lcg": "-3"}, "lcg", "Enter an LCG id as a whole number"),
        ({"lcg": "1.5"}, "lcg", "Enter an LCG id as a whole number"),
        ({"unassigned": "maybe"}, "unassigned", "Enter true or false"),
        ({"q": "Ash\x00by"}, "q", "Null characters are not allowed."),
    ],
)
def test_a_bad_family_filter_is_a_400_naming_it_and_nothing_is_recorded(
    world: World, params: dict[str, str], field: str, message: str
) -> None:
    before = AccessEvent.objects.count()

    response = client_for(world.programme_manager).get(FAMILIES, params)

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert AccessEvent.objects.count() == before


def test_a_bad_filter_from_a_role_without_families_is_still_a_403(world: World) -> None:
    response = client_for(world.sysadmin).get(FAMILIES, {"status": "sleeping"})

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"q": "A" * 101}, "q", "Name or family reference must be 100 characters or fewer"),
        ({"postcode": "SO23 8UG 12"}, "postcode", "Enter a real postcode, like SO23 8UG"),
        ({"date_of_birth": "03/27/2014"}, "date_of_birth", "Enter a date of birth as YYYY-MM-DD"),
        ({"q": "   "}, "q", "Enter a name, family reference, date of birth or postcode"),
    ],
)
def test_a_bad_search_parameter_is_a_400_naming_it(
    world: World, params: dict[str, str], field: str, message: str
) -> None:
    before = AccessEvent.objects.count()

    response = client_for(world.keyworker).get(SEARCH, params)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert response.json()[field][0].startswith(message)
    assert AccessEvent.objects.count() == before


def test_a_search_records_what_was_searched_for(world: World) -> None:
    client_for(world.keyworker).get(SEARCH, {"q": " Ashby ", "postcode": ""})

    event = AccessEvent.objects.order_by("-pk").first()
    assert event is not None
    assert event.detail["filters"] == {"q": "Ashby"}
