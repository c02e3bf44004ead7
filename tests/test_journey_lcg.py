"""Journey: an LCG coordinator's week, in real Chromium with axe-core on every page.

The coordinator opens the LCG dashboard, accepts a family an agency nominated, allocates
it on the local track to the key worker with the lightest caseload, nominates another
family to intensive support (the provider accepts it and becomes the lead agency), runs a
meeting whose decision appears in a family's plan, and closes it: the police attendee,
whose agency works with none of the agenda's families, could see the family only while
the meeting was open. The coordinator of another LCG sees none of it.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from families.access.services import lawful_basis_record
from families.grants_models import LawfulBasisKind
from families.models import Family, Track
from families.states import FamilyStatus
from lcgs.intensive.models import IntensiveNomination, IntensiveNominationStatus
from lcgs.meetings.models import Meeting, MeetingDecision
from lcgs.tests.intensive_support import intensive
from lcgs.tests.meetings_support import invite_police, sees, with_plan
from plans.models import Action
from tests.browser import assert_accessible
from tests.factories import FamilyFactory, MembershipFactory
from tests.support.screening import nomination_add
from tests.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_date(page: Page, day: datetime.date) -> None:
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


def _as(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context(java_script_enabled=True).new_page()
    sign_in(page, base, username, check=False)
    return page


def test_a_coordinator_allocates_nominates_and_runs_a_meeting(
    live_server: LiveServer, world: World, page: Page, browser: Browser
) -> None:
    base = live_server.url
    # A family the police nominated to Winchester's LCG, waiting for screening.
    nominated = FamilyFactory(lcg=world.winchester, status=FamilyStatus.IDENTIFIED)
    MembershipFactory(family=nominated, person__given_name="Alex", person__family_name="Nolan")
    nomination_add(nominated, world.practitioner, reason="Police called to the home weekly")
    # A screened family for intensive support, a provider with places, and own_family with
    # a plan for the meeting to add to; the police practitioner may attend the meetings.
    support = intensive(world)
    screened = support.family
    _plan, goal, _restricted = with_plan(world)
    lawful_basis_record(
        actor=world.keyworker.user,
        family=world.own_family,
        kind=LawfulBasisKind.STATUTORY_GATEWAY,
        gateway="Children Act 1989 section 17",
        given_on=timezone.localdate(),
    )
    invite_police(world)
    # The other key worker already leads two open families; the key worker leads one.
    for _ in range(2):
        FamilyFactory(
            status=FamilyStatus.ENGAGED,
            lead_agency=world.council,
            lead_professional=world.other_keyworker,
        )
    keyworker = world.keyworker.display_name

    # The dashboard: the nomination is waiting for a decision.
    sign_in(page, base, "coordinator", check=False)
    page.goto(f"{base}/lcg-dashboard/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("LCG dashboard")
    assert_accessible(page)

    # The coordinator accepts the nominated family.
    page.goto(f"{base}/screening/")
    expect(page.get_by_role("cell", name="Nominated by Hampshire Constabulary")).to_be_visible()
    page.get_by_role("link", name=re.compile(str(nominated.reference))).click()
    page.get_by_label("Eligible: move to screened").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text(f"{nominated.reference} is screened")).to_be_visible()
    assert_accessible(page)

    # ...and allocates it on the local track, choosing the key worker by workload.
    page.goto(f"{base}/families/{nominated.reference}/")
    page.get_by_role("link", name="Allocate the family").click()
    page.get_by_label("Local", exact=True).check()
    page.get_by_label("Lead agency").select_option(label="Early Help Hampshire")
    page.get_by_role("button", name="Show this agency's key workers").click()
    expect(page.get_by_text("Leads 2 open families; 0 open actions")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(f"{keyworker}, Family support worker").check()
    page.get_by_label("Why").fill("Screened at the LCG: police call-outs")
    page.get_by_role("button", name="Allocate", exact=True).click()
    expect(page.get_by_text(f"{nominated.reference} allocated to {keyworker}")).to_be_visible()
    nominated.refresh_from_db()
    assert (nominated.status, nominated.track) == (FamilyStatus.ALLOCATED, Track.LOCAL)
    assert nominated.lead_professional_id == world.keyworker.pk

    # Another family is nominated to intensive support, seeing the places left.
    page.goto(f"{base}/families/{screened.reference}/intensive-support/")
    expect(page.locator("#id_provider_0-hint")).to_contain_text("2 of 2 places left")
    assert_accessible(page)
    page.get_by_label("Intensive Family Support", exact=True).check()
    page.get_by_label("Why does the family need intensive support?").fill(
        "Three exclusions this year and the eviction notice"
    )
    page.get_by_role("button", name="Nominate").click()
    expect(
        page.get_by_text(f"You nominated {screened.reference} to Intensive Family Support")
    ).to_be_visible()

    # The provider accepts it and names its key worker as the lead.
    provider = _as(browser, base, "ifss-worker")
    provider.goto(f"{base}/intensive-support/provider/")
    provider.get_by_role("link", name=screened.reference).first.click()
    expect(provider.get_by_text("Three exclusions this year")).to_be_visible()
    assert_accessible(provider)
    provider.get_by_role("button", name="Accept the family").click()
    provider.get_by_label(support.provider_worker.display_name).check()
    provider.get_by_role("button", name="Accept").click()
    expect(provider.get_by_text(f"You accepted {screened.reference}")).to_be_visible()
    assert_accessible(provider)
    provider.context.close()
    screened.refresh_from_db()
    assert (screened.track, screened.lead_agency_id) == (Track.INTENSIVE, support.provider.pk)
    assert IntensiveNomination.objects.get().status == IntensiveNominationStatus.ACCEPTED

    # A meeting that has started, with the police practitioner attending.
    started = timezone.localtime() - datetime.timedelta(minutes=5)
    page.get_by_role("link", name="Caseload", exact=True).click()
    page.get_by_role("link", name="LCG meetings", exact=True).click()
    page.get_by_role("link", name="Create a meeting").click()
    _fill_date(page, started.date())
    page.get_by_label("Time it starts").fill(started.strftime("%H:%M"))
    page.get_by_label("Where").fill("Winchester Guildhall")
    page.get_by_role("button", name="Create the meeting").click()
    meeting = Meeting.objects.get()
    # Creating the meeting asks who is coming, offering staff of the LCG's agencies.
    expect(page.get_by_role("heading", level=1)).to_have_text("Who is coming?")
    assert_accessible(page)
    page.get_by_label(re.compile(f"^{world.practitioner.display_name}")).check()
    page.get_by_role("button", name="Save attendees").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Meeting on")
    page.get_by_role("link", name="Add a family").click()
    page.get_by_label("Family reference").fill(world.own_family.reference)
    page.get_by_role("button", name="Add to the agenda").click()
    expect(page.get_by_text(f"Family {world.own_family.reference}")).to_be_visible()
    assert_accessible(page)

    # While the meeting is open, the police attendee can see the agenda family, and knows why.
    assert sees(world.practitioner, world.own_family)
    police = _as(browser, base, "practitioner")
    police.goto(f"{base}/families/{world.own_family.reference}/access/")
    expect(police.get_by_text(re.compile("LCG meeting"))).to_be_visible()
    assert_accessible(police)

    # The decision: a new action for the lead agency, written straight into the plan.
    due = timezone.localdate() + datetime.timedelta(days=14)
    page.get_by_role(
        "link", name=f"Add an action to the plan for {world.own_family.reference}"
    ).click()
    page.get_by_label("Under which goal?").select_option(label=goal.title)
    page.get_by_label("Which agency will do it?").select_option(label="Early Help Hampshire")
    page.get_by_label("What will be done").fill("Neighbourhood officer visits every Friday")
    _fill_date(page, due)
    page.get_by_role("button", name="Record the decision").click()
    expect(
        page.locator("li", has_text="Add an action to the plan: New action for Early Help")
    ).to_contain_text("Neighbourhood officer visits every Friday")
    assert_accessible(page)
    action = Action.objects.get(description="Neighbourhood officer visits every Friday")
    assert action.goal_id == goal.pk
    assert MeetingDecision.objects.get(meeting=meeting).kind == "action"
    page.goto(f"{base}/families/{world.own_family.reference}/plan/")
    expect(
        page.get_by_role("cell", name="Neighbourhood officer visits every Friday", exact=True)
    ).to_be_visible()

    # Closing the meeting ends the police attendee's access to the family.
    page.goto(f"{base}/lcg-meetings/{meeting.pk}/")
    page.get_by_role("link", name="Close the meeting").click()
    page.get_by_role("button", name="Close the meeting").click()
    expect(page.get_by_text(re.compile("Closed on"))).to_be_visible()
    assert_accessible(page)
    meeting.refresh_from_db()
    assert meeting.closed_at is not None
    assert not sees(world.practitioner, world.own_family)
    police.goto(f"{base}/families/{world.own_family.reference}/")
    expect(police.get_by_role("heading", level=1)).to_have_text("Page not found")
    police.context.close()

    # The coordinator of another LCG sees none of it.
    other = _as(browser, base, "other-coordinator")
    other.goto(f"{base}/lcg-dashboard/")
    assert_accessible(other)
    other.goto(f"{base}/lcg-caseload/")
    for family in (nominated, screened, world.own_family):
        assert str(family.reference) not in other.content()
        other.goto(f"{base}/families/{family.reference}/")
        expect(other.get_by_role("heading", level=1)).to_have_text("Page not found")
    other.goto(f"{base}/lcg-meetings/")
    assert "Winchester Guildhall" not in other.content()
    other.goto(f"{base}/lcg-meetings/{meeting.pk}/")
    expect(other.get_by_role("heading", level=1)).to_have_text("Page not found")
    other.context.close()
    assert Family.objects.get(pk=world.own_family.pk).lcg_id == world.winchester.pk
