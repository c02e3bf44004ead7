"""Journey: from an agency's file to a family on the LCG's screening list.

A programme manager uploads a feed with a bad row, reads the error, fixes the file and
uploads it again; one record is a doubtful match, which they decide in the review queue;
the new evidence makes a family eligible, and it appears on the screening list.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from agencies.services import system_actor
from conftest import World
from families.models import HouseholdMembership, MemberRole
from oneplan.jobs import job_run
from outcomes.assessment.services import assessment_families_run, assessment_queue_process
from outcomes.frameworks.registry import DEFAULT_PERIODS
from outcomes.models import Assessment, Evidence, FeedSubmission, FrameworkPeriod, MatchReview
from tests.browser import assert_accessible
from tests.factories import AddressFactory, FamilyFactory, PersonFactory
from tests.support.assessment import evidence_add
from tests.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = (
    "record_id,person_id,given_name,family_name,date_of_birth,address_line_1,postcode,"
    "incident_date,intervention\r\n"
)


def _feed(tmp_path: Path, name: str, rows: list[str]) -> str:
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{row}\r\n" for row in rows), encoding="utf-8")
    return str(path)


def _upload(page: Page, path: str, *, month: int, year: int) -> None:
    page.get_by_label("Agency", exact=True).select_option(label="Hampshire Constabulary")
    page.get_by_label("Kind of feed").select_option("asb")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill(str(month))
    page.get_by_label("Year").fill(str(year))
    page.get_by_label("File", exact=True).set_input_files(path)
    page.get_by_role("button", name="Check and import").click()


def test_programme_manager_takes_a_feed_to_a_newly_eligible_family(
    live_server: LiveServer, world: World, page: Page, tmp_path: Path
) -> None:
    # Transactional tests empty every table, including the framework periods the
    # migrations seed; put them back as a real database has them.
    if not FrameworkPeriod.objects.exists():
        FrameworkPeriod.objects.bulk_create(
            FrameworkPeriod(starts_on=day, framework=code) for day, code in DEFAULT_PERIODS
        )
    # Given a family the council knows, with two of the three needs Supporting
    # Families asks for: a child missing school and a parent out of work.
    today = timezone.localdate()
    address = AddressFactory(line_1="14 Stanmore Lane", postcode="SO22 4BL")
    family = FamilyFactory(lcg=world.winchester, address=address)
    kelly = PersonFactory(
        given_name="Kelly", family_name="Ashby", date_of_birth=datetime.date(1986, 4, 12)
    )
    jordan = PersonFactory(
        given_name="Jordan", family_name="Ashby", date_of_birth=datetime.date(2012, 5, 3)
    )
    for person, role in ((kelly, MemberRole.PARENT_CARER), (jordan, MemberRole.CHILD)):
        HouseholdMembership.objects.create(
            family=family, person=person, role=role, start_date=datetime.date(2015, 1, 1)
        )
    for year, term, start, end in (
        ("2024/25", "spring", "2025-01-01", "2025-03-31"),
        ("2024/25", "summer", "2025-04-01", "2025-08-31"),
        ("2025/26", "autumn", "2025-09-01", "2025-12-31"),
        ("2025/26", "spring", "2026-01-01", "2026-03-31"),
        ("2025/26", "summer", "2026-04-01", "2026-08-31"),
        ("2026/27", "autumn", "2026-09-01", "2026-12-31"),
    ):
        if datetime.date.fromisoformat(start) <= today:
            evidence_add(
                jordan,
                "school_attendance",
                start,
                end,
                academic_year=year,
                term=term,
                possible_sessions=120,
                unauthorised_absence_sessions=30,
                authorised_absence_sessions=2,
            )
    evidence_add(
        kelly,
        "benefits",
        today - datetime.timedelta(days=400),
        benefit="UC",
        start_date=(today - datetime.timedelta(days=400)).isoformat(),
        end_date=None,
        out_of_work=True,
    )
    assessment_families_run(actor=system_actor(), family_ids=[family.pk], as_of=today)
    assert not Assessment.objects.get(family=family, is_current=True).eligible

    incident = (today - datetime.timedelta(days=20)).isoformat()
    base = live_server.url
    sign_in(page, base, "pm", check=False)

    # When the programme manager uploads the police's ASB feed with a bad date...
    page.goto(f"{base}/feeds/upload/")
    bad = _feed(
        tmp_path,
        "asb.csv",
        [
            f"ASB-1,P-100,Kelly,Ashby,12/04/1986,14 Stanmore Lane,SO22 4BL,{incident},abc",
            f"ASB-2,P-101,Harry,Ashby,31/02/2012,14 Stanmore Lane,SO22 4BL,{incident},warning",
        ],
    )
    _upload(page, bad, month=today.month, year=today.year)
    submission = FeedSubmission.objects.get(filename="asb.csv")
    assert submission.job is not None
    job_run(job_id=str(submission.job.pk))

    # ...they read exactly what is wrong, and nothing was imported.
    expect(page.get_by_text("Nothing from this file was imported")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("row", name="3 date_of_birth", exact=False)).to_be_visible()
    assert_accessible(page)
    assert not Evidence.objects.filter(kind="asb").exists()

    # They fix the file and upload it again (the form remembers the agency and kind).
    page.get_by_role("link", name="Fix the file and upload it again").click()
    expect(page.get_by_label("Kind of feed")).to_have_value("asb")
    fixed = _feed(
        tmp_path,
        "asb-fixed.csv",
        [
            f"ASB-1,P-100,Kelly,Ashby,12/04/1986,14 Stanmore Lane,SO22 4BL,{incident},abc",
            f"ASB-2,P-101,Harry,Ashby,03/05/2012,14 Stanmore Lane,SO22 4BL,{incident},warning",
        ],
    )
    page.get_by_label("File", exact=True).set_input_files(fixed)
    page.get_by_role("button", name="Check and import").click()
    second = FeedSubmission.objects.get(filename="asb-fixed.csv")
    assert second.job is not None
    job_run(job_id=str(second.job.pk))
    expect(page.get_by_text("2 records imported")).to_be_visible(timeout=10_000)
    assert_accessible(page)

    # Kelly's record matched her exactly; "Harry" shares Jordan's date of birth and
    # address but not his name: a person must decide.
    review = MatchReview.objects.get(status="pending")
    assert review.candidate_id == jordan.pk
    page.goto(f"{base}/matching/reviews/")
    page.get_by_role("link", name="Harry Ashby").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Is this the same person?")
    assert_accessible(page)
    page.get_by_label("Different people: create a new person").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("Created a new person, Harry Ashby")).to_be_visible()

    # The background re-assessment runs (a worker would take the queue).
    assessment_queue_process(actor=system_actor(), as_of=today)

    # Then the family is eligible and waits on the screening list.
    assessment = Assessment.objects.get(family=family, is_current=True)
    assert assessment.eligible, assessment.criteria
    assert assessment.criteria["crime"]["met"]
    page.goto(f"{base}/screening/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Screening")
    expect(page.get_by_role("cell", name="Agency data: 3 of 10 problems")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile(f"^{family.reference}.*screen this family"))
    ).to_be_visible()
    assert_accessible(page)
