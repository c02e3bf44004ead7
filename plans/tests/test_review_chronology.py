"""The family's chronology: every source, newest first, filterable, restricted entries
hidden by the restricted rule, and a fixed number of queries per page."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import AnyUser
from conftest import World, client_for
from families.models import Family, FamilyStatusChange
from families.states import FamilyStatus
from plans.review import chronology
from plans.review.chronology import ChronologyEntry, register_chronology_source
from plans.review.services import case_note_add
from plans.tests.test_review_support import (
    RESTRICTED_ACTION,
    RESTRICTED_GOAL,
    RESTRICTED_NEED,
    build_plan,
)

RESTRICTED_TEXT = "Police intelligence about an associate"


def _url(world: World, **params: Any) -> str:
    base = reverse("plans:chronology", args=[world.own_family.reference])
    return f"{base}?{urlencode(params, doseq=True)}" if params else base


def _status_change(family: Family, when: datetime.datetime, actor: Any, reason: str) -> None:
    FamilyStatusChange.objects.create(
        family=family,
        from_status=FamilyStatus.IDENTIFIED,
        to_status=FamilyStatus.SCREENED,
        reason=reason,
        actor=actor,
        created_at=when,
    )


def _long_ago() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=40)


@pytest.fixture
def history(world: World) -> None:
    build_plan(world)
    family = world.own_family
    case_note_add(actor=world.keyworker.user, family=family, text="Ordinary note")
    case_note_add(
        actor=world.keyworker.user, family=family, text=RESTRICTED_TEXT, is_restricted=True
    )
    # Midday, so the local date is the same whatever the clocks are doing.
    _status_change(
        family,
        timezone.make_aware(datetime.datetime.combine(_long_ago(), datetime.time(12))),
        world.coordinator.user,
        "Screened at the LCG",
    )


def test_every_kind_of_entry_is_listed_newest_first(world: World, history: None) -> None:
    response = client_for(world.keyworker).get(_url(world))

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Ordinary note", RESTRICTED_TEXT, "Screened at the LCG", "Plan started"):
        assert text in html, text
    # The note written last comes before the status change from 40 days ago.
    assert html.index(RESTRICTED_TEXT) < html.index("Screened at the LCG")
    api = client_for(world.keyworker).get(f"/api/families/{world.own_family.reference}/chronology/")
    times = [e["occurred_at"] for e in api.json()["results"]]
    assert times == sorted(times, reverse=True)
    assert {e["kind"] for e in api.json()["results"]} >= {
        "case_note",
        "status_change",
        "plan_change",
    }


def test_restricted_entries_are_hidden_from_the_team(world: World, history: None) -> None:
    page = client_for(world.practitioner).get(_url(world)).content.decode()
    lead = client_for(world.keyworker).get(_url(world)).content.decode()

    for hidden in (RESTRICTED_TEXT, RESTRICTED_GOAL, RESTRICTED_ACTION):
        assert hidden not in page, hidden
        assert hidden in lead, hidden
    assert RESTRICTED_NEED not in page
    assert "Ordinary note" in page
    assert "Goal added: Jordan goes to school every day" in page


def test_filter_by_kind_and_date_range(world: World, history: None) -> None:
    client = client_for(world.keyworker)
    long_ago = _long_ago()

    notes_only = client.get(_url(world, kind="case_note")).content.decode()
    that_day = client.get(
        _url(
            world,
            since_day=long_ago.day,
            since_month=long_ago.month,
            since_year=long_ago.year,
            until_day=long_ago.day,
            until_month=long_ago.month,
            until_year=long_ago.year,
        )
    ).content.decode()

    assert "Ordinary note" in notes_only
    assert "Screened at the LCG" not in notes_only
    assert "Plan started" not in notes_only
    assert "Screened at the LCG" in that_day
    assert "Ordinary note" not in that_day
    assert "1 entry" in that_day


def test_an_impossible_date_range_is_explained_and_kept(world: World, history: None) -> None:
    response = client_for(world.keyworker).get(
        _url(
            world,
            since_day="10",
            since_month="3",
            since_year="2026",
            until_day="1",
            until_month="3",
            until_year="2026",
        )
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "The &#x27;to&#x27; date must be the same as or after the &#x27;from&#x27; date" in html
    assert 'name="since_day" value="10"' in html


def test_api_filters_and_rejects_unknown_kinds(world: World, history: None) -> None:
    client = client_for(world.practitioner)
    url = f"/api/families/{world.own_family.reference}/chronology/"

    notes = client.get(url, {"kind": "case_note"}).json()
    unknown = client.get(url, {"kind": "gossip"})
    backwards = client.get(url, {"since": "2026-03-10", "until": "2026-03-01"})

    assert [e["detail"] for e in notes["results"]] == ["Ordinary note"]
    assert unknown.status_code == 400
    assert backwards.status_code == 400


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"kind": ["case_note", "gossip"]}, "kind", "Unknown kind 'gossip'"),
        ({"kind": ""}, "kind", "Unknown kind ''"),
        ({"since": "10/03/2026"}, "since", "Enter a date as YYYY-MM-DD"),
        ({"until": "2026-02-30"}, "until", "Enter a date as YYYY-MM-DD"),
        (
            {"since": "2026-03-10", "until": "2026-03-01"},
            "until",
            "until must be the same as or after since",
        ),
    ],
)
def test_api_refuses_a_bad_filter_naming_it(
    world: World, history: None, params: dict[str, Any], field: str, message: str
) -> None:
    url = f"/api/families/{world.own_family.reference}/chronology/"

    response = client_for(world.keyworker).get(url, params)

    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_api_filters_by_several_kinds_and_dates(world: World, history: None) -> None:
    url = f"/api/families/{world.own_family.reference}/chronology/"
    client = client_for(world.keyworker)
    today = timezone.localdate().isoformat()

    both = client.get(url, {"kind": ["case_note", "status_change"]}).json()["results"]
    changes = client.get(url, {"kind": "status_change"}).json()["results"]
    recent = client.get(url, {"kind": "status_change", "since": today}).json()["results"]

    assert {e["kind"] for e in both} == {"case_note", "status_change"}
    # The change screened 40 days ago is left out from today on.
    assert len(recent) == len(changes) - 1


def test_later_apps_add_entries_through_the_registry(
    world: World, history: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chronology, "_SOURCES", dict(chronology._SOURCES))
    seen: list[tuple[Any, ...]] = []

    def evidence(
        user: AnyUser, family: Family, since: datetime.date | None, until: datetime.date | None
    ) -> list[ChronologyEntry]:
        seen.append((family.pk, since, until))
        now = timezone.now()
        return [
            ChronologyEntry(kind="evidence", occurred_at=now, title="School attendance 84%"),
            ChronologyEntry(
                kind="evidence", occurred_at=now, title="MARAC referral", is_restricted=True
            ),
        ]

    register_chronology_source("evidence", evidence, label="Agency evidence")

    team = client_for(world.practitioner).get(_url(world, kind="evidence")).content.decode()
    lead = client_for(world.keyworker).get(_url(world, kind="evidence")).content.decode()

    assert "School attendance 84%" in team
    assert "Agency evidence" in team  # the filter offers the new kind
    assert "MARAC referral" not in team
    assert "MARAC referral" in lead
    assert seen[0] == (world.own_family.pk, None, None)


def _many(world: World, n: int) -> None:
    family = world.own_family
    for i in range(n):
        case_note_add(actor=world.keyworker.user, family=family, text=f"Note {i}")
        _status_change(
            family, timezone.now() - datetime.timedelta(days=i + 1), world.keyworker.user, f"{i}"
        )


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_a_page_costs_the_same_queries_however_long_the_history(
    world: World, history: None
) -> None:
    client = client_for(world.keyworker)
    api = f"/api/families/{world.own_family.reference}/chronology/"
    _many(world, 3)
    _queries(client, _url(world))  # the first request of a session does its own work
    few_page, few_api = _queries(client, _url(world)), _queries(client, api)

    _many(world, 40)
    many_page, many_api = _queries(client, _url(world)), _queries(client, api)

    print(
        f"chronology queries per page: page {few_page} -> {many_page}, "
        f"API {few_api} -> {many_api} (43 more notes and status changes)"
    )
    assert many_page == few_page
    assert many_api == few_api


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("keyworker", 200),
        ("coordinator", 200),
        ("practitioner", 200),
        ("auditor", 200),
        ("other_practitioner", 404),
        ("other_coordinator", 404),
        ("sysadmin", 403),
    ],
)
def test_who_may_read_the_chronology(
    world: World, history: None, persona: str, expected: int
) -> None:
    client = client_for(getattr(world, persona))

    page = client.get(_url(world))
    api = client.get(f"/api/families/{world.own_family.reference}/chronology/")

    assert page.status_code == expected
    assert api.status_code == expected


def test_anonymous_visitors_see_nothing(world: World, history: None, client: Client) -> None:
    assert client.get(_url(world)).status_code == 302
    assert client.get(f"/api/families/{world.own_family.reference}/chronology/").status_code == 403
