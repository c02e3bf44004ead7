"""The programme dashboard's pages and API (docs/programme-reporting.md): the figures by
LCG, track and month add up, every figure links to the families behind it, each table
downloads as CSV with the page's figures, a constant number of queries, the targets
with their history and If-Match, and the families list's access events."""

from __future__ import annotations

import csv
import datetime
import io
import re
from html import unescape
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from audit.models import AccessEvent
from conftest import World, client_for
from families.models import Family
from outcomes.models import ClaimBatchStatus
from outcomes.reporting.models import ProgrammeTarget
from outcomes.reporting.selectors import programme_dashboard
from outcomes.reporting.services import programme_target_set
from outcomes.tests import reporting_support as make

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 1, 15)  # in the financial year 2025
NOON = datetime.datetime(2026, 1, 15, 12, tzinfo=datetime.UTC)
DASHBOARD = "/programme/"


def _programme(world: World) -> dict[str, Family]:
    """Three families of 2025 in two LCGs and one outside every LCG."""
    a = make.family(world.winchester, track="local", identified=D(2025, 4, 10))
    make.attach(a, D(2025, 5, 1))
    make.plan_agreed(a, D(2025, 6, 1))
    b = make.family(world.winchester, track="intensive", identified=D(2025, 5, 20))
    make.attach(b, D(2025, 5, 25))
    accepted = make.batch(ClaimBatchStatus.ACCEPTED, accepted_at=make.noon(D(2025, 11, 3)))
    make.claim(b, accepted, claim_date=D(2025, 9, 1))
    c = make.family(None, identified=D(2025, 12, 24))
    return {"a": a, "b": b, "c": c}


@pytest.fixture
def programme(world: World) -> dict[str, Family]:
    return _programme(world)


def test_the_figures_add_up_by_lcg_track_and_month(
    world: World, programme: dict[str, Family]
) -> None:
    dashboard = programme_dashboard(world.programme_manager.user, year=2025, today=TODAY)

    by_lcg = {line.label: dict(line.counts) for line in dashboard.by_lcg}
    assert by_lcg[world.winchester.name] == {
        "identified": 2,
        "attached": 2,
        "agreed": 1,
        "claimed": 1,
    }
    assert by_lcg["Unassigned (outside every LCG)"] == {"identified": 1}
    assert dict(by_lcg[world.havant.name]) == {}
    by_track = {line.key: dict(line.counts) for line in dashboard.by_track}
    assert by_track == {
        "intensive": {"identified": 1, "attached": 1, "claimed": 1},
        "local": {"identified": 1, "attached": 1, "agreed": 1},
        "none": {"identified": 1},
    }
    by_month = {line.key: dict(line.counts) for line in dashboard.by_month}
    assert by_month["2025-05"] == {"identified": 1, "attached": 2}
    assert by_month["2025-11"] == {"claimed": 1}
    assert by_month["2025-12"] == {"identified": 1}
    months = list(by_month)
    assert (months[0], months[-1], len(months)) == ("2025-04", "2026-03", 12)
    assert dict(dashboard.total.counts) == {
        "identified": 3,
        "attached": 2,
        "agreed": 1,
        "claimed": 1,
        "sustained": 0,
    }


def test_the_dashboard_shows_each_figure_against_its_target(
    world: World, programme: dict[str, Family]
) -> None:
    programme_target_set(
        actor=world.programme_manager.user,
        financial_year=2025,
        targets={"attached": 8, "claimed": 4},
        source="Cabinet report",
        today=TODAY,
    )

    dashboard = programme_dashboard(world.programme_manager.user, year=2025, today=TODAY)

    lines = {line.figure.key: line for line in dashboard.targets}
    assert (lines["attached"].count, lines["attached"].target, lines["attached"].percent) == (
        2,
        8,
        25,
    )
    assert lines["attached"].to_go == 6
    assert (lines["identified"].target, lines["identified"].percent) == (None, None)


def _links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="(/programme/families/\?[^"]+)"', html)]


