"""The LCG dashboard's figures and the caseload list's filters, on a hand-built caseload
(``lcgs.tests.caseload_support.build_caseload``: one Winchester family for each figure,
and a Havant family a Winchester coordinator never sees)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django import DjangoDbBlocker

from conftest import build_world, built_once, shared_data
from lcgs.caseload.dashboard import Cell, Dashboard, caseload_dashboard
from lcgs.caseload.rules import AGE_BANDS, WAIT_BANDS, band_of, chart_bars, share_percent
from lcgs.caseload.selectors import CaseloadQuery, caseload_families, caseload_page
from lcgs.screening.selectors import Source, screening_list_for_user
from lcgs.tests.caseload_support import Caseload, build_caseload

WIN, HAV, NONE, ALL = "Winchester LCG", "Havant LCG", "Unassigned (outside every LCG)", "all"


@pytest.fixture(scope="module")
def caseload_once(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Caseload]:
    yield from built_once(django_db_blocker, lambda: build_caseload(build_world()))


@pytest.fixture
def caseload(request: pytest.FixtureRequest, caseload_once: Caseload, db: None) -> Caseload:
    return shared_data(request, caseload_once)


def _dashboard(caseload: Caseload, persona: str) -> Dashboard:
    user = getattr(caseload.world, persona).user
    return caseload_dashboard(user, clock=caseload.clock)


def _cell(dashboard: Dashboard, section: str, row: str, column: str) -> Cell:
    keys = [c.label if c.key != "all" else "all" for c in dashboard.columns]
    found = next(s for s in dashboard.sections if s.key == section)
    line = next(r for r in found.rows if r.key == row)
    return line.cells[keys.index(column)]


# (section, row, column, coordinator's figure, programme manager's figure); None: the
# persona has no such column.
FIGURES = [
    # Families by status: every family, closed ones too.
    ("status", "identified", WIN, 4, 4),
    ("status", "identified", HAV, None, 1),
    ("status", "identified", NONE, None, 1),
    ("status", "screened", WIN, 1, 1),
    ("status", "allocated", WIN, 1, 1),
    ("status", "engaged", WIN, 1, 1),
    ("status", "plan_active", WIN, 2, 2),
    ("status", "plan_active", ALL, 2, 3),
    ("status", "declined", WIN, 1, 1),
    ("status", "all", WIN, 10, 10),
    ("status", "all", ALL, 10, 13),
    # Open families by track.
    ("track", "intensive", WIN, 1, 1),
    ("track", "intensive", ALL, 1, 2),
    ("track", "local", WIN, 3, 3),
    ("track", "none", WIN, 5, 5),
    # Open families by lead agency (own_family and the keyworker's are the council's).
    ("lead_agency", "none", WIN, 4, 4),
    # Waiting for the LCG.
    ("decisions", "eligible_waiting", WIN, 2, 2),
    ("decisions", "nominated_waiting", WIN, 2, 2),
    ("decisions", "waiting_screening", WIN, 3, 3),
    ("decisions", "waiting_screening", HAV, None, 0),
    ("decisions", "no_lead_professional", WIN, 1, 1),
    # Time waiting at each stage.
    ("wait-identified", "identified-under_2w", WIN, 1, 1),
    ("wait-identified", "identified-2_to_4w", WIN, 1, 1),
    ("wait-identified", "identified-4_to_8w", WIN, 0, 0),
    ("wait-identified", "identified-8w_plus", WIN, 1, 1),
    ("wait-identified", "identified-all", WIN, 3, 3),
    ("wait-identified", "identified-longest", WIN, 70, 70),
    ("wait-screened", "screened-8w_plus", WIN, 1, 1),
    ("wait-screened", "screened-all", ALL, 1, 1),
    ("wait-allocated", "allocated-under_2w", WIN, 1, 1),
    ("wait-allocated", "allocated-4_to_8w", WIN, 1, 1),
    ("wait-allocated", "allocated-longest", WIN, 35, 35),
    # Work that is late.
    ("late", "plan_not_agreed", WIN, 1, 1),
    ("late", "review_overdue", WIN, 1, 1),
    ("late", "drift", WIN, 1, 1),
    ("late", "drift", ALL, 1, 2),
    ("late", "overdue_actions", WIN, 1, 1),
    ("late", "overdue_actions", HAV, None, 1),
    # Results.
    ("results", "claimable", WIN, 1, 1),
    ("results", "claimable", ALL, 1, 2),
    ("results", "at_risk", WIN, 1, 1),
]


@pytest.mark.parametrize(("section", "row", "column", "coordinator", "pm"), FIGURES)
def test_each_figure_counts_the_families_it_names(
    caseload: Caseload, section: str, row: str, column: str, coordinator: int, pm: int
) -> None:
    for persona, expected in (("coordinator", coordinator), ("programme_manager", pm)):
        dashboard = _dashboard(caseload, persona)
        labels = [c.label for c in dashboard.columns[:-1]] + [ALL]
        if expected is None:
            assert column not in labels, persona
            continue
        assert _cell(dashboard, section, row, column).count == expected, (persona, section, row)


def test_the_columns_are_the_coordinators_lcg_or_every_lcg_side_by_side(
    caseload: Caseload,
) -> None:
    coordinator = _dashboard(caseload, "coordinator")
    pm = _dashboard(caseload, "programme_manager")

    assert [c.label for c in coordinator.columns] == [WIN, "Total"]
    assert [c.label for c in pm.columns] == [HAV, WIN, NONE, "All"]
    assert coordinator.families == 10
    assert pm.families == 13


def test_overdue_actions_are_counted_by_the_agency_that_owns_them(caseload: Caseload) -> None:
    w = caseload.world
    coordinator = _dashboard(caseload, "coordinator")
    police = _cell(coordinator, "overdue_actions", f"agency-{w.police.pk}", WIN)
    assert (police.count, police.text) == (1, "1 in 1 family")
    assert police.params == {"lcg": str(w.winchester.pk), "overdue_agency": str(w.police.pk)}
    # The school's overdue action is in Havant: not on the Winchester coordinator's.
    section = next(s for s in coordinator.sections if s.key == "overdue_actions")
    assert [r.label for r in section.rows] == [w.police.name]

    pm = _dashboard(caseload, "programme_manager")
    school = caseload.families["havant"].lead_agency
    assert school is not None
    assert _cell(pm, "overdue_actions", f"agency-{school.pk}", ALL).count == 1


def test_progress_against_the_targets_is_the_grant_statements(caseload: Caseload) -> None:
    w = caseload.world
    pm = _dashboard(caseload, "programme_manager")

    taken_on = _cell(pm, "targets", "taken_on", WIN)
    assert (taken_on.count, taken_on.text) == (1, "1 of 4 (25%)")
    assert taken_on.url is not None
    assert taken_on.url.startswith(f"/lcg-money/lcg/{w.winchester.pk}/?year=")
    assert _cell(pm, "targets", "results", WIN).text == "0 of 2 (0%)"
    assert _cell(pm, "targets", "taken_on", HAV).text == "0 (no target set)"
    assert _cell(pm, "targets", "taken_on", NONE).text == "No targets"
    assert _cell(pm, "targets", "taken_on", ALL).text == "1 of 4 (25%)"


def test_the_share_on_the_intensive_track_is_of_the_families_on_a_track(
    caseload: Caseload,
) -> None:
    pm = _dashboard(caseload, "programme_manager")

    assert _cell(pm, "track", "intensive_share", WIN).text == "25%"  # 1 of 4
    assert _cell(pm, "track", "intensive_share", HAV).text == "100%"
    assert _cell(pm, "track", "intensive_share", NONE).text == "No families"
    assert _cell(pm, "track", "intensive_share", ALL).text == "40%"  # 2 of 5


def _listed(caseload: Caseload, persona: str, params: dict[str, str]) -> set[str]:
    user = getattr(caseload.world, persona).user
    found = caseload_families(user, CaseloadQuery(**params), clock=caseload.clock)
    return set(found.values_list("reference", flat=True))


@pytest.mark.parametrize("persona", ["coordinator", "programme_manager"])
def test_every_figure_links_to_the_families_behind_it(caseload: Caseload, persona: str) -> None:
    """Each linked figure's filters list exactly as many families as it counts (for
    overdue actions, the families the actions are in)."""
    dashboard = _dashboard(caseload, persona)
    checked = 0
    for section in dashboard.sections:
        for row in section.rows:
            for cell in row.cells:
                if cell.params is None or row.key.endswith("-longest"):
                    continue
                expected = cell.count
                if section.key == "overdue_actions":
                    expected = int(cell.text.split(" in ")[1].split()[0])
                assert len(_listed(caseload, persona, cell.params)) == expected, (
                    section.key,
                    row.key,
                    cell.params,
                )
                checked += 1
    assert checked > 60


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"concern": "eligible_waiting"}, {"eligible", "both"}),
        ({"concern": "nominated_waiting"}, {"nominated", "both"}),
        ({"stage": "identified", "waited": "8w_plus"}, {"both"}),
        ({"stage": "allocated"}, {"allocated", "engaged"}),
        ({"concern": "plan_not_agreed"}, {"allocated"}),
        ({"concern": "no_lead_professional"}, {"allocated"}),
        ({"concern": "review_overdue"}, {"drifting"}),
        ({"concern": "drift"}, {"drifting"}),
        ({"concern": "overdue_actions"}, {"drifting"}),
        ({"readiness": "at_risk"}, {"drifting"}),
        ({"readiness": "claimable"}, {"active"}),
        ({"track": "intensive"}, {"engaged"}),
        ({"status": "ended"}, {"declined"}),
        ({"status": "closed"}, set()),
        ({"key_worker": "none", "status": "plan_active"}, set()),
        ({"problem": "education"}, {"drifting"}),
        # The coordinator may see restricted needs of their LCG's families.
        ({"problem": "domestic_abuse"}, {"drifting"}),
        ({"age": "12m_plus"}, {"drifting"}),
        ({"age": "6_to_12m"}, {"active"}),
        ({"age": "3_to_6m"}, set()),
    ],
)
def test_the_list_filters_find_the_families_named(
    caseload: Caseload, params: dict[str, str], expected: set[str]
) -> None:
    found = _listed(caseload, "coordinator", params)
    assert found == {caseload.ref(name) for name in expected}


def test_a_restricted_problem_finds_nothing_for_those_who_may_not_see_it(
    caseload: Caseload,
) -> None:
    """The programme manager does not see domestic abuse named: filtering by it finds
    no family (so the list cannot tell them which families have it)."""
    assert _listed(caseload, "programme_manager", {"problem": "domestic_abuse"}) == set()
    assert _listed(caseload, "programme_manager", {"problem": "education"}) == {
        caseload.ref("drifting")
    }


def test_a_coordinator_never_finds_another_lcgs_family(caseload: Caseload) -> None:
    w = caseload.world
    every = _listed(caseload, "coordinator", {})

    assert caseload.ref("havant") not in every
    assert w.other_lcg_family.reference not in every
    assert w.unassigned_family.reference not in every
    assert _listed(caseload, "other_coordinator", {}) == {
        w.other_lcg_family.reference,
        caseload.ref("havant"),
    }


def test_the_rows_name_problems_by_what_the_viewer_may_see(caseload: Caseload) -> None:
    w = caseload.world
    query = CaseloadQuery(concern="drift", lcg=str(w.winchester.pk))

    for persona, shown, hidden in (
        ("coordinator", ["education", "domestic_abuse"], 0),
        ("programme_manager", ["education"], 1),
    ):
        page = caseload_page(
            getattr(w, persona).user, query, clock=caseload.clock, page_number=1, per_page=50
        )
        (row,) = page.rows
        assert sorted(code for code, _ in row.problems) == sorted(shown), persona
        assert row.hidden_problems == hidden
        assert row.readiness == "at_risk"
        assert row.overdue_actions == 1
        assert "Review overdue" in row.flags
        assert "No progress for 6 weeks or more" in row.flags
        assert row.main_carer.endswith("Ashdown")


def test_a_row_says_how_long_the_family_has_waited_at_its_stage(caseload: Caseload) -> None:
    user = caseload.world.coordinator.user
    page = caseload_page(
        user,
        CaseloadQuery(stage="allocated", sort="status_since"),
        clock=caseload.clock,
        page_number=1,
        per_page=50,
    )
    waits = {
        row.family.reference: (row.stage and row.stage.key, row.stage_days) for row in page.rows
    }

    assert waits == {
        caseload.ref("allocated"): ("allocated", 35),
        # Engaged 2 days ago, allocated 10: the wait for a plan counts from allocation.
        caseload.ref("engaged"): ("allocated", 10),
    }


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("reference", "own"),
        ("status_since", "drifting"),
        ("-status_since", "own"),
        ("status", "own"),
        ("-status", "declined"),
    ],
)
def test_the_list_sorts(caseload: Caseload, sort: str, first: str) -> None:
    user = caseload.world.coordinator.user
    found = caseload_families(user, CaseloadQuery(sort=sort), clock=caseload.clock)
    reference = caseload.world.own_family.reference if first == "own" else caseload.ref(first)
    leading = found.first()
    assert leading is not None
    if sort == "status":
        # Identified families first (several): the first is one of them, by reference.
        assert leading.status == "identified"
        return
    assert leading.reference == reference


def test_families_waiting_for_screening_are_those_on_the_screening_list(
    caseload: Caseload,
) -> None:
    """The dashboard reads the screening list's rule in SQL of its own: the same
    families, however they came onto the list."""
    for persona in ("coordinator", "programme_manager", "other_coordinator"):
        user = getattr(caseload.world, persona).user
        for concern, source in (
            ("waiting_screening", ""),
            ("eligible_waiting", Source.DATA),
            ("nominated_waiting", Source.NOMINATION),
        ):
            listed = set(
                screening_list_for_user(user, source=source).values_list("reference", flat=True)
            )
            assert _listed(caseload, persona, {"concern": concern}) == listed, (persona, concern)


# --- The pure rules ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "wait", "age"),
    [
        (0, "under_2w", "under_3m"),
        (13, "under_2w", "under_3m"),
        (14, "2_to_4w", "under_3m"),
        (27, "2_to_4w", "under_3m"),
        (28, "4_to_8w", "under_3m"),
        (55, "4_to_8w", "under_3m"),
        (56, "8w_plus", "under_3m"),
        (90, "8w_plus", "under_3m"),
        (91, "8w_plus", "3_to_6m"),
        (182, "8w_plus", "6_to_12m"),
        (364, "8w_plus", "6_to_12m"),
        (365, "8w_plus", "12m_plus"),
    ],
)
def test_bands_start_on_their_first_day(days: int, wait: str, age: str) -> None:
    assert band_of(WAIT_BANDS, days).key == wait
    assert band_of(AGE_BANDS, days).key == age


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(0, 0, None), (0, 5, 0), (1, 4, 25), (1, 3, 33), (2, 3, 67), (1, 8, 13), (5, 5, 100)],
)
def test_share_percent_rounds_half_up(part: int, whole: int, expected: int | None) -> None:
    assert share_percent(part, whole) == expected


def test_chart_bars_scale_to_the_largest_total() -> None:
    chart = chart_bars(
        [("a", "A"), ("b", "B")], [("One", {"a": 2, "b": 2}), ("Two", {"a": 1}), ("None", {})]
    )
    one, two, none = chart.bars
    assert [s.width for s in one.segments] == [220.0, 220.0]
    assert [s.width for s in two.segments] == [110.0]
    assert none.segments == () and none.total == 0
    assert [label for label, _ in chart.key] == ["A", "B"]
