"""The programme's money (docs/money.md): attachment fees and result payments per LCG and
in total for a financial year, the forecast from claims not yet paid and from claimable
and at-risk families, the CSV and the API with the same figures, and the attachment fees
a programme manager sets, with their history. Totals here are worked out by hand."""

from __future__ import annotations

import csv
import datetime
import importlib
import io
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from conftest import World, client_for
from families.models import Family
from outcomes.assessment.services import framework_versions_ensure
from outcomes.frameworks.payments import full_result
from outcomes.models import (
    Attachment,
    AttachmentFee,
    Claim,
    ClaimBatch,
    ClaimBatchStatus,
    ClaimStatus,
    FrameworkVersion,
    Readiness,
    Result,
)
from outcomes.money.rules import (
    financial_year_bounds,
    financial_year_label,
    financial_year_of,
)
from outcomes.money.selectors import MoneyRow, money_summary
from tests.factories import FamilyFactory, LCGFactory

pytestmark = pytest.mark.django_db

# 15 January 2026: in the financial year 2025 (April 2025 to March 2026).
TODAY = datetime.date(2026, 1, 15)
NOW = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC)
D = Decimal


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (datetime.date(2025, 3, 31), 2024),
        (datetime.date(2025, 4, 1), 2025),
        (datetime.date(2025, 12, 31), 2025),
        (datetime.date(2026, 1, 1), 2025),
        (datetime.date(2026, 3, 31), 2025),
        (datetime.date(2026, 4, 1), 2026),
        (datetime.date(2024, 2, 29), 2023),
    ],
)
def test_a_day_belongs_to_the_financial_year_that_started_on_the_last_1_april(
    day: datetime.date, year: int
) -> None:
    assert financial_year_of(day) == year
    starts, ends = financial_year_bounds(year)
    assert starts <= day <= ends


def test_a_financial_year_runs_from_1_april_to_31_march() -> None:
    assert financial_year_bounds(2025) == (datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))
    assert financial_year_label(2025) == "2025 to 2026"


@pytest.mark.parametrize(
    ("framework", "parameters", "amount"),
    [
        ("tf1", {}, D("800.00")),  # R3 or R1+R2, not R1's £700
        ("tf1", {"payments": {"R3": 1600, "R1+R2": 1600, "R1": 1400}}, D("1600.00")),
        ("tf2", {}, D("800.00")),
        ("sf2022", {"payments": {"outcomes": "950.50"}}, D("950.50")),
    ],
)
def test_an_at_risk_family_is_priced_at_its_frameworks_full_result(
    framework: str, parameters: dict[str, Any], amount: Decimal
) -> None:
    assert full_result(framework, parameters)[1] == amount


# --- A small programme, two LCGs and a family with no LCG ---------------------------


def _version(framework: str) -> FrameworkVersion:
    return FrameworkVersion.objects.get(framework=framework, version=1)


def _attach(family: Family, framework: str, on: str, *, eligible: bool = True) -> None:
    Attachment.objects.create(
        family=family,
        framework=framework,
        framework_version=_version(framework),
        attached_on=datetime.date.fromisoformat(on),
        eligible_at_entry=eligible,
        created_by=_someone(),
        created_at=timezone.now(),
    )


def _someone() -> Any:
    return User.objects.get(username="pm")


def _result(family: Family, framework: str, readiness: str, route: str = "") -> None:
    Result.objects.create(
        family=family,
        framework=framework,
        framework_version=_version(framework),
        as_of=TODAY,
        route=route,
        readiness=readiness,
        fingerprint="f",
        evaluated_at=timezone.now(),
    )


def _batch(status: str, paid_on: str | None = None, paid: str | None = None) -> ClaimBatch:
    return ClaimBatch.objects.create(
        window_start=datetime.date(2025, 1, 1),
        window_end=datetime.date(2025, 3, 1),
        status=status,
        paid_on=datetime.date.fromisoformat(paid_on) if paid_on else None,
        paid_amount=D(paid) if paid else None,
        created_by=_someone(),
        created_at=timezone.now(),
    )


