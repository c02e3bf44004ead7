"""The review form in real Chromium: a review of ten goals fits in a few screens, each
goal's section opening when it is needed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from plans.models import Plan
from plans.plan.services import goal_create
from plans.tests.test_review_support import build_plan
from tests.browser import assert_accessible
from tests.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every goal's rating, comment and actions laid out at once took about 8,500 pixels.
MANAGEABLE_HEIGHT = 4000


def test_a_review_of_ten_goals_is_a_few_screens_long(
    live_server: LiveServer, world: World, page: Page
) -> None:
    pw = build_plan(world)  # three goals, three actions
    plan = Plan.objects.get(pk=pw.plan.pk)
    for n in range(7):
        goal_create(actor=world.keyworker.user, plan=plan, title=f"Goal {n}", needs=[pw.education])
    sign_in(page, live_server.url, "keyworker", check=False)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/families/{world.own_family.reference}/plan/reviews/new/")

    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MANAGEABLE_HEIGHT, height
    assert_accessible(page)
    page.get_by_text("Goal 3: not rated yet").click()
    expect(page.get_by_role("group", name="How is 'Goal 3' going?")).to_be_visible()
    expect(page.get_by_role("group", name="How is 'Goal 4' going?")).to_be_hidden()
