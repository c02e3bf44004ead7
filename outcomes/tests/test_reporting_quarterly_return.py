"""The quarterly progress return (docs/quarterly-return.md): which families are in it,
each column's value for hand-built families as at the quarter's end, restricted needs
left out unless the maker may see them, the chosen columns and saved layouts, and the
background job's file with its access events."""

from __future__ import annotations

import csv
import datetime
import io
import re
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from agencies.models import Staff, User
from agencies.roles import Role
from audit.models import AccessEvent
from conftest import World, client_for
from families.models import Family
from oneplan.jobs import job_run
from oneplan.models import Job, JobStatus
from outcomes.models import ClaimBatchStatus, ClaimStatus
from outcomes.reporting.models import QuarterlyReturnPreset
from outcomes.reporting.quarterly import (
    COLUMN_KEYS,
    COLUMNS,
    quarterly_return_rows,
    quarterly_return_start,
)
from outcomes.tests import reporting_support as make
from tests.factories import StaffFactory, coordinator_of

pytestmark = pytest.mark.django_db

D = datetime.date
# Quarter 3 of 2025 to 2026: 1 October to 31 December 2025.
YEAR, QUARTER = 2025, 3
TODAY = D(2026, 1, 20)
NOON = datetime.datetime(2026, 1, 20, 12, tzinfo=datetime.UTC)

ENTRY = {
    "education": {"met": True},
    "domestic_abuse": {"met": True},
    "crime": {"met": False},
    "housing": {"met": True},
}


def _full(world: World) -> Family:
    """Attached in May 2025 with education, domestic abuse and housing at entry; housing
    closed in November; plan agreed in June; reviewed in October and in January (after
    the quarter); results met in November; claim accepted in December."""
    made = make.family(world.winchester, track="local", identified=D(2025, 4, 20))
    make.attach(made, D(2025, 5, 1), criteria=ENTRY)
    make.need(made, "education", "Good education", D(2025, 5, 1))
    make.need(made, "domestic_abuse", "Safe from domestic abuse", D(2025, 5, 1))
    make.need(made, "housing", "Secure housing", D(2025, 5, 1), closed=D(2025, 11, 1))
    make.need(made, "financial_stability", "Financial stability", D(2026, 1, 5))
    plan = make.plan_agreed(made, D(2025, 6, 1), D(2025, 12, 1))
    from plans.models import Review

    for held in (D(2025, 10, 10), D(2026, 1, 10)):
        Review.objects.create(
            plan=plan,
            held_on=held,
            next_review_on=held + datetime.timedelta(days=90),
            created_by=make.someone(),
            created_at=make.noon(held),
        )
    make.result(made, D(2025, 11, 15), route="outcomes")
    accepted = make.batch(ClaimBatchStatus.ACCEPTED, accepted_at=make.noon(D(2025, 12, 5)))
    make.claim(made, accepted, claim_date=D(2025, 11, 15))
    return made


def _rows(user: Any, columns: tuple[str, ...] = COLUMN_KEYS) -> dict[int, dict[str, Any]]:
    return {
        family_id: dict(zip(columns, row, strict=True))
        for family_id, row in quarterly_return_rows(
            user, year=YEAR, quarter=QUARTER, columns=columns
        )
    }


def test_each_column_of_a_family_as_at_the_quarters_end(world: World) -> None:
    made = _full(world)

    row = _rows(world.programme_manager.user)[made.pk]

    assert row == {
        "family_reference": made.reference,
        "lcg": world.winchester.name,
        "track": "Local",
        "lead_agency": "",
        "status": "Identified",
        "framework": "Supporting Families (2022)",
        "identified_on": D(2025, 4, 20),
        "attached_on": D(2025, 5, 1),
        "eligible_at_entry": "Yes",
        # Domestic abuse is restricted: a programme manager does not see it named.
        "problems_at_entry": "Getting a good education; Secure housing",
        "problems_now": "Good education",
        "problems_resolved": "Secure housing",
        "plan_status": "Agreed",
        "plan_agreed_on": D(2025, 6, 1),
        "last_review_on": D(2025, 10, 10),
        "result_route": "outcomes",
        "result_readiness": "Claimable",
        "result_achieved_on": None,
        "claim_status": "Accepted",
        "claim_route": "outcomes",
        "claim_date": D(2025, 11, 15),
        "claim_accepted_on": D(2025, 12, 5),
        "sustained": "Not yet due",
        "sustained_on": None,
    }


