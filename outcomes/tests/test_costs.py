"""Costs avoided against hand-computed families (issue 14, "Done when"), the pages, CSV
and API, the unit cost table's rules and If-Match, and a query count that does not
grow with the cohort."""

from __future__ import annotations

import csv
import datetime
import importlib
import io
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from audit.models import AccessEvent
from conftest import World, client_for
from families.models import Family
from oneplan.errors import ApplicationError
from outcomes.assessment.services import framework_versions_ensure
from outcomes.costs import selectors, services
from outcomes.costs.models import ProgrammeSpend, UnitCost
from outcomes.models import Attachment, FrameworkVersion
from tests.factories import FamilyFactory, MembershipFactory
from tests.support.assessment import evidence_add

D = datetime.date.fromisoformat
TODAY = D("2025-10-01")
YEAR = 2023  # April 2023 to March 2024


def unit_costs_ensure() -> None:
    """The seeded example lines, as the data migration leaves them (a transactional
    test elsewhere in the run may have emptied the table)."""
    seeding = importlib.import_module("outcomes.migrations.0016_unit_costs_examples")
    seeding.seed(apps, None)


@pytest.fixture(autouse=True)
def _examples(db: None) -> None:
    unit_costs_ensure()


def _attach(family: Family, on: str) -> None:
    framework_versions_ensure()
    Attachment.objects.create(
        family=family,
        framework="tf2",
        framework_version=FrameworkVersion.objects.filter(framework="tf2").order_by("version")[0],
        attached_on=D(on),
        eligible_at_entry=True,
        created_by=User.objects.get(username="pm"),
        created_at=timezone.now(),
    )


def _person(family: Family) -> Any:
    return family.memberships.select_related("person").first().person


def _prices() -> dict[str, UnitCost]:
    return {line.name: line for line in UnitCost.objects.all()}


def _seeded(world: World) -> None:
    """Three hand-computed families of financial year 2023, priced with the seeded
    examples (police call-out £100 an event, out-of-work benefit £100 a week).

    - own_family, attached 1 September 2023 (before: 1 Sep 2022 to 31 Aug 2023; after:
      1 Sep 2023 to 31 Aug 2024): 3 police call-outs before, one of them on the first
      day of the window, 1 after (on the attachment day); one call-out on the day after
      the after window and one the day before the before window, not counted. Saving:
      2 x £100 = £200.
    - other_lcg_family, attached 1 September 2023: JSA from 1 January 2022 to 31
      August 2023 (365 days of the before window), none after. Saving: 365 / 7 x £100 =
      £5,214.29. A domestic abuse incident (restricted) is never counted.
    - unassigned_family, attached 31 March 2024 (after window to 30 March 2025):
      1 ASB warning letter (£66) before, none after. Saving £66.
    """
    own, other, unassigned = world.own_family, world.other_lcg_family, world.unassigned_family
    _attach(own, "2023-09-01")
    _attach(other, "2023-09-01")
    _attach(unassigned, "2024-03-31")
    jordan, casey, riley = _person(own), _person(other), _person(unassigned)
    for day in ("2022-09-01", "2023-01-15", "2023-08-31", "2023-09-01"):
        evidence_add(jordan, "police_callouts", day, callout_date=day, category="asb")
    evidence_add(jordan, "police_callouts", "2022-08-31", category="asb")
    evidence_add(jordan, "police_callouts", "2024-09-01", category="asb")
    evidence_add(casey, "benefits", "2022-01-01", "2023-08-31", benefit="JSA")
    evidence_add(casey, "domestic_abuse", "2023-01-01", role="victim", marac="N")
    evidence_add(riley, "asb", "2023-06-01", intervention="warning")


@pytest.fixture
def seeded(world: World) -> World:
    _seeded(world)
    return world


def test_costs_avoided_against_hand_computed_families(seeded: World) -> None:
    pm = seeded.programme_manager.user
    summary = selectors.costs_summary(pm, year=YEAR, today=TODAY)

    rows = {row.agency: row for row in summary.rows}
    assert (summary.attached, summary.counted, summary.waiting) == (3, 3, 0)
    assert rows["police"].before == Decimal("366.00")  # 3 call-outs and a warning letter
    assert rows["police"].after == Decimal("100.00")
    assert rows["police"].saving == Decimal("266.00")
    assert rows["dwp"].saving == Decimal("5214.29")
    assert summary.saving == Decimal("5480.29")
    assert summary.average_saving == Decimal("1826.76")
    assert summary.ratio is None


