"""Journey: one family, one plan, one joined-up approach.

A key worker builds the plan from the family's identified needs, gives actions to two
agencies, agrees the plan with the family and records a review; a practitioner of one of
those agencies completes their action; a practitioner of an agency that is not involved
cannot find the family.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from families.access.services import lawful_basis_record
from families.grants_models import LawfulBasisKind
from oneplan.site.demo.casework_data import term_end, terms_before
from outcomes.assessment.services import assessment_families_run
from plans.models import Action, ActionStatus, Agreement, PlanStatus, Review
from tests.browser import assert_accessible
from tests.support.assessment import evidence_add
from tests.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_date(page: Page, day: datetime.date) -> None:
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


def _add_action(page: Page, what: str, agency: str, due: datetime.date) -> None:
    page.get_by_role("link", name=re.compile("^Add an action")).first.click()
    page.get_by_label("What will be done").fill(what)
    page.get_by_label("An agency").check()
    page.get_by_label(re.compile("^Agency")).select_option(label=agency)
    _fill_date(page, due)
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_role("cell", name=what, exact=True)).to_be_visible()


def test_a_plan_from_needs_to_a_practitioner_completing_their_action(
    live_server: LiveServer, world: World, page: Page
) -> None:
    # Given a family identified from agency data: a child missing school.
    today = timezone.localdate()
    family = world.own_family
    child = family.memberships.select_related("person").get().person
    child.date_of_birth = today.replace(year=today.year - 12, day=1)
    child.save()
    for year, term, start in terms_before(today, 3):
        evidence_add(
            child,
            "school_attendance",
            start,
            term_end(term, start),
            academic_year=year,
            term=term,
            possible_sessions=100,
            unauthorised_absence_sessions=25,
            authorised_absence_sessions=0,
        )
    assessment_families_run(actor=world.programme_manager.user, family_ids=[family.pk], as_of=today)
    lawful_basis_record(
        actor=world.keyworker.user,
        family=family,
        kind=LawfulBasisKind.STATUTORY_GATEWAY,
        gateway="Children Act 1989 section 17",
        given_on=today,
    )
    base = live_server.url
    reference = family.reference

    # The key worker starts the plan: the identified need is already on it.
    sign_in(page, base, "keyworker", check=False)
    page.goto(f"{base}/families/{reference}/")
    page.get_by_role("button", name="Start the plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Single family plan")
    expect(page.get_by_text("These needs have no goal yet")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("Goal", exact=True).fill(f"{child.given_name} goes to school every day")
    page.locator("input[name='needs']").first.check()
    page.get_by_role("button", name="Add goal").click()
    expect(page.get_by_text("These needs have no goal yet")).to_have_count(0)

    # Two agencies take actions; adding them puts them on the team around the family.
    due = today + datetime.timedelta(days=14)
    _add_action(page, "Check in every morning at the school gate", "Hampshire Constabulary", due)
    _add_action(page, "Attendance meeting with the head of year", world.council.name, due)
    assert set(Action.objects.values_list("agency_id", flat=True)) == {
        world.police.pk,
        world.council.pk,
    }
    assert_accessible(page)

    # The family agrees the plan.
    page.goto(f"{base}/families/{reference}/plan/agreement/")
    _fill_date(page, today)
    page.get_by_label(child.full_name).check()
    page.get_by_label("Signed on paper").check()
    page.get_by_role("button", name="Record agreement").click()
    expect(page.get_by_text("The family's agreement to the plan is recorded")).to_be_visible()
    assert Agreement.objects.filter(plan__family=family).exists()
    assert family.plan.status == PlanStatus.AGREED or Agreement.objects.count() == 1
    assert_accessible(page)

    # A review meeting rates the goal.
    page.goto(f"{base}/families/{reference}/plan/reviews/new/")
    page.get_by_label("Summary of the meeting").fill("Attendance is improving")
    # Each goal has a section of its own: open them to rate the goals.
    for summary in page.locator("details.app-review-goal:not([open]) > summary").all():
        summary.click()
    for group in page.get_by_role("group", name=re.compile(r"^How is '.*' going\?")).all():
        group.get_by_label("Some progress").check()
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("Review recorded")).to_be_visible()
    assert Review.objects.filter(plan__family=family).count() == 1
    assert_accessible(page)
    page.context.clear_cookies()

    # The police practitioner finds their action and marks it done.
    sign_in(page, base, "practitioner", check=False)
    page.goto(f"{base}/my-actions/")
    expect(page.get_by_text("Check in every morning at the school gate")).to_be_visible()
    expect(page.get_by_text("Attendance meeting with the head of year")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Update")).first.click()
    page.get_by_label("Done", exact=True).check()
    page.get_by_label("Progress note").fill("Walked in with him every day this fortnight")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Action updated")).to_be_visible()
    police_action = Action.objects.get(agency=world.police)
    assert police_action.status == ActionStatus.DONE
    assert Action.objects.get(agency=world.council).status == ActionStatus.NOT_STARTED
    page.context.clear_cookies()

    # A school practitioner, whose agency is not involved, cannot find the family.
    sign_in(page, base, "other-practitioner", check=False)
    page.goto(f"{base}/families/{reference}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.goto(f"{base}/search/?q={child.family_name}")
    assert reference not in page.content()
