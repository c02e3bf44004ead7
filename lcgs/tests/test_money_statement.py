"""The LCG grant statement against hand-computed cases (DOMAIN.md 5): which families
are taken on and rewarded in a financial year, the totals per LCG and across LCGs, the
pages, the files and the API."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import openpyxl  # type: ignore[import-untyped, unused-ignore]
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import World, client_for
from families.models import Family, LeadAssignment
from lcgs.money.models import LCGGrantRate
from lcgs.money.rules import Rates, line_amount, percent_of_target, statement_row, statement_total
from lcgs.money.selectors import grant_statement, lcg_targets, statement_families
from lcgs.money.services import lcg_target_set
from lcgs.tests.money_support import CASES, Case, at, cases_build, family_with_leads, rates_set
from lcgs.tests.money_support import LOCAL as L
from tests.factories import FamilyFactory

D = Decimal
YEAR = 2025


@pytest.fixture
def built(world: World) -> tuple[World, dict[str, Family]]:
    return world, cases_build(world)


def _lines(world: World, year: int) -> dict[str, set[str]]:
    """{family reference: lines it is on} in ``year``'s statement of both LCGs."""
    pm = world.programme_manager.user
    statement = grant_statement(pm, year=year)
    found: dict[str, set[str]] = {}
    for line in statement_families(
        pm, year=year, lcgs=[world.havant, world.winchester], rates=statement.rates
    ):
        found.setdefault(line.reference, set()).add(line.line)
    return found


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_family_is_on_the_lines_worked_out_by_hand(
    built: tuple[World, dict[str, Family]], case: Case
) -> None:
    world, families = built

    lines = _lines(world, YEAR)

    assert lines.get(families[case.name].reference, set()) == set(case.lines)


def test_the_totals_per_lcg_and_across_lcgs_are_the_hand_computed_ones(
    built: tuple[World, dict[str, Family]],
) -> None:
    world, _families = built

    statement = grant_statement(world.programme_manager.user, year=YEAR)

    rows = {row.lcg: row for row in statement.rows}
    # Winchester: 4 taken on (1 Apr 00:00, 31 Mar 23:30, stepped down, with a claim),
    # 2 results, 1 clawed back. Havant: 2 taken on, 1 result, 1 clawed back.
    winchester, havant = rows["Winchester LCG"], rows["Havant LCG"]
    assert (winchester.families_taken_on, winchester.grant) == (4, D("1400.00"))
    assert (winchester.results, winchester.reward, winchester.clawed_back) == (2, D("900.00"), 1)
    assert winchester.total == D("2300.00")
    assert (havant.families_taken_on, havant.grant, havant.results, havant.reward) == (
        2,
        D("700.00"),
        1,
        D("450.00"),
    )
    assert (havant.clawed_back, havant.total) == (1, D("1150.00"))
    total = statement.total
    assert (total.families_taken_on, total.results, total.clawed_back) == (6, 3, 2)
    assert (total.grant, total.reward, total.total) == (D("2100.00"), D("1350.00"), D("3450.00"))
    assert [row.lcg for row in statement.rows] == ["Havant LCG", "Winchester LCG"]


@pytest.mark.parametrize(
    ("case", "year"),
    [
        ("local the last evening of the year before", 2024),
        ("local the first morning of the next year", 2026),
        ("local last year, handed over to another local lead this year", 2024),
    ],
)
def test_a_family_earns_its_grant_once_in_the_year_it_was_first_local(
    built: tuple[World, dict[str, Family]], case: str, year: int
) -> None:
    world, families = built
    reference = families[case].reference

    assert _lines(world, year)[reference] == {"grant"}
    assert reference not in _lines(world, YEAR)


def test_the_claim_accepted_the_first_morning_of_the_next_year_is_rewarded_then(
    built: tuple[World, dict[str, Family]],
) -> None:
    world, families = built

    lines = _lines(world, 2026)

    assert (
        "reward" in lines[families["claim accepted the first morning of the next year"].reference]
    )


def test_rates_are_the_years_own(built: tuple[World, dict[str, Family]]) -> None:
    world, _ = built
    rates_set(YEAR, grant="100", reward="200.50")

    total = grant_statement(world.programme_manager.user, year=YEAR).total

    assert (total.grant, total.reward) == (D("600.00"), D("601.50"))


def test_a_year_without_rates_counts_families_and_prices_nothing(
    built: tuple[World, dict[str, Family]],
) -> None:
    world, _ = built
    LCGGrantRate.objects.filter(financial_year=YEAR).delete()

    statement = grant_statement(world.programme_manager.user, year=YEAR)
    response = client_for(world.programme_manager).get(reverse("lcgs:lcg-money") + "?year=2025")

    assert statement.rates_missing
    assert (statement.total.families_taken_on, statement.total.total) == (6, D("0.00"))
    assert "No LCG grant rates are set for 2025 to 2026" in response.content.decode()