def test_per_family_breakdown_names_the_events_on_the_boundary_days(seeded: World) -> None:
    pm = seeded.programme_manager.user
    breakdown = selectors.family_cost_breakdown(
        pm, reference=seeded.own_family.reference, today=TODAY
    )
    police = next(
        line
        for line in breakdown.costs.lines
        if line.price.agency == "police" and line.price.label == "Police call-out"
    )
    events = breakdown.events[police.price.line_id]
    assert [(e.window, e.date) for e in events] == [
        ("Before", D("2022-09-01")),
        ("Before", D("2023-01-15")),
        ("Before", D("2023-08-31")),
        ("After", D("2023-09-01")),
    ]
    assert police.saving == Decimal("200.00")


def test_families_whose_year_after_has_not_passed_are_shown_apart(seeded: World) -> None:
    pm = seeded.programme_manager.user
    # On 1 September 2024 the two families attached on 1 September 2023 are counted
    # (their after window ended on 31 August 2024); the third is not yet.
    summary = selectors.costs_summary(pm, year=YEAR, today=D("2024-09-01"))
    assert (summary.counted, summary.waiting) == (2, 1)
    assert summary.saving == Decimal("5414.29")
    listing = selectors.costs_family_list(pm, year=YEAR, today=D("2024-08-31"))
    assert listing.counted == () and len(listing.waiting) == 3


def test_ratio_to_the_programme_spend(seeded: World) -> None:
    pm = seeded.programme_manager.user
    services.programme_spend_set(
        actor=pm, financial_year=YEAR, amount_pence=548029, source="Outturn", today=TODAY
    )
    summary = selectors.costs_summary(pm, year=YEAR, today=TODAY)
    assert summary.ratio == Decimal("1.00")
    services.programme_spend_set(
        actor=pm, financial_year=YEAR, amount_pence=274015, source="Outturn", today=TODAY
    )
    assert ProgrammeSpend.objects.get().amount_pence == 274015
    assert selectors.costs_summary(pm, year=YEAR, today=TODAY).ratio == Decimal("2.00")