def test_every_figure_on_the_page_links_to_the_families_behind_it(
    world: World, programme: dict[str, Family]
) -> None:
    client = client_for(world.programme_manager)
    with time_machine.travel(NOON, tick=False):
        page = client.get(DASHBOARD, {"year": 2025})
        assert page.status_code == 200
        links = _links(page.content.decode())
        assert links
        for link in links:
            listed = client.get(link)
            assert listed.status_code == 200, link
            shown = re.search(r"(\d+) famil", listed.content.decode())
            assert shown is not None and int(shown.group(1)) > 0, link


def test_the_families_behind_a_figure_are_listed_and_their_viewing_recorded(
    world: World, programme: dict[str, Family]
) -> None:
    client = client_for(world.senior_officer)
    before = AccessEvent.objects.count()
    with time_machine.travel(NOON, tick=False):
        response = client.get(
            "/programme/families/",
            {"year": 2025, "figure": "attached", "lcg": world.winchester.pk, "track": "local"},
        )

    html = response.content.decode()
    assert response.status_code == 200
    assert programme["a"].reference in html
    assert programme["b"].reference not in html
    event = AccessEvent.objects.order_by("-pk").first()
    assert AccessEvent.objects.count() == before + 1
    assert event is not None and event.detail["families"] == [programme["a"].pk]


@pytest.mark.parametrize(
    "params",
    [
        {"year": 2025, "figure": "nothing"},
        {"year": 1999, "figure": "attached"},
        {"year": 2025, "figure": "attached", "month": "2024-05"},
        {"year": 2025, "figure": "attached", "lcg": "x"},
    ],
)
def test_a_families_list_asked_with_filters_it_does_not_have_is_refused(
    world: World, params: dict[str, Any]
) -> None:
    response = client_for(world.programme_manager).get("/programme/families/", params)
    assert response.status_code == 400


@pytest.mark.parametrize("table", ["targets", "lcg", "track", "month"])
def test_each_table_downloads_as_csv_with_the_pages_figures(
    world: World, programme: dict[str, Family], table: str
) -> None:
    client = client_for(world.auditor)
    with time_machine.travel(NOON, tick=False):
        response = client.get(f"/programme/csv/{table}/", {"year": 2025})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    if table == "targets":
        assert rows[0][0] == "Figure"
        assert [row[1] for row in rows[1:]] == ["3", "2", "1", "1", "0"]
    else:
        assert rows[-1][0] == "All families"
        assert rows[-1][1:] == ["3", "2", "1", "1", "0"]
        assert sum(int(row[1]) for row in rows[1:-1]) == 3


def test_an_unknown_table_is_not_found(world: World) -> None:
    assert client_for(world.programme_manager).get("/programme/csv/nothing/").status_code == 404


def test_the_api_gives_the_pages_figures(world: World, programme: dict[str, Family]) -> None:
    with time_machine.travel(NOON, tick=False):
        data = client_for(world.programme_manager).get("/api/programme-dashboard/?year=2025").json()
        families = client_for(world.programme_manager).get(
            "/api/programme-dashboard/families/?year=2025&figure=claimed"
        )

    assert [f["count"] for f in data["figures"]] == [3, 2, 1, 1, 0]
    assert data["total"]["counts"] == {
        "identified": 3,
        "attached": 2,
        "agreed": 1,
        "claimed": 1,
        "sustained": 0,
    }
    assert families.status_code == 200
    assert [row["reference"] for row in families.json()["results"]] == [programme["b"].reference]


def _more(world: World, n: int) -> None:
    for i in range(n):
        made = make.family(
            world.havant if i % 2 else world.winchester,
            track="local" if i % 3 else "",
            identified=D(2025, 4 + i % 9, 1),
        )
        make.attach(made, D(2025, 5 + i % 8, 2))
        make.plan_agreed(made, D(2025, 6, 3))


