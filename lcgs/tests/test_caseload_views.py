"""The LCG dashboard and caseload list pages and API: who gets them, what they show, the
filters and sort, the reads recorded, and query counts that do not grow with the
caseload."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from audit.models import AccessAction, AccessEvent
from conftest import build_world, built_once, client_for, shared_data
from families.models import Track
from lcgs.tests.caseload_support import Caseload, build_caseload

DASHBOARD = "/lcg-dashboard/"
LIST = "/lcg-caseload/"


@pytest.fixture(scope="module")
def caseload_once(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Caseload]:
    yield from built_once(django_db_blocker, lambda: build_caseload(build_world()))


@pytest.fixture
def caseload(request: pytest.FixtureRequest, caseload_once: Caseload, db: None) -> Caseload:
    return shared_data(request, caseload_once)


def _client(caseload: Caseload, persona: str) -> Client:
    return client_for(getattr(caseload.world, persona))


def test_the_addresses_are_the_named_routes() -> None:
    assert reverse("lcgs:caseload-dashboard") == DASHBOARD
    assert reverse("lcgs:caseload-list") == LIST
    assert reverse("lcgs:caseload-export") == "/lcg-caseload/export/"


def test_the_dashboard_shows_each_figure_as_a_link_to_its_families(caseload: Caseload) -> None:
    response = _client(caseload, "coordinator").get(DASHBOARD)

    assert response.status_code == 200
    html = response.content.decode()
    win = caseload.world.winchester.pk
    # The drift figure links to the list of drifting families in Winchester.
    assert f'href="{LIST}?lcg={win}&amp;concern=drift"' in html
    assert f'href="{LIST}?lcg={win}&amp;stage=identified&amp;waited=8w_plus"' in html
    # A chart beside its table, named by both.
    assert 'role="img" aria-labelledby="status-title status-caption"' in html
    assert 'id="status-caption">Families by status</caption>' in html
    # Only the coordinator's LCG.
    assert "Havant LCG" not in html


def test_the_programme_manager_sees_every_lcg_side_by_side(caseload: Caseload) -> None:
    html = _client(caseload, "programme_manager").get(DASHBOARD).content.decode()

    header = '<th scope="col" class="govuk-table__header govuk-table__header--numeric">'
    for name in ("Havant LCG", "Winchester LCG", "Unassigned (outside every LCG)"):
        assert f"{header}{name}</th>" in html


def test_names_are_escaped_in_the_tables_and_charts_written_in_python(
    caseload: Caseload,
) -> None:
    """The dashboard's cells and charts are written by template tags, not the template
    language: an LCG's and an agency's name are escaped there all the same."""
    marked = '<b>"Win"&'
    world = caseload.world
    type(world.winchester).objects.filter(pk=world.winchester.pk).update(name=marked)
    type(world.council).objects.filter(pk=world.council.pk).update(name=marked)

    html = _client(caseload, "programme_manager").get(DASHBOARD).content.decode()

    escaped = "&lt;b&gt;&quot;Win&quot;&amp;"
    assert f'data-label="{escaped}"' in html  # a table cell (caseload_tables)
    assert f'<th scope="row" class="govuk-table__header">{escaped}</th>' in html  # agency row
    assert f'fill="#0b0c0c">{escaped}</text>' in html  # a chart's bar (bar_charts)
    assert marked not in html


def test_the_list_shows_the_filtered_families_and_records_the_read(caseload: Caseload) -> None:
    before = AccessEvent.objects.count()

    response = _client(caseload, "coordinator").get(LIST, {"concern": "drift"})

    assert response.status_code == 200
    html = response.content.decode()
    assert caseload.ref("drifting") in html
    assert caseload.ref("active") not in html
    assert "Showing 1 to 1 of 1 family" in html
    assert "Safe from domestic abuse" in html  # the coordinator may see it
    event = AccessEvent.objects.order_by("-pk").first()
    assert AccessEvent.objects.count() == before + 1
    assert event is not None and event.action == AccessAction.LIST
    assert event.object_type == "lcg_caseload"
    assert event.detail["families"] == [caseload.families["drifting"].pk]
    assert event.detail["filters"] == {"concern": "drift"}


def test_the_programme_manager_is_not_shown_restricted_needs(caseload: Caseload) -> None:
    win = caseload.world.winchester.pk
    html = (
        _client(caseload, "programme_manager")
        .get(LIST, {"concern": "drift", "lcg": win})
        .content.decode()
    )

    assert caseload.ref("drifting") in html
    assert "Getting a good education" in html
    assert "Safe from domestic abuse" not in html
    assert "1 restricted" in html
    # Nor offered as a filter.
    assert 'value="domestic_abuse"' not in html


@pytest.mark.parametrize(
    ("persona", "sees", "never"),
    [
        ("coordinator", ["eligible", "drifting"], ["havant"]),
        ("other_coordinator", ["havant"], ["eligible", "drifting", "declined"]),
    ],
)
@pytest.mark.parametrize("path", [LIST, "/api/caseload/?page_size=200"])
def test_a_coordinator_never_sees_another_lcgs_family(
    caseload: Caseload, persona: str, sees: list[str], never: list[str], path: str
) -> None:
    w = caseload.world
    body = _client(caseload, persona).get(path).content.decode()

    for name in sees:
        assert caseload.ref(name) in body
    for name in never:
        assert caseload.ref(name) not in body
    other = w.other_lcg_family if persona == "coordinator" else w.own_family
    assert other.reference not in body
    assert w.unassigned_family.reference not in body


@pytest.mark.parametrize(
    "params",
    [
        {"lcg": "havant"},  # not an id
        {"status": "lost"},
        {"waited": "8w_plus"},  # without a stage
        {"sort": "surname"},
        {"key_worker": "999999"},
    ],
)
def test_a_filter_outside_the_choices_answers_400_and_lists_the_whole_caseload(
    caseload: Caseload, params: dict[str, str]
) -> None:
    response = _client(caseload, "coordinator").get(LIST, params)

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_another_lcg_as_a_filter_is_not_a_choice(caseload: Caseload) -> None:
    havant = caseload.world.havant.pk
    assert _client(caseload, "coordinator").get(LIST, {"lcg": havant}).status_code == 400
    assert _client(caseload, "programme_manager").get(LIST, {"lcg": havant}).status_code == 200


def test_sort_links_reverse_the_current_sort(caseload: Caseload) -> None:
    html = _client(caseload, "coordinator").get(LIST, {"sort": "status_since"}).content.decode()

    assert 'aria-sort="ascending"><a class="govuk-link" href="?sort=-status_since"' in html
    assert 'aria-sort="none"><a class="govuk-link" href="?sort=reference"' in html


@pytest.mark.parametrize("persona", ["keyworker", "practitioner", "auditor", "dpo", "sysadmin"])
def test_other_roles_are_refused(caseload: Caseload, persona: str) -> None:
    client = _client(caseload, persona)
    for path in (DASHBOARD, LIST, "/api/lcg-dashboard/", "/api/caseload/"):
        assert client.get(path).status_code == 403, path


# --- The API ------------------------------------------------------------------------


def _cell(body: dict[str, Any], section: str, row: str, column: str) -> dict[str, Any]:
    found = next(s for s in body["sections"] if s["key"] == section)
    line = next(r for r in found["rows"] if r["key"] == row)
    return next(c for c in line["cells"] if c["column"] == column)


def test_the_dashboard_api_names_the_list_behind_each_figure(caseload: Caseload) -> None:
    body = _client(caseload, "coordinator").get("/api/lcg-dashboard/").json()
    win = str(caseload.world.winchester.pk)

    assert [c["key"] for c in body["columns"]] == [win, "all"]
    drift = _cell(body, "late", "drift", win)
    assert drift["count"] == 1
    assert drift["filters"] == {"lcg": win, "concern": "drift"}
    assert drift["url"] == f"/api/caseload/?lcg={win}&concern=drift"

    listed = _client(caseload, "coordinator").get(drift["url"]).json()
    assert [row["reference"] for row in listed["results"]] == [caseload.ref("drifting")]


def test_the_caseload_api_is_paginated_and_filtered(caseload: Caseload) -> None:
    client = _client(caseload, "programme_manager")

    body = client.get("/api/caseload/", {"status": "plan_active", "page_size": 2}).json()

    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] is not None
    row = client.get("/api/caseload/", {"concern": "drift", "lcg": caseload.world.winchester.pk})
    (drifting,) = row.json()["results"]
    assert drifting["problems"] == ["education"]
    assert drifting["restricted_problems_hidden"] == 1
    assert drifting["readiness"] == "at_risk"
    assert drifting["track"] == Track.LOCAL
    assert "Review overdue" in drifting["needs_chasing"]


def test_the_caseload_api_answers_400_naming_a_wrong_parameter(caseload: Caseload) -> None:
    response = _client(caseload, "coordinator").get("/api/caseload/", {"track": "fast"})

    assert response.status_code == 400
    assert "track" in response.json()


def test_the_export_api_starts_a_job_and_answers_202(caseload: Caseload) -> None:
    client = _client(caseload, "coordinator")

    response = client.post(
        "/api/caseload/exports/",
        {"format": "csv", "filters": {"status": "open"}, "idempotency_key": "k1"},
        content_type="application/json",
    )
    again = client.post(
        "/api/caseload/exports/",
        {"format": "csv", "filters": {"status": "open"}, "idempotency_key": "k1"},
        content_type="application/json",
    )

    assert response.status_code == 202
    assert again.json()["id"] == response.json()["id"]
    refused = client.post(
        "/api/caseload/exports/",
        {"format": "csv", "filters": {"problem": "domestic_abuse"}},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "problem" in refused.json()


def test_the_schema_documents_the_routes(caseload: Caseload) -> None:
    paths = _client(caseload, "programme_manager").get("/api/schema/?format=json").json()["paths"]

    assert {"/api/lcg-dashboard/", "/api/caseload/", "/api/caseload/exports/"} <= set(paths)
    parameters = {p["name"] for p in paths["/api/caseload/"]["get"]["parameters"]}
    assert {"lcg", "status", "track", "lead_agency", "key_worker", "problem"} <= parameters
    assert {"readiness", "age", "stage", "waited", "concern", "sort", "page"} <= parameters
    assert "202" in paths["/api/caseload/exports/"]["post"]["responses"]
