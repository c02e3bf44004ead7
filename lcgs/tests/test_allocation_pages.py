"""The allocation page and API: the form shows key workers' caseloads, re-shows what was
typed with a specific message on any problem, and only the right people reach it."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from conftest import World, client_for
from families.models import Family, LeadAssignment, Track
from families.states import FamilyStatus
from lcgs.tests.allocation_support import Allocating, allocating, screened_family, snapshot
from tests.factories import FamilyFactory

pytestmark = pytest.mark.django_db

S = FamilyStatus


@pytest.fixture
def a(world: World) -> Allocating:
    return allocating(world)


def _url(family: Family) -> str:
    return reverse("lcgs:family-allocate", args=[family.reference])


def _form(a: Allocating, **changes: Any) -> dict[str, Any]:
    data = {
        "track": "local",
        "lead_agency": str(a.world.council.pk),
        "lead_professional": str(a.world.keyworker.pk),
        "reason": "School attendance; agreed at the LCG",
    }
    data.update(changes)
    return data


def _html(response: Any) -> str:
    return unescape(response.content.decode())


# --- The page --------------------------------------------------------------------------


def test_the_page_lists_the_agencys_key_workers_with_their_caseload(a: Allocating) -> None:
    FamilyFactory(
        status=S.ENGAGED, lead_agency=a.world.council, lead_professional=a.world.keyworker
    )
    client = client_for(a.world.coordinator)

    response = client.get(_url(a.family) + f"?lead_agency={a.world.council.pk}")

    html = _html(response)
    assert response.status_code == 200
    assert "Allocate the family" in html
    keyworker = a.world.keyworker.display_name
    hint = r"\s*<div[^>]*govuk-radios__hint[^>]*>Leads 2 open families; 0 open actions</div>"
    assert re.search(rf"{re.escape(keyworker)}, Family support worker</label>{hint}", html)
    assert a.world.other_keyworker.display_name in html
    # People who cannot lead a family are not offered.
    offered = set(re.findall(r'name="lead_professional" value="(\w+)"', html))
    assert offered == {str(a.world.keyworker.pk), str(a.world.other_keyworker.pk), "none"}
    assert "Not yet: Early Help Hampshire names one later" in html


def test_without_an_agency_the_page_asks_for_one_first(a: Allocating) -> None:
    response = client_for(a.world.coordinator).get(_url(a.family))

    html = _html(response)
    assert response.status_code == 200
    assert 'name="lead_professional"' not in html
    assert "Show this agency's key workers" in html


def test_allocating_on_the_page_moves_the_family_and_says_so(a: Allocating) -> None:
    client = client_for(a.world.coordinator)

    response = client.post(_url(a.family), _form(a))

    assert response.status_code == 302
    assert response["Location"] == reverse("families:detail", args=[a.family.reference])
    family = Family.objects.get(pk=a.family.pk)
    assert (family.status, family.track, family.lead_professional) == (
        S.ALLOCATED,
        Track.LOCAL,
        a.world.keyworker,
    )
    page = _html(client.get(response["Location"]))
    assert f"{a.family.reference} allocated to {a.world.keyworker.display_name}" in page
    assert "Local" in page


def test_not_yet_named_leaves_the_lead_to_the_agency(a: Allocating) -> None:
    response = client_for(a.world.coordinator).post(
        _url(a.family), _form(a, lead_professional="none")
    )

    assert response.status_code == 302
    family = Family.objects.get(pk=a.family.pk)
    assert (family.lead_agency, family.lead_professional) == (a.world.council, None)


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        (
            {"track": "", "reason": ""},
            ["Select a track", "Enter the reason for the allocation"],
        ),
        ({"lead_agency": ""}, ["Select a lead agency"]),
        ({"lead_professional": ""}, ["Select a lead professional, or that the lead agency"]),
        # The agency changed since the key workers were shown: the person is not its.
        (
            {"lead_agency": "provider"},
            ["Select a lead professional who works for Intensive Family Support"],
        ),
        (
            {"track": "intensive"},
            ["On the intensive track the lead agency is an intensive support provider"],
        ),
        ({"reason": "x" * 2001}, ["The reason must be 2,000 characters or fewer"]),
    ],
)
def test_a_problem_reshows_the_form_with_what_was_typed(
    a: Allocating, changes: dict[str, str], messages: list[str]
) -> None:
    if changes.get("lead_agency") == "provider":
        changes = {**changes, "lead_agency": str(a.provider.pk)}
    before = snapshot()
    data = _form(a, **changes)

    response = client_for(a.world.coordinator).post(_url(a.family), data)

    html = _html(response)
    assert response.status_code == 400
    assert "There is a problem" in html
    for message in messages:
        assert message in html
    if data["reason"] and len(data["reason"]) < 100:
        assert data["reason"] in html
    if data["track"]:
        assert re.search(rf'value="{data["track"]}"[^>]*checked', html)
    assert snapshot() == before


def test_show_key_workers_keeps_what_was_typed_and_changes_nothing(a: Allocating) -> None:
    before = snapshot()

    response = client_for(a.world.coordinator).post(
        _url(a.family),
        {
            "track": "intensive",
            "lead_agency": str(a.provider.pk),
            "reason": "Domestic abuse",
            "show": "1",
        },
    )

    html = _html(response)
    assert response.status_code == 200
    assert "There is a problem" not in html
    assert "Ira Shaw" in html
    assert a.world.keyworker.display_name not in html
    assert "Domestic abuse" in html
    assert snapshot() == before


def test_an_allocated_family_is_offered_a_handover(a: Allocating) -> None:
    client = client_for(a.world.coordinator)
    client.post(_url(a.family), _form(a))

    page = _html(client.get(_url(a.family)))
    response = client.post(
        _url(a.family), _form(a, lead_professional=str(a.world.other_keyworker.pk))
    )

    assert "Hand over to another lead" in page
    # The current lead is chosen already.
    assert re.search(rf'value="{a.world.keyworker.pk}"[^>]*checked', page)
    assert response.status_code == 302
    assert LeadAssignment.objects.filter(family=a.family).count() == 2
    detail = _html(client.get(response["Location"]))
    assert f"handed over to {a.world.other_keyworker.display_name}" in detail


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (S.IDENTIFIED, "has not been screened yet"),
        (S.DECLINED, "This family is declined. Re-open it"),
    ],
)
def test_a_family_that_cannot_be_allocated_says_why_and_takes_nothing(
    a: Allocating, status: FamilyStatus, words: str
) -> None:
    Family.objects.filter(pk=a.family.pk).update(status=status)
    client = client_for(a.world.coordinator)
    before = snapshot()

    page = client.get(_url(a.family))
    posted = client.post(_url(a.family), _form(a))

    assert words in _html(page)
    assert 'name="reason"' not in _html(page)
    assert posted.status_code == 200
    assert snapshot() == before


@pytest.mark.parametrize(
    ("persona", "sees_link"),
    [("coordinator", True), ("programme_manager", True), ("keyworker", False)],
)
def test_the_family_page_links_to_allocation_for_those_who_allocate(
    a: Allocating, persona: str, sees_link: bool
) -> None:
    # The keyworker leads the family, so sees it; only the LCG allocates.
    Family.objects.filter(pk=a.family.pk).update(
        lead_agency=a.world.council, lead_professional=a.world.keyworker, track="local"
    )
    from agencies.services import system_actor
    from families.access.grants import grants_sync

    grants_sync(actor=system_actor(), family_ids=[a.family.pk])

    page = _html(
        client_for(getattr(a.world, persona)).get(
            reverse("families:detail", args=[a.family.reference])
        )
    )

    assert (_url(a.family) in page) is sees_link


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 302),
        ("programme_manager", 302),
        ("other_coordinator", 404),  # another LCG's family does not exist for them
        ("other_keyworker", 404),
        ("auditor", 403),  # sees every family, allocates none
        ("dpo", 403),
        ("sysadmin", 403),
    ],
)
def test_only_the_lcg_and_programme_managers_allocate(
    a: Allocating, persona: str, expected: int
) -> None:
    before = snapshot()

    response = client_for(getattr(a.world, persona)).post(_url(a.family), _form(a))

    assert response.status_code == expected
    if expected != 302:
        assert snapshot() == before


# --- The API ---------------------------------------------------------------------------


def _api(a: Allocating, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "track": "local",
        "lead_agency": "HCC-EH",
        "lead_professional": "keyworker",
        "reason": "Agreed at the LCG",
    }
    data.update(changes)
    return data


def _post(a: Allocating, persona: str, data: dict[str, Any], family: Family | None = None) -> Any:
    return client_for(getattr(a.world, persona)).post(
        f"/api/families/{(family or a.family).reference}/allocation/",
        data,
        content_type="application/json",
    )


def test_the_api_allocates_and_hands_over(a: Allocating) -> None:
    first = _post(a, "coordinator", _api(a, decision_source="LCG meeting, 3 March"))
    second = _post(a, "programme_manager", _api(a, lead_professional="other-keyworker"))

    assert first.status_code == 200, first.content
    assert first.json() | {"started_at": None} == {
        "reference": a.family.reference,
        "status": "allocated",
        "track": "local",
        "lead_agency": "HCC-EH",
        "lead_professional": "keyworker",
        "handover": False,
        "started_at": None,
        "decision_source": "LCG meeting, 3 March",
    }
    assert second.status_code == 200
    assert second.json()["handover"] is True
    assert second.json()["lead_professional"] == "other-keyworker"


def test_the_api_names_the_agency_without_a_lead_professional(a: Allocating) -> None:
    response = _post(a, "coordinator", _api(a, lead_professional=None))

    assert response.status_code == 200
    assert response.json()["lead_professional"] is None


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"lead_agency": "NOPE"}, {"lead_agency": ["No agency has the code NOPE"]}),
        (
            {"lead_professional": "nobody"},
            {"lead_professional": ["Nobody has the username nobody"]},
        ),
        (
            {"lead_professional": "practitioner"},
            {
                "lead_professional": [
                    f"{'{'}name{'}'} does not work for Early Help Hampshire: select a lead "
                    "professional who does"
                ]
            },
        ),
        ({"track": "urgent"}, {"track": ['"urgent" is not a valid choice.']}),
        ({"reason": ""}, {"reason": ["This field may not be blank."]}),
    ],
)
def test_the_api_refuses_with_the_field_and_why(
    a: Allocating, changes: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    if "lead_professional" in errors and "{name}" in errors["lead_professional"][0]:
        name = a.world.practitioner.display_name
        errors = {"lead_professional": [errors["lead_professional"][0].replace("{name}", name)]}
    before = snapshot()

    response = _post(a, "coordinator", _api(a, **changes))

    assert response.status_code == 400
    assert response.json() == errors
    assert snapshot() == before


def test_the_api_refuses_a_family_in_a_terminal_state(a: Allocating) -> None:
    Family.objects.filter(pk=a.family.pk).update(status=S.CLOSED_NO_OUTCOME)

    response = _post(a, "coordinator", _api(a))

    assert response.status_code == 400
    assert "re-open it before allocating it" in response.json()["non_field_errors"][0]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("other_coordinator", 404), ("keyworker", 404), ("auditor", 403), ("sysadmin", 403)],
)
def test_the_api_refuses_everyone_else(a: Allocating, persona: str, expected: int) -> None:
    before = snapshot()

    response = _post(a, persona, _api(a))

    assert response.status_code == expected
    assert snapshot() == before


def test_the_api_refuses_anonymous_callers(a: Allocating) -> None:
    from django.test import Client

    response = Client().post(
        f"/api/families/{a.family.reference}/allocation/", _api(a), content_type="application/json"
    )

    assert response.status_code == 403


def test_key_workers_with_their_caseload_through_the_api(a: Allocating) -> None:
    other = screened_family(a.world)
    _post(a, "coordinator", _api(a))
    _post(a, "coordinator", _api(a), family=other)

    response = client_for(a.world.coordinator).get("/api/key-workers/?agency=HCC-EH")

    assert response.status_code == 200
    rows = {row["username"]: row for row in response.json()}
    assert set(rows) == {"keyworker", "other-keyworker"}
    assert rows["keyworker"] | {"name": None} == {
        "username": "keyworker",
        "name": None,
        "job_title": "Family support worker",
        "agency": "HCC-EH",
        "roles": ["family_support_worker"],
        # own_family, and the two just allocated.
        "families_led": 3,
        "open_actions": 0,
        "overdue_actions": 0,
    }


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("", {"agency": ["Enter the agency's code"]}),
        ("?agency=NOPE", {"agency": ["No agency has the code NOPE"]}),
    ],
)
def test_key_workers_need_a_known_agency(a: Allocating, query: str, errors: Any) -> None:
    response = client_for(a.world.programme_manager).get(f"/api/key-workers/{query}")

    assert response.status_code == 400
    assert response.json() == errors


@pytest.mark.parametrize("persona", ["keyworker", "practitioner", "auditor", "dpo", "sysadmin"])
def test_key_workers_are_for_those_who_allocate(a: Allocating, persona: str) -> None:
    response = client_for(getattr(a.world, persona)).get("/api/key-workers/?agency=HCC-EH")

    assert response.status_code == 403