def test_two_first_saves_of_a_years_spend_at_once_make_one_figure(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other save landed between this one's look and its insert: the unique year
    refuses the insert, and this save changes the other's figure instead of failing."""
    pm = world.programme_manager.user
    services.programme_spend_set(
        actor=pm, financial_year=YEAR, amount_pence=100, source="Theirs", today=TODAY
    )
    from django.db.models import QuerySet

    real_first = QuerySet.first
    looked: list[bool] = []

    def first_unseen(self: QuerySet[Any]) -> Any:
        if self.model is ProgrammeSpend and not looked:
            looked.append(True)  # the look misses the row the other save wrote
            return None
        return real_first(self)

    monkeypatch.setattr(QuerySet, "first", first_unseen)

    services.programme_spend_set(
        actor=pm, financial_year=YEAR, amount_pence=200, source="Mine", today=TODAY
    )

    assert looked == [True]
    assert list(ProgrammeSpend.objects.values_list("amount_pence", "source")) == [(200, "Mine")]


def test_a_new_price_changes_the_figures(seeded: World) -> None:
    pm = seeded.programme_manager.user
    line = _prices()["Police call-out"]
    services.unit_cost_change(
        actor=pm, line=line, name=line.name, agency="police", unit="event", price_pence=25000,
        price_year=2025, source="Local figure", is_example=False,
        categories=["police_callout"], in_use=True, today=TODAY,
    )  # fmt: skip
    summary = selectors.costs_summary(pm, year=YEAR, today=TODAY)
    assert {r.agency: r.saving for r in summary.rows}["police"] == Decimal("566.00")


def test_a_service_use_is_priced_by_one_line_only(world: World) -> None:
    pm = world.programme_manager.user
    with pytest.raises(ApplicationError, match="already priced by Police call-out"):
        services.unit_cost_create(
            actor=pm, name="Call-out again", agency="police", unit="event", price_pence=1,
            price_year=2025, source="x", is_example=False, categories=["police_callout"],
            today=TODAY,
        )  # fmt: skip
    with pytest.raises(ApplicationError, match="counted in weeks"):
        services.unit_cost_create(
            actor=pm, name="Care", agency="childrens_services", unit="event", price_pence=1,
            price_year=2025, source="x", is_example=False, categories=["looked_after_week"],
            today=TODAY,
        )  # fmt: skip
    with pytest.raises(ApplicationError, match="per hour"):
        services.unit_cost_create(
            actor=pm, name="Hours", agency="police", unit="hour", price_pence=1,
            price_year=2025, source="x", is_example=False, categories=["eviction"], today=TODAY,
        )  # fmt: skip


def test_every_seeded_line_is_an_example_with_its_source(db: None) -> None:
    lines = list(UnitCost.objects.all())
    assert {line.name: line.price_pence for line in lines}.items() >= {
        "ASB warning letter": 6600,
        "Acceptable behaviour contract": 23000,
        "Foster care": 64600,
        "Residential care": 300000,
        "Social worker": 4000,
    }.items()
    assert all(line.is_example and "Example figure" in line.source for line in lines)


def test_query_count_does_not_grow_with_the_cohort(seeded: World) -> None:
    pm = seeded.programme_manager.user

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.costs_summary(pm, year=YEAR, today=TODAY)
        return len(ctx.captured_queries)

    few = queries()
    for _ in range(5):
        family = FamilyFactory(lcg=seeded.winchester)
        member = MembershipFactory(family=family)
        _attach(family, "2023-10-01")
        evidence_add(member.person, "police_callouts", "2023-05-01", category="asb")
    assert queries() == few
    assert few <= 8


def test_pages_show_the_figures_and_log_who_saw_which_family(seeded: World) -> None:
    client = client_for(seeded.auditor)
    page = client.get(reverse("outcomes:costs-avoided") + f"?year={YEAR}")
    assert page.status_code == 200
    assert "£5,480.29" in page.content.decode()
    assert "Add a unit cost" not in client.get(reverse("outcomes:unit-costs")).content.decode()

    listing = client.get(reverse("outcomes:costs-avoided-families") + f"?year={YEAR}&agency=dwp")
    assert listing.status_code == 200
    assert seeded.other_lcg_family.reference in listing.content.decode()
    assert seeded.own_family.reference not in listing.content.decode()
    event = AccessEvent.objects.filter(object_type="costs_avoided").latest("occurred_at")
    assert event.detail["families"] == [seeded.other_lcg_family.pk]

    ref = seeded.own_family.reference
    detail = client.get(reverse("outcomes:costs-avoided-family", args=[ref]))
    assert detail.status_code == 200 and "31 August 2023" in detail.content.decode()
    assert AccessEvent.objects.filter(
        object_type="costs_avoided_family", family_id=seeded.own_family.pk
    ).exists()


def test_a_family_never_attached_is_404(world: World) -> None:
    client = client_for(world.programme_manager)
    response = client.get(
        reverse("outcomes:costs-avoided-family", args=[world.own_family.reference])
    )
    assert response.status_code == 404


def test_csv_has_a_row_per_family_and_agency_and_a_total(seeded: World) -> None:
    client = client_for(seeded.programme_manager)
    response = client.get(reverse("outcomes:costs-avoided-csv") + f"?year={YEAR}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    own = [r for r in rows if r[0] == seeded.own_family.reference]
    assert [r[4] for r in own] == ["Police", "All agencies"]
    assert own[-1][5:] == ["300.00", "100.00", "200.00"]
    event = AccessEvent.objects.get(object_type="costs_avoided_csv")
    assert sorted(event.detail["families"]) == sorted(
        [seeded.own_family.pk, seeded.other_lcg_family.pk, seeded.unassigned_family.pk]
    )


def test_form_shows_what_was_typed_with_its_error(world: World) -> None:
    client = client_for(world.programme_manager)
    response = client.post(
        reverse("outcomes:unit-cost-new"),
        {"name": "Eviction again", "agency": "housing", "unit": "event", "price": "12.50",
         "price_year": "2025", "source": "Mine", "categories": ["eviction"]},
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 400
    assert "Eviction again" in body and "already priced by Eviction" in body
    assert not UnitCost.objects.filter(name="Eviction again").exists()


def test_api_patch_needs_if_match_and_refuses_a_stale_one(world: World) -> None:
    client = client_for(world.programme_manager)
    line = _prices()["Police call-out"]
    url = f"/api/unit-costs/{line.pk}/"
    read = client.get(url)
    etag = read["ETag"]

    assert (
        client.patch(url, {"price_pence": 12000}, content_type="application/json").status_code
        == 428
    )
    ok = client.patch(
        url, {"price_pence": 12000}, content_type="application/json", headers={"if-match": etag}
    )
    assert ok.status_code == 200 and ok.json()["price_pence"] == 12000
    stale = client.patch(
        url, {"price_pence": 13000}, content_type="application/json", headers={"if-match": etag}
    )
    assert stale.status_code == 412
    assert stale.json()["current"]["price_pence"] == 12000
    assert UnitCost.objects.get(pk=line.pk).price_pence == 12000


def test_api_summary_and_family(seeded: World) -> None:
    client = client_for(seeded.senior_officer)
    summary = client.get(f"/api/costs-avoided/?year={YEAR}")
    assert summary.status_code == 200 and summary.json()["saving"] == "5480.29"
    family = client.get(f"/api/costs-avoided-families/{seeded.own_family.reference}/")
    assert family.status_code == 200
    assert family.json()["saving"] == "200.00"
    assert client.get("/api/costs-avoided-families/F-999999/").status_code == 404