def _claim(batch: ClaimBatch, family: Family, amount: str, status: str = "proposed") -> None:
    Claim.objects.create(
        batch=batch,
        family=family,
        framework="sf2022",
        framework_version=_version("sf2022"),
        route="outcomes",
        claim_date=datetime.date(2025, 3, 1),
        amount=D(amount),
        snapshot={},
        snapshot_sha256="0" * 64,
        status=status,
        created_at=timezone.now(),
    )


@pytest.fixture
def programme(world: World) -> World:
    """Winchester: W1 attached on 1 April 2025 (claimable), W2 on 31 March 2025 (at
    risk), W3 paid for on 1 April 2025, W4 not eligible at entry. Havant: H1 attached on
    31 March 2026, H2 under tf1 (no fee set; at risk), H3 paid for on 1 April 2025 and
    clawed back, H4 in a submitted batch, H5 paid for on 31 March 2025, H6 in a rejected
    batch. The unassigned family attached on 1 October 2025."""
    framework_versions_ensure()
    AttachmentFee.objects.create(
        framework="sf2022", financial_year=2025, amount=D("500"), source="Local", updated_at=NOW
    )
    AttachmentFee.objects.create(
        framework="sf2022", financial_year=2024, amount=D("400"), source="Local", updated_at=NOW
    )
    winchester, havant = world.winchester, world.havant
    w1, w2, w3, w4 = (FamilyFactory(lcg=winchester) for _ in range(4))
    h1, h2, h3, h4, h5, h6 = (FamilyFactory(lcg=havant) for _ in range(6))

    _attach(w1, "sf2022", "2025-04-01")
    _result(w1, "sf2022", Readiness.CLAIMABLE, "outcomes")
    _attach(w2, "sf2022", "2025-03-31")
    _result(w2, "sf2022", Readiness.AT_RISK)
    _attach(w3, "sf2022", "2024-06-01")
    # Claimed, so not claimable again: its money is the payment below.
    _result(w3, "sf2022", Readiness.CLAIMABLE, "outcomes")
    _attach(w4, "sf2022", "2025-07-01", eligible=False)
    _result(w4, "sf2022", Readiness.BLOCKED)

    _attach(h1, "sf2022", "2026-03-31")
    _attach(h2, "tf1", "2025-09-01")
    _result(h2, "tf1", Readiness.AT_RISK)
    _attach(world.unassigned_family, "sf2022", "2025-10-01")

    paid = _batch(ClaimBatchStatus.ACCEPTED, "2025-04-01", "1500.00")
    _claim(paid, w3, "800.00")
    _claim(paid, h3, "700.00", ClaimStatus.CLAWED_BACK)
    # Removed before submission: never paid, never counted.
    _claim(paid, h6, "800.00", ClaimStatus.REMOVED)
    _claim(_batch(ClaimBatchStatus.SUBMITTED), h4, "800.00")
    _claim(_batch(ClaimBatchStatus.ACCEPTED, "2025-03-31", "800.00"), h5, "800.00")
    rejected = _batch(ClaimBatchStatus.REJECTED)
    _claim(rejected, h6, "800.00")
    return world


def _row(rows: tuple[MoneyRow, ...], lcg: str) -> MoneyRow:
    return next(row for row in rows if row.lcg == lcg)