def test_restricted_problems_are_named_for_a_maker_who_may_see_them(world: World) -> None:
    made = _full(world)
    # A programme manager who also coordinates Winchester sees its restricted needs.
    both = coordinator_of(world.winchester, agency=world.council)
    Staff.objects.filter(pk=both.pk).update(
        roles=[Role.PROGRAMME_MANAGER.value, Role.LCG_COORDINATOR.value]
    )
    other = make.family(world.havant, identified=D(2025, 4, 20))
    make.attach(other, D(2025, 5, 1), criteria=ENTRY)

    rows = _rows(User.objects.get(pk=both.user_id))

    assert rows[made.pk]["problems_at_entry"] == (
        "Getting a good education; Safe from domestic abuse; Secure housing"
    )
    assert rows[made.pk]["problems_now"] == "Good education; Safe from domestic abuse"
    # Havant is not theirs: its restricted need stays out.
    assert rows[other.pk]["problems_at_entry"] == "Getting a good education; Secure housing"


def _attached(world: World, on: D) -> Family:
    made = make.family(world.winchester, identified=D(2024, 1, 1))
    make.attach(made, on)
    return made


def test_the_return_holds_families_attached_by_the_quarters_end_still_on_their_journey(
    world: World,
) -> None:
    in_it = _attached(world, D(2025, 12, 31))
    too_late = _attached(world, D(2026, 1, 1))
    left_before = _attached(world, D(2025, 5, 1))
    left_before.status_changes.create(
        from_status="plan_active",
        to_status="declined",
        reason="Declined",
        actor=make.someone(),
        created_at=make.noon(D(2025, 9, 30)),
    )
    left_during = _attached(world, D(2025, 5, 1))
    left_during.status_changes.create(
        from_status="plan_active",
        to_status="closed",
        reason="Stepped down",
        actor=make.someone(),
        created_at=make.noon(D(2025, 10, 2)),
    )
    never_attached = make.family(world.winchester, identified=D(2025, 5, 1))

    rows = _rows(world.programme_manager.user)

    assert in_it.pk in rows and left_during.pk in rows
    assert rows[left_during.pk]["status"] == "Closed"
    assert {too_late.pk, left_before.pk, never_attached.pk}.isdisjoint(rows)


@pytest.mark.parametrize(
    ("claim_date", "route_then", "status", "expected"),
    [
        (D(2024, 11, 15), "outcomes", ClaimStatus.PROPOSED, "Yes"),
        (D(2024, 11, 15), "", ClaimStatus.PROPOSED, "No"),
        (D(2025, 1, 15), "outcomes", ClaimStatus.PROPOSED, "Not yet due"),
        (D(2024, 11, 15), "outcomes", ClaimStatus.CLAWED_BACK, "No claim"),
    ],
)
def test_sustaining_outcomes_one_year_on_in_the_return(
    world: World, claim_date: D, route_then: str, status: str, expected: str
) -> None:
    made = _attached(world, D(2024, 6, 1))
    accepted = make.batch(ClaimBatchStatus.ACCEPTED, accepted_at=make.noon(claim_date))
    make.claim(made, accepted, claim_date=claim_date, status=status)
    make.result(made, claim_date, route="outcomes")
    make.result(made, D(2025, 11, 1), route=route_then, readiness="not_yet")

    row = _rows(world.programme_manager.user)[made.pk]

    assert row["sustained"] == expected
    assert (row["sustained_on"] is not None) is (expected == "Yes")


def test_the_chosen_columns_come_in_the_order_chosen(world: World) -> None:
    made = _full(world)
    columns = ("claim_status", "family_reference")

    row = _rows(world.programme_manager.user, columns)[made.pk]

    assert list(row.values()) == ["Accepted", made.reference]