def test_a_coordinator_sees_only_their_lcg(built: tuple[World, dict[str, Family]]) -> None:
    world, _ = built

    statement = grant_statement(world.coordinator.user, year=YEAR)

    assert [row.lcg for row in statement.rows] == ["Winchester LCG"]
    assert statement.total.total == D("2300.00")


def test_the_statement_takes_the_same_queries_however_many_families(world: World) -> None:
    rates_set(YEAR)
    pm = world.programme_manager.user

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            grant_statement(pm, year=YEAR)
            lcg_targets([world.winchester.pk, world.havant.pk], YEAR)
        return len(captured)

    family_with_leads(world, world.winchester, [(L, "2025-05-01 10:00")])
    few = queries()
    for _ in range(5):
        family_with_leads(world, world.havant, [(L, "2025-05-01 10:00")])
    assert queries() == few <= 9


# --- Targets' progress (for the LCG dashboard) -------------------------------------------


def test_lcg_targets_gives_each_lcgs_target_and_progress(
    built: tuple[World, dict[str, Family]],
) -> None:
    world, _ = built
    lcg_target_set(
        actor=world.programme_manager.user,
        lcg=world.winchester,
        financial_year=YEAR,
        families_taken_on=8,
        results=3,
        today=datetime.date(2025, 6, 1),
    )

    progress = lcg_targets([world.winchester.pk, world.havant.pk], YEAR)

    winchester, havant = progress[world.winchester.pk], progress[world.havant.pk]
    assert (winchester.target_taken_on, winchester.families_taken_on) == (8, 4)
    assert (winchester.target_results, winchester.results) == (3, 2)
    assert (winchester.taken_on_percent, winchester.results_percent) == (50, 66)
    assert not havant.has_targets
    assert (havant.families_taken_on, havant.results, havant.taken_on_percent) == (2, 1, None)


@pytest.mark.parametrize(
    ("actual", "target", "percent"),
    [(0, 10, 0), (5, 10, 50), (2, 3, 66), (12, 10, 120), (3, 0, None), (3, None, None)],
)
def test_percent_of_target(actual: int, target: int | None, percent: int | None) -> None:
    assert percent_of_target(actual, target) == percent


def test_the_total_adds_only_targets_that_are_set() -> None:
    rates = Rates(D("350"), D("450"))
    rows = [
        statement_row(
            1, "A", families_taken_on=2, results=1, clawed_back=0, rates=rates, targets=(5, 2)
        ),
        statement_row(2, "B", families_taken_on=1, results=0, clawed_back=1, rates=rates),
    ]

    total = statement_total(rows)

    assert (total.target_taken_on, total.target_results, total.total) == (5, 2, D("1500.00"))
    assert statement_total([rows[1]]).target_taken_on is None
    assert line_amount(3, None) == D("0.00")


# --- Pages ---------------------------------------------------------------------------------


def test_the_page_shows_every_lcg_to_the_programme_manager(
    built: tuple[World, dict[str, Family]],
) -> None:
    world, _ = built

    response = client_for(world.programme_manager).get(reverse("lcgs:lcg-money") + "?year=2025")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Havant LCG" in body and "Winchester LCG" in body
    assert "£3,450.00" in body and "£2,300.00" in body
    assert reverse("lcgs:lcg-money-lcg", args=[world.havant.pk]) in body


def test_the_lcg_page_lists_the_families_behind_each_line(
    built: tuple[World, dict[str, Family]],
) -> None:
    world, families = built

    response = client_for(world.coordinator).get(
        reverse("lcgs:lcg-money-lcg", args=[world.winchester.pk]) + "?year=2025"
    )

    body = response.content.decode()
    assert response.status_code == 200
    for case in CASES:
        reference = families[case.name].reference
        shown = reverse("families:detail", args=[reference]) in body
        assert shown is (case.lcg == "winchester" and bool(case.lines)), case.name
    assert "Found invalid on spot check" in body  # the claw-back's reason
    assert "Rates" not in body.split("<h1")[1].split("</p>")[0]  # no rate links for coordinators


def test_another_lcgs_coordinator_gets_404_for_its_page(
    built: tuple[World, dict[str, Family]],
) -> None:
    world, _ = built

    response = client_for(world.other_coordinator).get(
        reverse("lcgs:lcg-money-lcg", args=[world.winchester.pk])
    )

    assert response.status_code == 404