def test_the_year_in_progress_per_lcg_and_in_total(programme: World) -> None:
    summary = money_summary(programme.programme_manager.user, year=2025, today=TODAY)

    assert summary.has_forecast and summary.label == "2025 to 2026"
    assert [row.lcg for row in summary.rows] == [
        "Havant LCG",
        "Winchester LCG",
        "No LCG (unassigned)",
    ]
    winchester = _row(summary.rows, "Winchester LCG")
    # W1 (1 April 2025) at £500; W2 is last year's, W4 was not eligible at entry.
    assert (winchester.families_attached, winchester.attachment_fees) == (1, D("500"))
    assert (winchester.claims_paid, winchester.result_payments, winchester.clawed_back) == (
        1,
        D("800"),
        D("0"),
    )
    assert winchester.income == D("1300")
    # W1 claimable (£800); W3 claimable too but already claimed; W2 at risk (£800).
    assert (winchester.families_claimable, winchester.claimable) == (1, D("800"))
    assert (winchester.families_at_risk, winchester.at_risk) == (1, D("800"))
    assert (winchester.claims_awaiting_payment, winchester.awaiting_payment) == (0, D("0"))
    assert winchester.forecast == D("1600")

    havant = _row(summary.rows, "Havant LCG")
    # H1 (31 March 2026) at £500; H2 under tf1, which has no fee for 2025.
    assert (havant.families_attached, havant.attachment_fees, havant.families_without_fee) == (
        2,
        D("500"),
        1,
    )
    # H3 was paid £700 and clawed back; H5 was paid on 31 March 2025, last year.
    assert (havant.claims_paid, havant.result_payments) == (1, D("700"))
    assert (havant.claims_clawed_back, havant.clawed_back) == (1, D("700"))
    assert havant.income == D("500")
    # H4 in a submitted batch; H6's batch was rejected; H2 at risk under tf1 (£800).
    assert (havant.claims_awaiting_payment, havant.awaiting_payment) == (1, D("800"))
    assert (havant.families_claimable, havant.at_risk) == (0, D("800"))
    assert havant.forecast == D("1600")

    unassigned = _row(summary.rows, "No LCG (unassigned)")
    assert (unassigned.attachment_fees, unassigned.income, unassigned.forecast) == (
        D("500"),
        D("500"),
        D("0"),
    )

    total = summary.total
    assert (total.families_attached, total.attachment_fees, total.families_without_fee) == (
        4,
        D("1500"),
        1,
    )
    assert (total.result_payments, total.clawed_back, total.income) == (
        D("1500"),
        D("700"),
        D("2300"),
    )
    assert (total.awaiting_payment, total.claimable, total.at_risk, total.forecast) == (
        D("800"),
        D("800"),
        D("1600"),
        D("3200"),
    )
    assert summary.government_paid == D("1500.00")
    assert summary.fees_missing == ("Troubled Families phase 1 (2012)",)


def test_a_year_that_has_ended_counts_its_own_days_and_has_no_forecast(
    programme: World,
) -> None:
    summary = money_summary(programme.programme_manager.user, year=2024, today=TODAY)

    assert not summary.has_forecast
    winchester = _row(summary.rows, "Winchester LCG")
    # W2 (31 March 2025) and W3 (June 2024) at 2024's £400; W1 (1 April 2025) is not here.
    assert (winchester.families_attached, winchester.attachment_fees) == (2, D("800"))
    assert winchester.result_payments == D("0")
    havant = _row(summary.rows, "Havant LCG")
    # H5's batch was paid on 31 March 2025.
    assert (havant.claims_paid, havant.result_payments, havant.income) == (1, D("800"), D("800"))
    assert summary.total.income == D("1600")
    assert summary.total.forecast == D("0") and summary.total.families_at_risk == 0


def test_the_money_takes_a_few_queries_however_many_families(programme: World) -> None:
    user = programme.programme_manager.user
    with CaptureQueriesContext(connection) as few:
        money_summary(user, year=2025, today=TODAY)
    for _ in range(5):
        family = FamilyFactory(lcg=LCGFactory())
        _attach(family, "sf2022", "2025-05-01")
        _result(family, "sf2022", Readiness.AT_RISK)
    with CaptureQueriesContext(connection) as many:
        summary = money_summary(user, year=2025, today=TODAY)
    assert summary.total.families_attached == 9
    assert len(many.captured_queries) == len(few.captured_queries) <= 12


# --- The page, the CSV, the API -------------------------------------------------------


