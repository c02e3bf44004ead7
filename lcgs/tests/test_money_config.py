"""The LCG money's configuration: Hampshire's rates seeded; programme managers set and
change the rates and each LCG's targets, with history; wrong input is refused with the
Design System's messages and the form shows what was typed."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from conftest import World, client_for
from lcgs.money.models import LCGGrantRate, LCGTarget
from lcgs.money.selectors import grant_rate_history, target_history
from lcgs.money.services import lcg_grant_rate_change, lcg_target_set
from lcgs.tests.money_support import rates_set
from oneplan.errors import ApplicationError

D = Decimal
# Inside financial year 2025: rates and targets can be set up to 2026.
TODAY = datetime.datetime(2025, 6, 1, 12, 0, tzinfo=datetime.UTC)


def _seed() -> None:
    seeding = importlib.import_module("lcgs.migrations.0007_lcg_money")
    seeding.seed(apps, None)


def test_hampshires_rates_are_seeded_once(world: World) -> None:
    _seed()
    _seed()

    rates = {rate.financial_year: rate for rate in LCGGrantRate.objects.all()}

    assert sorted(rates) == list(range(2015, 2027))
    assert {(r.grant_per_family, r.reward_per_result) for r in rates.values()} == {
        (D("350.00"), D("450.00"))
    }
    assert rates[2017].source.startswith("Hampshire")


@time_machine.travel(TODAY, tick=False)
def test_a_programme_manager_sets_a_years_rates_and_the_history_names_them(
    world: World,
) -> None:
    LCGGrantRate.objects.filter(financial_year=2026).delete()
    client = client_for(world.programme_manager)

    response = client.post(
        reverse("lcgs:lcg-money-rate-new"),
        {
            "financial_year": "2026",
            "grant_per_family": "375",
            "reward_per_result": "480.50",
            "source": "Council decision of 1 May",
        },
    )

    assert response.status_code == 302
    rate = LCGGrantRate.objects.get(financial_year=2026)
    assert (rate.grant_per_family, rate.reward_per_result) == (D("375.00"), D("480.50"))
    assert rate.updated_by == world.programme_manager.user
    page = unescape(client.get(reverse("lcgs:lcg-money-rates")).content.decode())
    assert "Added: 2026 to 2027" in page
    assert "£375.00 grant, £480.50 reward; Council decision of 1 May" in page


@time_machine.travel(TODAY, tick=False)
def test_changing_rates_keeps_the_old_figures_in_the_history(world: World) -> None:
    rate = rates_set(2025)
    pm = world.programme_manager.user

    lcg_grant_rate_change(
        actor=pm, rate=rate, grant_per_family=D("300"), reward_per_result=D("450"), source="New"
    )
    # The same figures again change nothing.
    lcg_grant_rate_change(
        actor=pm, rate=rate, grant_per_family=D("300"), reward_per_result=D("450"), source="New"
    )

    history = [c for c in grant_rate_history(pm) if c.subject == "2025 to 2026"]
    # Once for the change (the same figures again add nothing), after the earlier ones.
    assert [c.what for c in history][:1] == ["Changed"]
    assert history[0].figures.startswith("£300.00 grant")
    assert history[0].by == (pm.get_full_name() or pm.username)
    assert history[1].figures.startswith("£350.00 grant")
    assert len([c for c in history if c.figures.startswith("£300.00")]) == 1


BAD_RATES = [
    ({"grant_per_family": ""}, "Enter the grant per family"),
    ({"grant_per_family": "-1"}, "The grant per family cannot be negative"),
    ({"reward_per_result": "lots"}, "Enter the reward per result in pounds, like 350 or 350.00"),
    ({"reward_per_result": "10000"}, "Enter a reward per result under £10,000"),
    ({"grant_per_family": "350.555"}, "Enter the grant per family in pounds and pence"),
    ({"source": ""}, "Enter where the figures come from"),
    ({"financial_year": "2011"}, "The financial year must be from 2012"),
    ({"financial_year": "2030"}, "The financial year must be from 2012 to 2026"),
    ({"financial_year": "2025"}, "Rates for 2025 to 2026 are already set: change them instead"),
]


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(("change", "message"), BAD_RATES)
def test_wrong_rates_are_refused_and_the_form_shows_what_was_typed(
    world: World, change: dict[str, str], message: str
) -> None:
    rates_set(2025)
    before = list(LCGGrantRate.objects.values_list("financial_year", "grant_per_family"))
    data = {
        "financial_year": "2026",
        "grant_per_family": "351",
        "reward_per_result": "452",
        "source": "Typed source",
    } | change
    LCGGrantRate.objects.filter(financial_year=2026).delete()
    before = list(LCGGrantRate.objects.values_list("financial_year", "grant_per_family"))

    response = client_for(world.programme_manager).post(reverse("lcgs:lcg-money-rate-new"), data)

    body = unescape(response.content.decode())
    assert response.status_code == 400
    assert "There is a problem" in body and message in body
    for value in data.values():
        if value:
            assert f'value="{value}"' in body
    assert list(LCGGrantRate.objects.values_list("financial_year", "grant_per_family")) == before


@time_machine.travel(TODAY, tick=False)
def test_the_change_form_shows_the_current_rates_and_saves_new_ones(world: World) -> None:
    rate = rates_set(2025)
    client = client_for(world.programme_manager)
    url = reverse("lcgs:lcg-money-rate-change", args=[rate.pk])

    shown = client.get(url).content.decode()
    refused = client.post(
        url, {"grant_per_family": "-5", "reward_per_result": "450", "source": "X"}
    )
    saved = client.post(url, {"grant_per_family": "360", "reward_per_result": "450", "source": "X"})

    assert 'value="350.00"' in shown
    assert refused.status_code == 400 and 'value="-5"' in refused.content.decode()
    assert saved.status_code == 302
    rate.refresh_from_db()
    assert rate.grant_per_family == D("360.00")


# --- Targets ------------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_a_programme_manager_sets_then_changes_an_lcgs_targets_with_history(
    world: World,
) -> None:
    client = client_for(world.programme_manager)
    url = reverse("lcgs:lcg-money-target-set", args=[world.winchester.pk, 2025])

    first = client.post(url, {"families_taken_on": "180", "results": "90"})
    second = client.post(url, {"families_taken_on": "200", "results": "90"})

    assert first.status_code == second.status_code == 302
    target = LCGTarget.objects.get(lcg=world.winchester, financial_year=2025)
    assert (target.families_taken_on, target.results) == (200, 90)
    history = target_history(world.programme_manager.user)
    assert [(c.what, c.figures) for c in history] == [
        ("Changed", "200 families taken on, 90 results"),
        ("Added", "180 families taken on, 90 results"),
    ]
    page = client.get(reverse("lcgs:lcg-money-targets") + "?year=2025").content.decode()
    assert "Winchester LCG, 2025 to 2026" in page and "Not set" in page  # Havant has none


BAD_TARGETS = [
    ({"families_taken_on": ""}, "Enter the target for families taken on"),
    ({"families_taken_on": "-1"}, "The target for families taken on cannot be negative"),
    ({"results": "many"}, "Enter the target for results as a whole number, like 180"),
    ({"results": "100001"}, "Enter a target for results of 100,000 or fewer"),
]


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(("change", "message"), BAD_TARGETS)
def test_wrong_targets_are_refused_and_the_form_shows_what_was_typed(
    world: World, change: dict[str, str], message: str
) -> None:
    data = {"families_taken_on": "180", "results": "90"} | change
    url = reverse("lcgs:lcg-money-target-set", args=[world.winchester.pk, 2025])

    response = client_for(world.programme_manager).post(url, data)

    body = unescape(response.content.decode())
    assert response.status_code == 400
    assert "There is a problem" in body and message in body
    for value in data.values():
        if value:
            assert f'value="{value}"' in body
    assert not LCGTarget.objects.exists()


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("year", [2011, 2027])
def test_targets_are_set_from_the_first_year_to_next_year(world: World, year: int) -> None:
    url = reverse("lcgs:lcg-money-target-set", args=[world.winchester.pk, year])

    assert client_for(world.programme_manager).get(url).status_code == 404
    with pytest.raises(ApplicationError, match="must be from 2012 to 2026"):
        lcg_target_set(
            actor=world.programme_manager.user,
            lcg=world.winchester,
            financial_year=year,
            families_taken_on=1,
            results=1,
            today=TODAY.date(),
        )


# --- API ------------------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_the_api_sets_and_changes_rates_and_targets(world: World) -> None:
    LCGGrantRate.objects.filter(financial_year=2026).delete()
    rate_2025 = rates_set(2025)
    client = client_for(world.programme_manager)

    created = client.post(
        "/api/lcg-grant-rates/",
        {
            "financial_year": 2026,
            "grant_per_family": "375.00",
            "reward_per_result": "480.00",
            "source": "API",
        },
        content_type="application/json",
    )
    duplicate = client.post(
        "/api/lcg-grant-rates/",
        {"financial_year": 2026, "grant_per_family": "1", "reward_per_result": "1", "source": "A"},
        content_type="application/json",
    )
    read = client.get(f"/api/lcg-grant-rates/{rate_2025.pk}/")
    without_tag = client.patch(
        f"/api/lcg-grant-rates/{rate_2025.pk}/",
        {"reward_per_result": "1.00"},
        content_type="application/json",
    )
    changed = client.patch(
        f"/api/lcg-grant-rates/{rate_2025.pk}/",
        {"reward_per_result": "500.00"},
        content_type="application/json",
        headers={"If-Match": read["ETag"]},
    )
    stale = client.patch(
        f"/api/lcg-grant-rates/{rate_2025.pk}/",
        {"reward_per_result": "2.00"},
        content_type="application/json",
        headers={"If-Match": read["ETag"]},
    )
    target = client.post(
        "/api/lcg-targets/",
        {"lcg": world.havant.pk, "financial_year": 2025, "families_taken_on": 50, "results": 20},
        content_type="application/json",
    )
    listed = client.get("/api/lcg-targets/?year=2025").json()

    assert created.status_code == 201 and created.json()["grant_per_family"] == "375.00"
    assert duplicate.status_code == 400
    assert "already set" in duplicate.json()["financial_year"][0]
    # A change needs the version read (428 without it) and is refused (412, with the
    # rates as they are now) when someone saved since; neither changes anything.
    assert without_tag.status_code == 428
    assert changed.status_code == 200 and changed.json()["reward_per_result"] == "500.00"
    assert changed["ETag"] != read["ETag"]
    assert stale.status_code == 412
    assert stale.json()["current"]["reward_per_result"] == "500.00"
    assert stale["ETag"] == changed["ETag"]
    rate_2025.refresh_from_db()
    assert rate_2025.reward_per_result == Decimal("500.00")
    assert changed.json()["grant_per_family"] == "350.00"
    assert target.status_code == 200
    assert [(t["lcg_name"], t["families_taken_on"], t["results"]) for t in listed] == [
        ("Havant LCG", 50, 20)
    ]


def test_the_schema_describes_the_lcg_money_routes(world: World) -> None:
    schema = client_for(world.programme_manager).get("/api/schema/?format=json").json()

    paths = schema["paths"]
    assert "/api/lcg-grant-statement/" in paths
    assert "/api/lcg-grant-statement/{id}/" in paths
    assert {"get", "post"} <= set(paths["/api/lcg-grant-rates/"])
    assert "patch" in paths["/api/lcg-grant-rates/{id}/"]
    assert {"get", "post"} <= set(paths["/api/lcg-targets/"])