def test_a_year_that_cannot_be_shown_is_refused_with_a_message(world: World) -> None:
    response = client_for(world.programme_manager).get(reverse("lcgs:lcg-money") + "?year=1999")

    assert response.status_code == 400
    assert "Select a financial year from the list" in response.content.decode()


# --- Files -----------------------------------------------------------------------------------


def _export(world: World, table: str, file_format: str, query: str = "") -> bytes:
    url = reverse("lcgs:lcg-money-export", args=[table, file_format]) + "?year=2025" + query
    response = client_for(world.programme_manager).get(url)
    assert response.status_code == 200
    return response.content


def test_the_summary_csv_is_the_table_with_the_total(
    built: tuple[World, dict[str, Family]],
) -> None:
    world, _ = built

    rows = list(csv.reader(io.StringIO(_export(world, "summary", "csv").decode("utf-8-sig"))))

    assert rows[0][:3] == ["LCG", "Families taken on (local track)", "Grant (£)"]
    assert rows[1] == ["Havant LCG", "2", "700.00", "1", "450.00", "1", "1150.00", "", ""]
    assert rows[3] == ["Total", "6", "2100.00", "3", "1350.00", "2", "3450.00", "", ""]


def test_the_families_csv_of_one_lcg_names_each_family_and_line(
    built: tuple[World, dict[str, Family]],
) -> None:
    world, families = built
    havant = families["Havant: taken on, claim clawed back"].reference

    content = _export(world, "families", "csv", f"&lcg={world.havant.pk}")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))

    assert rows[0] == ["LCG", "Line", "Family", "Date", "Amount (£)", "Detail"]
    assert {row[0] for row in rows[1:]} == {"Havant LCG"}
    assert [row[1:5] for row in rows[1:] if row[2] == havant] == [
        ["Grant: taken on on the local track", havant, "2025-09-01", "350.00"],
        ["Clawed back: no reward", havant, "2025-12-01", "0.00"],
    ]


def test_the_xlsx_has_numbers_as_numbers_and_text_never_as_a_formula(
    built: tuple[World, dict[str, Family]],
) -> None:
    world, _ = built
    world.havant.name = "=HYPERLINK(1)"
    world.havant.save()

    book = openpyxl.load_workbook(io.BytesIO(_export(world, "summary", "xlsx")))
    sheet = book.active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]

    assert values[1][0] == "'=HYPERLINK(1)"
    assert values[-1][:7] == ["Total", 6, 2100, 3, 1350, 2, 3450]
    families = openpyxl.load_workbook(io.BytesIO(_export(world, "families", "xlsx")))
    assert families.active is not None
    assert families.active.max_row == 1 + 6 + 3 + 2  # header, grants, rewards, clawed back


def test_an_unknown_export_is_404(world: World) -> None:
    url = reverse("lcgs:lcg-money-export", args=["families", "pdf"])

    assert client_for(world.programme_manager).get(url).status_code == 404


# --- API ---------------------------------------------------------------------------------------


def test_the_api_gives_the_same_statement(built: tuple[World, dict[str, Family]]) -> None:
    world, families = built
    client = client_for(world.coordinator)

    summary = client.get("/api/lcg-grant-statement/?year=2025").json()
    one = client.get(f"/api/lcg-grant-statement/{world.winchester.pk}/?year=2025").json()

    assert [row["lcg"] for row in summary["rows"]] == ["Winchester LCG"]
    assert summary["total"]["total"] == "2300.00"
    assert summary["rates"] == {"grant_per_family": "350.00", "reward_per_result": "450.00"}
    assert one["row"]["results"] == 2
    assert {line["family"] for line in one["families"] if line["line"] == "reward"} == {
        families["local last year, claim accepted this year"].reference,
        families["taken on and claim accepted the last evening of the year"].reference,
    }
    assert client.get(f"/api/lcg-grant-statement/{world.havant.pk}/").status_code == 404


def test_a_family_outside_every_lcg_is_in_no_statement(world: World) -> None:
    rates_set(YEAR)
    family_with_leads(world, world.winchester, [(L, "2025-05-01 10:00")])
    FamilyFactory(lcg=None)
    unassigned = world.unassigned_family
    LeadAssignment.objects.create(
        family=unassigned,
        lead_agency=world.council,
        reason="x",
        track=L,
        actor=world.programme_manager.user,
        started_at=at("2025-05-01 10:00"),
    )
    Family.objects.filter(pk=unassigned.pk).update(first_local_lead_at=at("2025-05-01 10:00"))

    assert grant_statement(world.programme_manager.user, year=YEAR).total.families_taken_on == 1