def test_the_page_shows_the_chart_beside_the_table_for_the_year_in_progress(
    programme: World,
) -> None:
    with time_machine.travel(NOW, tick=False):
        response = client_for(programme.programme_manager).get(reverse("outcomes:money"))
    html = unescape(response.content.decode())

    assert response.status_code == 200
    assert '<h2 class="govuk-heading-m">2025 to 2026</h2>' in html
    assert 'role="img" aria-labelledby="money-chart-title money-table-caption"' in html
    assert 'id="money-table-caption">Money by LCG, 2025 to 2026</caption>' in html
    assert "£2,300.00" in html and "£3,200.00, of which £1,600.00 at risk" in html
    assert "No attachment fee is set for 2025 to 2026 under Troubled Families phase 1" in html
    assert "1 family attached in the year earns no fee" in html
    assert "£1,500.00 recorded for the claim batches paid in the year" in html
    assert "Forecast still to come" in html
    assert 'href="/money/csv/?year=2025"' in html


def test_a_past_year_is_chosen_on_the_page_and_has_no_forecast(programme: World) -> None:
    with time_machine.travel(NOW, tick=False):
        response = client_for(programme.programme_manager).get(
            reverse("outcomes:money"), {"year": "2024"}
        )
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Money by LCG, 2024 to 2025" in html
    assert "£1,600.00" in html
    assert "Forecast still to come" not in html
    assert '<option value="2024" selected>2024 to 2025</option>' in html


@pytest.mark.parametrize("year", ["2026", "2011", "next", ""])
def test_a_year_that_cannot_be_shown_is_refused_with_a_message(programme: World, year: str) -> None:
    manager = client_for(programme.programme_manager)
    with time_machine.travel(NOW, tick=False):
        page = manager.get(reverse("outcomes:money"), {"year": year})
        api = manager.get("/api/money/", {"year": year})
        download = manager.get(reverse("outcomes:money-csv"), {"year": year})
    html = unescape(page.content.decode())
    assert page.status_code == 400
    assert "There is a problem" in html
    expected = "Select a financial year" if year == "" else "Select a financial year from the list"
    assert expected in html
    # The year in progress is shown meanwhile.
    assert "Money by LCG, 2025 to 2026" in html
    assert api.status_code == 400 and "year" in api.json()
    assert download.status_code == 400


def test_with_nothing_yet_the_page_says_so(world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.programme_manager).get(reverse("outcomes:money"))
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Nothing yet for 2025 to 2026: no family was attached in the year" in html
    assert "<svg viewBox" not in html and "Download this table" not in html


def test_the_csv_is_the_table_with_no_formulas(programme: World) -> None:
    programme.havant.name = '=HYPERLINK("http://example.com")'
    programme.havant.save()
    with time_machine.travel(NOW, tick=False):
        response = client_for(programme.programme_manager).get(
            reverse("outcomes:money-csv"), {"year": "2025"}
        )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="money-2025-2026.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["LCG", "Families attached", "Attachment fees (£)"]
    assert rows[0][-1] == "Forecast still to come (£)"
    by_lcg = {row[0]: row for row in rows[1:]}
    assert set(by_lcg) == {
        '\'=HYPERLINK("http://example.com")',
        "Winchester LCG",
        "No LCG (unassigned)",
        "Total",
    }
    assert by_lcg["Winchester LCG"] == [
        "Winchester LCG", "1", "500.00", "0", "1", "800.00", "0", "0.00", "1300.00",
        "0", "0.00", "1", "800.00", "1", "800.00", "1600.00",
    ]  # fmt: skip
    assert by_lcg["Total"][8] == "2300.00" and by_lcg["Total"][-1] == "3200.00"