# The dashboard: the user and staff profile, five grouped counts (one per figure), the
# LCGs' names, the year's targets; the layout's agency and the session's savepoints.
@pytest.mark.parametrize("path", [DASHBOARD, "/api/programme-dashboard/", "/programme/csv/lcg/"])
def test_the_dashboard_takes_the_same_number_of_queries_for_2_or_20_families(
    world: World, django_assert_max_num_queries: Any, path: str
) -> None:
    client = client_for(world.programme_manager)
    client.get(path)  # warm the session
    _more(world, 2)
    with django_assert_max_num_queries(14) as few:
        assert client.get(path).status_code == 200
    _more(world, 18)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(path).status_code == 200


def test_the_families_list_takes_the_same_number_of_queries_for_2_or_60_families(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world.programme_manager)
    path = "/programme/families/?year=2025&figure=attached"
    client.get(path)
    with time_machine.travel(NOON, tick=False):
        _more(world, 2)
        with django_assert_max_num_queries(14) as few:
            assert client.get(path).status_code == 200
        _more(world, 58)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(path).status_code == 200


# --- Targets ----------------------------------------------------------------------------


def test_a_programme_manager_sets_and_changes_the_targets_and_the_history_keeps_both(
    world: World,
) -> None:
    client = client_for(world.programme_manager)
    url = reverse("outcomes:programme-target-set", args=[2025])
    with time_machine.travel(NOON, tick=False):
        first = client.post(url, {"attached": "500", "claimed": "", "source": "Cabinet"})
        second = client.post(url, {"attached": "450", "claimed": "300", "source": "Revised"})
        page = client.get(reverse("outcomes:programme-targets"))

    assert first.status_code == second.status_code == 302
    target = ProgrammeTarget.objects.get(financial_year=2025)
    assert (target.attached, target.claimed, target.identified, target.version) == (
        450,
        300,
        None,
        2,
    )
    html = unescape(page.content.decode())
    assert "Attached: 500" in html and "Attached: 450" in html
    assert "Changed: 2025 to 2026" in html and "Set: 2025 to 2026" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"source": "Cabinet"}, "Enter a target for at least one figure"),
        ({"attached": "-1", "source": "Cabinet"}, "cannot be negative"),
        ({"attached": "lots", "source": "Cabinet"}, "as a whole number"),
        ({"attached": "5", "source": ""}, "Enter where the targets come from"),
    ],
)
def test_a_target_form_with_mistakes_says_what_to_fix_and_keeps_what_was_typed(
    world: World, data: dict[str, str], message: str
) -> None:
    with time_machine.travel(NOON, tick=False):
        response = client_for(world.programme_manager).post(
            reverse("outcomes:programme-target-set", args=[2025]), data
        )

    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert message in html
    assert "govuk-error-summary" in html
    for value in data.values():
        if value:
            assert f'value="{value}"' in html
    assert not ProgrammeTarget.objects.exists()


def test_the_targets_api_needs_if_match_to_change_and_refuses_a_stale_one(
    world: World,
) -> None:
    client = client_for(world.programme_manager)
    with time_machine.travel(NOON, tick=False):
        made = client.post(
            "/api/programme-targets/",
            {"financial_year": 2025, "attached": 100, "source": "Cabinet"},
            content_type="application/json",
        )
        assert made.status_code == 201, made.content
        url = f"/api/programme-targets/{made.json()['id']}/"
        etag = client.get(url)["ETag"]

        missing = client.patch(url, {"attached": 1}, content_type="application/json")
        changed = client.patch(
            url, {"attached": 120}, content_type="application/json", HTTP_IF_MATCH=etag
        )
        stale = client.patch(
            url, {"attached": 5}, content_type="application/json", HTTP_IF_MATCH=etag
        )
        again = client.post(
            "/api/programme-targets/",
            {"financial_year": 2025, "attached": 1, "source": "Again"},
            content_type="application/json",
        )

    assert missing.status_code == 428
    assert changed.status_code == 200 and changed.json()["attached"] == 120
    assert stale.status_code == 412 and stale.json()["current"]["attached"] == 120
    assert again.status_code == 400
    assert ProgrammeTarget.objects.get().attached == 120