def test_every_column_has_a_heading_and_a_meaning_in_the_docs() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "quarterly-return.md").read_text()
    for column in COLUMNS:
        assert f"`{column.key}`" in docs, column.key
        assert column.heading in docs, column.heading


def test_the_job_writes_the_file_in_the_chosen_columns_and_records_who_saw_which_families(
    world: World,
) -> None:
    made = _full(world)
    user = world.programme_manager.user
    with time_machine.travel(NOON, tick=False):
        job = quarterly_return_start(
            actor=user,
            year=YEAR,
            quarter=QUARTER,
            columns=["family_reference", "problems_at_entry", "sustained"],
            today=TODAY,
        )
        ran = job_run(job_id=str(job.pk))

    assert ran is not None and ran.status == JobStatus.SUCCEEDED, ran and ran.errors
    rows = list(csv.reader(io.StringIO(ran.result_file.read().decode("utf-8-sig"))))
    assert rows == [
        ["Family reference", "Problems at entry", "Sustaining outcomes one year on"],
        [made.reference, "Getting a good education; Secure housing", "Not yet due"],
    ]
    events = AccessEvent.objects.filter(user=user).order_by("pk")
    assert [e.object_type for e in events][-2:] == ["quarterly_return", "quarterly_return_export"]
    assert events.last().detail["families"] == [made.pk]


def test_a_programme_manager_makes_the_return_from_the_page_and_saves_the_layout(
    world: World,
) -> None:
    client = client_for(world.programme_manager)
    with time_machine.travel(NOON, tick=False):
        response = client.post(
            reverse("outcomes:quarterly-return"),
            {
                "period": f"{YEAR}-{QUARTER}",
                "columns": ["problems_now", "family_reference"],
                "preset_name": "  Council   return ",
                "idempotency_key": "k1",
            },
        )
        again = client.post(
            reverse("outcomes:quarterly-return"),
            {
                "period": f"{YEAR}-{QUARTER}",
                "columns": ["problems_now", "family_reference"],
                "idempotency_key": "k1",
            },
        )
        preset = QuarterlyReturnPreset.objects.get()
        form = client.get(reverse("outcomes:quarterly-return"), {"preset": preset.pk})

    job = Job.objects.get()
    assert response.status_code == again.status_code == 302
    assert response["Location"] == again["Location"] == f"/jobs/{job.pk}/"
    # The file keeps the return's own order of columns.
    assert job.parameters["columns"] == ["family_reference", "problems_now"]
    assert (preset.name, preset.columns) == ("Council return", ["family_reference", "problems_now"])
    html = form.content.decode()
    assert re.search(r'value="problems_now"[^>]*checked', html)
    assert not re.search(r'value="claim_status"[^>]*checked', html)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": f"{YEAR}-{QUARTER}"}, "Select at least one column"),
        ({"period": "2030-1", "columns": ["family_reference"]}, "Select a quarter from the list"),
        ({"period": f"{YEAR}-{QUARTER}", "columns": ["nothing"]}, "Select columns from the list"),
    ],
)
def test_a_return_form_with_mistakes_says_what_to_fix(
    world: World, data: dict[str, Any], message: str
) -> None:
    with time_machine.travel(NOON, tick=False):
        response = client_for(world.programme_manager).post(
            reverse("outcomes:quarterly-return"), data
        )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Job.objects.exists()


def test_the_job_refuses_someone_whose_role_was_taken_away_since(world: World) -> None:
    staff = StaffFactory(agency=world.council, roles=[Role.PROGRAMME_MANAGER.value])
    with time_machine.travel(NOON, tick=False):
        job = quarterly_return_start(
            actor=staff.user, year=YEAR, quarter=QUARTER, columns=["lcg"], today=TODAY
        )
        Staff.objects.filter(pk=staff.pk).update(roles=[Role.INTERNAL_AUDITOR.value])
        ran = job_run(job_id=str(job.pk))

    assert ran is not None and ran.status == JobStatus.FAILED
    assert not ran.result_file