def test_the_api_gives_the_same_figures(programme: World) -> None:
    manager = client_for(programme.programme_manager)
    with time_machine.travel(NOW, tick=False):
        now = manager.get("/api/money/").json()
        past = manager.get("/api/money/", {"year": "2024"}).json()

    assert (now["year"], now["year_label"], now["has_forecast"]) == (2025, "2025 to 2026", True)
    assert now["total"]["income"] == "2300.00" and now["total"]["forecast"] == "3200.00"
    assert now["total"]["at_risk"] == "1600.00"
    assert now["attachment_fees"] == {"sf2022": "500.00"}
    assert now["fees_missing"] == ["Troubled Families phase 1 (2012)"]
    winchester = next(row for row in now["rows"] if row["lcg"] == "Winchester LCG")
    assert winchester["claimable"] == "800.00" and winchester["families_claimable"] == 1
    assert past["has_forecast"] is False
    assert past["total"]["income"] == "1600.00" and past["total"]["forecast"] is None


# --- The attachment fees --------------------------------------------------------------


def _national_defaults_seed() -> None:
    """The data migration's seed, run again (it changes nothing twice): a test that
    empties the tables (a browser test) would otherwise take the seeded rows with it."""
    from django.apps import apps

    seeding = importlib.import_module("outcomes.migrations.0012_attachment_fees_national_defaults")
    seeding.seed(apps, None)


def test_the_national_defaults_are_seeded(world: World) -> None:
    _national_defaults_seed()
    _national_defaults_seed()
    fees = {(fee.framework, fee.financial_year): fee.amount for fee in AttachmentFee.objects.all()}
    assert len(fees) == 10
    assert fees[("tf1", 2012)] == D("3200.00")  # 80% of £4,000
    assert fees[("tf1", 2013)] == D("2400.00")
    assert fees[("tf1", 2014)] == D("1600.00")
    assert all(fees[("tf2", year)] == D("1000.00") for year in range(2015, 2022))
    assert not any(framework == "sf2022" for framework, _ in fees)
    assert AttachmentFee.objects.get(framework="tf1", financial_year=2012).source.startswith(
        "National default"
    )


VALID_FEE = {"framework": "sf2022", "financial_year": "2025", "amount": "650", "source": "Local"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"framework": ""}, "Select a framework"),
        ({"financial_year": ""}, "Enter the year the financial year starts in"),
        ({"financial_year": "twenty"}, "Enter the year the financial year starts in, like 2025"),
        ({"financial_year": "2011"}, "The financial year must be from 2012"),
        ({"financial_year": "2027"}, "The financial year must be from 2012 to 2026"),
        ({"amount": ""}, "Enter the fee per family"),
        ({"amount": "-1"}, "The fee cannot be negative"),
        ({"amount": "£650"}, "Enter the fee in pounds, like 1000 or 1000.00"),
        ({"amount": "650.123"}, "Enter the fee in pounds and pence, like 1000.50"),
        ({"amount": "100000"}, "Enter a fee under £100,000"),
        ({"source": " "}, "Enter where the figure comes from"),
        ({"source": "x" * 201}, "Where the figure comes from must be 200 characters or fewer"),
        (
            {"framework": "tf2", "financial_year": "2015"},
            "A fee for Troubled Families phase 2 (2015) in 2015 to 2016 is already set: change "
            "that one instead",
        ),
    ],
)
def test_a_fee_that_cannot_be_set_is_refused_and_what_was_typed_is_kept(
    world: World, change: dict[str, str], message: str
) -> None:
    _national_defaults_seed()
    before = sorted(AttachmentFee.objects.values_list("framework", "financial_year", "amount"))
    posted = VALID_FEE | change
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.programme_manager).post(
            reverse("outcomes:attachment-fee-new"), posted
        )
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert "There is a problem" in html
    assert message in html
    if posted["amount"] and len(posted["source"]) < 50:
        assert f'value="{posted["amount"]}"' in html
    assert (
        sorted(AttachmentFee.objects.values_list("framework", "financial_year", "amount")) == before
    )


