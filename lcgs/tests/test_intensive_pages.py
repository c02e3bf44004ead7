"""Intensive support pages and API: what each shows, forms that re-show what was typed
with a specific message, the provider's minimum view of a nomination, and lists in a
fixed number of queries."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import World, client_for
from families.models import Family, Track
from lcgs.intensive import services
from lcgs.intensive.models import IntensiveNomination, IntensivePlaces
from lcgs.intensive.models import IntensiveNominationStatus as St
from lcgs.tests.intensive_support import Intensive, intensive, screened, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def i(world: World) -> Intensive:
    return intensive(world)


def _html(response: Any) -> str:
    return unescape(response.content.decode())


def _nominate(i: Intensive, family: Family | None = None) -> IntensiveNomination:
    chosen = family or i.family
    coordinator = (
        i.world.coordinator if chosen.lcg == i.world.winchester else i.world.other_coordinator
    )
    return services.intensive_nominate(
        actor=coordinator.user,
        family=family or i.family,
        provider=i.provider,
        reason="Canarywhy: exclusion and violence at home",
    )


# --- Nominating ----------------------------------------------------------------------------


def test_the_nominate_page_shows_places_left_and_waiting_per_provider(i: Intensive) -> None:
    _nominate(i, screened(i.world))
    response = client_for(i.world.coordinator).get(
        reverse("lcgs:intensive-nominate", args=[i.family.reference])
    )
    html = _html(response)
    assert response.status_code == 200
    assert "2 of 2 places left in" in html
    assert "1 waiting for a decision" in html
    assert "Families First Intensive" in html


def test_nominating_from_the_page_puts_the_family_on_the_waiting_list(i: Intensive) -> None:
    client = client_for(i.world.coordinator)
    response = client.post(
        reverse("lcgs:intensive-nominate", args=[i.family.reference]),
        {"provider": str(i.provider.pk), "reason": "Needs daily support"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#intensive-support")
    nomination = IntensiveNomination.objects.get()
    assert (nomination.family, nomination.status) == (i.family, St.WAITING)
    family_page = _html(client.get(reverse("families:detail", args=[i.family.reference])))
    assert "Intensive Family Support, nominated" in family_page
    assert "Nominate to intensive support" not in family_page  # one waiting at a time


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "Needs it"}, "Select an intensive support provider"),
        ({"provider": "PROVIDER", "reason": ""}, "Enter why the family needs intensive support"),
        ({"provider": "COUNCIL", "reason": "Needs it"}, "Select an intensive support provider"),
    ],
)
def test_the_nominate_form_is_re_shown_with_what_was_typed(
    i: Intensive, data: dict[str, str], message: str
) -> None:
    ids = {"PROVIDER": str(i.provider.pk), "COUNCIL": str(i.world.council.pk)}
    posted = {k: ids.get(v, v) for k, v in data.items()}
    before = snapshot()
    response = client_for(i.world.coordinator).post(
        reverse("lcgs:intensive-nominate", args=[i.family.reference]), posted
    )
    html = _html(response)
    assert response.status_code == 400
    assert "govuk-error-summary" in html and message in html
    if posted.get("reason"):
        assert posted["reason"] in html
    assert snapshot() == before


def test_a_service_refusal_goes_onto_the_form(i: Intensive) -> None:
    services.intensive_nominate(
        actor=i.world.coordinator.user, family=i.family, provider=i.other_provider, reason="x"
    )
    response = client_for(i.world.coordinator).post(
        reverse("lcgs:intensive-nominate", args=[i.family.reference]),
        {"provider": str(i.provider.pk), "reason": "Second try"},
    )
    html = _html(response)
    assert response.status_code == 400
    assert "already waiting for a decision from Families First Intensive" in html
    assert "Second try" in html


# --- The provider's pages ------------------------------------------------------------------


def test_the_provider_sees_only_nominations_to_its_agency_in_order(i: Intensive) -> None:
    first = _nominate(i)
    second = _nominate(i, i.other_lcg_family)
    services.intensive_nominate(
        actor=i.world.coordinator.user,
        family=screened(i.world),
        provider=i.other_provider,
        reason="Elsewhere",
    )
    html = _html(client_for(i.provider_worker).get(reverse("lcgs:intensive-provider-list")))
    assert html.index(first.family.reference) < html.index(second.family.reference)
    assert (
        IntensiveNomination.objects.filter(provider=i.other_provider).get().family.reference
        not in html
    )
    assert "2 of 2 places left" in html


def test_the_provider_sees_who_the_family_is_but_not_its_record(i: Intensive) -> None:
    nomination = _nominate(i)
    client = client_for(i.provider_worker)
    html = _html(client.get(reverse("lcgs:intensive-nomination-detail", args=[nomination.pk])))
    assert "Sam Dunne, parent or carer" in html
    assert "Canarywhy" in html
    assert "Accept the family" in html and "Withdraw the nomination" not in html
    # No grant comes with a nomination: the family's own page stays closed.
    assert client.get(reverse("families:detail", args=[i.family.reference])).status_code == 404


def test_accepting_on_the_page_lists_key_workers_and_allocates(i: Intensive) -> None:
    nomination = _nominate(i)
    client = client_for(i.provider_worker)
    url = reverse("lcgs:intensive-nomination-accept", args=[nomination.pk])
    page = _html(client.get(url))
    assert "Ira Shaw" in page and "Leads 0 open families" in page

    response = client.post(url, {"lead_professional": str(i.provider_worker.pk), "note": ""})

    assert response.status_code == 302
    family = Family.objects.get(pk=i.family.pk)
    assert (family.track, family.lead_professional) == (Track.INTENSIVE, i.provider_worker)
    # Now the lead professional, the provider sees the family's page.
    assert client.get(reverse("families:detail", args=[i.family.reference])).status_code == 200


def test_accepting_over_capacity_is_refused_on_the_page(i: Intensive) -> None:
    IntensivePlaces.objects.filter(provider=i.provider).update(places=0)
    nomination = _nominate(i)
    before = snapshot()
    response = client_for(i.provider_worker).post(
        reverse("lcgs:intensive-nomination-accept", args=[nomination.pk]),
        {"lead_professional": "none", "note": "Kept note"},
    )
    html = _html(response)
    assert response.status_code == 400
    assert "All 0 of Intensive Family Support's places" in html and "Kept note" in html
    assert snapshot() == before


def test_declining_needs_a_reason_and_the_coordinator_sees_it(i: Intensive) -> None:
    nomination = _nominate(i)
    url = reverse("lcgs:intensive-nomination-decline", args=[nomination.pk])
    client = client_for(i.provider_worker)
    missing = client.post(url, {"reason": ""})
    assert missing.status_code == 400
    assert "Enter why you are declining the family" in _html(missing)

    assert client.post(url, {"reason": "No worker free in Winchester"}).status_code == 302

    overview = _html(client_for(i.world.coordinator).get(reverse("lcgs:intensive-overview")))
    assert "declined by Intensive Family Support" in overview
    assert "No worker free in Winchester" in overview


def test_withdrawing_from_the_page(i: Intensive) -> None:
    nomination = _nominate(i)
    response = client_for(i.world.coordinator).post(
        reverse("lcgs:intensive-nomination-withdraw", args=[nomination.pk]),
        {"reason": "Allocating locally after all"},
    )
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == St.WITHDRAWN


# --- The waiting list and places -------------------------------------------------------------


def test_the_waiting_list_shows_the_coordinators_lcg_oldest_first_with_shares(
    i: Intensive,
) -> None:
    first = _nominate(i)
    second = _nominate(i, screened(i.world))
    hidden = services.intensive_nominate(
        actor=i.world.other_coordinator.user,
        family=i.other_lcg_family,
        provider=i.provider,
        reason="Havant's",
    )
    html = _html(client_for(i.world.coordinator).get(reverse("lcgs:intensive-overview")))
    assert html.index(first.family.reference) < html.index(second.family.reference)
    assert hidden.family.reference not in html
    assert "Families on each track" in html and "The target is 20% to 30%" in html


def test_the_programme_manager_sets_places_and_the_form_re_shows_problems(i: Intensive) -> None:
    client = client_for(i.world.programme_manager)
    url = reverse("lcgs:intensive-places")
    bad = client.post(
        url, {"provider": str(i.provider.pk), "financial_year": str(i.year), "places": "lots"}
    )
    assert bad.status_code == 400
    assert "Enter the number of places as a whole number" in _html(bad)

    ok = client.post(
        url, {"provider": str(i.provider.pk), "financial_year": str(i.year), "places": "94"}
    )
    assert ok.status_code == 302
    assert IntensivePlaces.objects.get(provider=i.provider, financial_year=i.year).places == 94
    assert "94" in _html(client.get(url))


# --- The API -----------------------------------------------------------------------------------


def test_the_api_nominates_accepts_and_reports_places_and_shares(i: Intensive) -> None:
    coordinator = client_for(i.world.coordinator)
    created = coordinator.post(
        "/api/intensive-nominations/",
        {"family": i.family.reference, "provider": i.provider.code, "reason": "Needs it"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["queue_position"] == 1

    accepted = client_for(i.provider_worker).post(
        f"/api/intensive-nominations/{pk}/accept/",
        {"lead_professional": i.provider_worker.user.username},
        content_type="application/json",
    )
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert (body["track"], body["places_left"], body["nomination"]["status"]) == (
        "intensive",
        1,
        "accepted",
    )

    places = {row["provider"]: row for row in coordinator.get("/api/intensive-places/").json()}
    assert (places["IFSS"]["accepted"], places["IFSS"]["left"]) == (1, 1)
    shares = coordinator.get("/api/intensive-track-shares/").json()
    assert (shares["lcg"], shares["intensive"], shares["intensive_percent"]) == (
        "WINCHESTER",
        1,
        "100.0",
    )


def test_the_api_refusals_say_what_is_wrong(i: Intensive) -> None:
    nomination = _nominate(i)
    provider = client_for(i.provider_worker)
    no_reason = provider.post(
        f"/api/intensive-nominations/{nomination.pk}/decline/",
        {"reason": ""},
        content_type="application/json",
    )
    assert no_reason.status_code == 400
    IntensivePlaces.objects.filter(provider=i.provider).update(places=0)
    full = provider.post(
        f"/api/intensive-nominations/{nomination.pk}/accept/", {}, content_type="application/json"
    )
    assert full.status_code == 400
    assert "places" in full.content.decode()


def test_the_schema_lists_the_routes(i: Intensive) -> None:
    schema = client_for(i.world.programme_manager).get("/api/schema/").content.decode()
    for route in (
        "/api/intensive-nominations/{id}/accept/",
        "/api/intensive-nominations/{id}/decline/",
        "/api/intensive-nominations/{id}/withdraw/",
        "/api/intensive-places/",
        "/api/intensive-track-shares/",
    ):
        assert route in schema


# --- Query counts ------------------------------------------------------------------------------


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("coordinator", "/intensive-support/"),
        ("provider_worker", "/intensive-support/provider/"),
        ("coordinator", "/api/intensive-nominations/"),
        ("provider_worker", "/api/intensive-nominations/"),
    ],
)
def test_lists_take_the_same_queries_for_more_rows(i: Intensive, who: str, url: str) -> None:
    staff = i.provider_worker if who == "provider_worker" else i.world.coordinator
    path = reverse("lcgs:intensive-overview") if url == "/intensive-support/" else url
    if url == "/intensive-support/provider/":
        path = reverse("lcgs:intensive-provider-list")
    client = client_for(staff)
    _nominate(i)
    _queries(client, path)  # the session's first request reads more (sign-in checks)
    few = _queries(client, path)
    for _ in range(6):
        nomination = _nominate(i, screened(i.world))
    services.intensive_nomination_decline(
        actor=i.provider_worker.user, nomination=nomination, reason="Full"
    )
    assert _queries(client, path) == few