def test_a_programme_manager_sets_and_changes_a_fee_and_the_history_keeps_both(
    programme: World,
) -> None:
    manager = client_for(programme.programme_manager)
    with time_machine.travel(NOW, tick=False):
        made = manager.post(
            reverse("outcomes:attachment-fee-new"), VALID_FEE | {"framework": "tf1"}, follow=True
        )
        assert "Attachment fee set: Troubled Families phase 1 (2012), 2025 to 2026" in unescape(
            made.content.decode()
        )
        fee = AttachmentFee.objects.get(framework="tf1", financial_year=2025)
        assert (fee.amount, fee.updated_by) == (D("650.00"), programme.programme_manager.user)
        # H2 now earns tf1's fee: Havant's fees are £500 + £650.
        summary = money_summary(programme.programme_manager.user, year=2025, today=TODAY)
        assert _row(summary.rows, "Havant LCG").attachment_fees == D("1150")
        assert summary.fees_missing == ()

        change_url = reverse("outcomes:attachment-fee-change", args=[fee.pk])
        form = manager.get(change_url)
        assert 'value="650.00"' in form.content.decode()
        bad = manager.post(change_url, {"amount": "-5", "source": "Agreed locally"})
        assert bad.status_code == 400
        assert "The fee cannot be negative" in unescape(bad.content.decode())
        assert 'value="Agreed locally"' in unescape(bad.content.decode())
        manager.post(change_url, {"amount": "700", "source": "Agreed locally"})
        page = manager.get(reverse("outcomes:payment-rates"))
    fee.refresh_from_db()
    assert (fee.amount, fee.source) == (D("700.00"), "Agreed locally")
    html = unescape(page.content.decode())
    name = programme.programme_manager.user.get_full_name() or "pm"
    tf1 = "Troubled Families phase 1 (2012), 2025 to 2026"
    assert f"Changed: {tf1}" in html and f"Added: {tf1}" in html
    assert html.index(f"Changed: {tf1}") < html.index(f"Added: {tf1}")
    assert name in html
    # The seeded national defaults were added by OnePlan itself.
    assert "OnePlan" in html
    # Result payments are read from the rules, not set here.
    assert "Supporting Families (2022), version 1" in html and "£800.00" in html


def test_an_auditor_cannot_see_or_change_the_money(programme: World) -> None:
    fee = AttachmentFee.objects.get(framework="sf2022", financial_year=2025)
    auditor = client_for(programme.auditor)
    assert auditor.get(reverse("outcomes:money")).status_code == 403
    assert auditor.get("/api/money/").status_code == 403
    refused = auditor.post(
        reverse("outcomes:attachment-fee-change", args=[fee.pk]),
        {"amount": "1", "source": "Auditor"},
    )
    assert refused.status_code == 403
    fee.refresh_from_db()
    assert fee.amount == D("500.00")


# --- In real Chromium -----------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_money_pages_pass_axe_and_fit_a_phone_and_a_desktop(
    live_server: Any, programme: World, page: Any
) -> None:
    from playwright.sync_api import expect

    from tests.browser import assert_accessible
    from tests.test_journeys import sign_in
    from tests.test_layout_browser import DESKTOP, PHONE, layout_problems

    base = live_server.url
    sign_in(page, base, programme.programme_manager.user.username, check=False)
    page.wait_for_url(lambda url: "/sign-in/" not in url)
    page.goto(f"{base}/money/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Money")
    # The year in progress (today's), then 2025 to 2026 chosen without JavaScript.
    expect(page.get_by_role("img", name="Money by LCG")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Financial year").select_option("2025")
    page.get_by_role("button", name="Show this year").click()
    expect(page.get_by_role("table", name="Money by LCG, 2025 to 2026")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Payment rates").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment rates")
    assert_accessible(page)
    page.get_by_role("link", name="Set an attachment fee").click()
    page.get_by_role("button", name="Set the fee").click()
    expect(page.get_by_role("link", name="Select a framework")).to_be_visible()
    assert_accessible(page)

    problems = {}
    for url in (f"{base}/money/", f"{base}/money/?year=2025", f"{base}/money/rates/"):
        for width in (PHONE, DESKTOP):
            found = layout_problems(page, url, width)
            if found:
                problems[f"{url} at {width}px"] = found
    assert problems == {}, problems
