"""Every main page fits the screen it is read on, in real Chromium with axe-core.

WCAG 2.2 reflow (1.4.10): at 320 CSS pixels wide nothing may need a sideways scroll of
the page; a data table may become a stacked summary or scroll inside a region of its
own. At desktop widths no column may be hidden behind such a scroll, and no word in a
table is broken in the middle to make the table fit (a family reference is one word
too). The data is the demo's (eleven LCGs, every status, plans with many actions, agency
feeds), with a long name and a long word with no spaces added.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import Count
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from agencies.models import Staff
from agencies.roles import Role
from conftest import World
from families.models import Person
from families.states import OPEN_STATES
from oneplan.site.demo.reference import DEMO_PASSWORD
from oneplan.site.demo.seed import seed_demo
from plans.models import Action, ActionOwner, ActionStatus, Plan
from tests.browser import axe_violations
from tests.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 320
LAPTOP = 1280
DESKTOP = 1920
# A pasted address with no spaces: it must wrap inside the page, in a table or not.
LONG_WORD = (
    "https://www.hampshire.gov.uk/socialcareandhealth/childrenandfamilies/"
    "supportingfamiliesreferralform"
)
LONG_SURNAME = "Featherstonehaugh-Cholmondeley"

# What a page looks like to the test, measured in the browser:
# - scroll_width: the page's width (more than the window's means a sideways scroll);
# - hidden_headers: column and row headers outside the window, or outside the visible
#   part of a box that clips them (a scroll region that would need scrolling);
# - broken_words: words of up to 20 characters in a table broken across lines (a word
#   may still break after a hyphen, a family reference may not break at all).
MEASURE = """() => {
  const viewport = document.documentElement.clientWidth;
  const clippedBy = (el) => {
    const clips = [];
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') clips.push(a);
    }
    return clips;
  };
  const hidden = [];
  for (const th of document.querySelectorAll('main th')) {
    if (th.closest('.govuk-visually-hidden')) continue;
    const r = th.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;
    let out = r.left < -0.5 || r.right > viewport + 0.5;
    for (const clip of clippedBy(th)) {
      const c = clip.getBoundingClientRect();
      const left = c.left + clip.clientLeft;
      if (r.left < left - 0.5 || r.right > left + clip.clientWidth + 0.5) out = true;
    }
    if (out) hidden.push(th.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40));
  }
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent.closest('table') || parent.closest('.govuk-visually-hidden')) continue;
    for (const m of node.data.matchAll(/\\S+/g)) {
      const reference = /^[A-Z]{1,3}-\\d+/.test(m[0]);
      const parts = reference ? [m[0]] : m[0].split(/(?<=-)/);
      let start = m.index;
      for (const part of parts) {
        const word = part.replace(/[,.;:)]+$/, '');
        if (word.length > 1 && word.length <= 20) {
          const range = document.createRange();
          range.setStart(node, start);
          range.setEnd(node, start + word.length);
          const lines = new Set([...range.getClientRects()]
            .filter(rect => rect.width > 0).map(rect => Math.round(rect.top)));
          if (lines.size > 1) broken.push(word);
        }
        start += part.length;
      }
    }
  }
  return {scroll_width: document.documentElement.scrollWidth, viewport,
          tables: document.querySelectorAll('main table').length,
          hidden_headers: hidden, broken_words: [...new Set(broken)].slice(0, 12)};
}"""


@dataclass(frozen=True)
class Demo:
    coordinator: str
    keyworker: str
    reference: str


def demo_with_long_text() -> Demo:
    """The demo's data, and the key worker whose family has the biggest plan."""
    seed_demo(families=1200)
    plan = (
        Plan.objects.filter(family__lead_professional__roles__contains=[Role.FAMILY_SUPPORT_WORKER])
        # A closed family's plan is seeded too, but only open cases are the key worker's.
        .filter(family__status__in=OPEN_STATES)
        .annotate(actions_count=Count("actions"))
        .select_related("family__lead_professional__user", "family__lcg")
        .order_by("-actions_count", "pk")
        .first()
    )
    assert plan is not None
    family = plan.family
    assert family.lead_professional is not None
    assert family.lcg is not None
    action = Action.objects.filter(plan=plan).order_by("due_on", "pk").first()
    assert action is not None
    # The key worker's own action, so that it is on their My actions too.
    Action.objects.filter(pk=action.pk).update(
        description=f"Send the referral to {LONG_WORD} and chase it",
        owner=ActionOwner.AGENCY,
        agency=family.lead_professional.agency,
        practitioner=family.lead_professional,
        status=ActionStatus.IN_PROGRESS,
        completed_on=None,
    )
    Person.objects.filter(memberships__family=family).update(family_name=LONG_SURNAME)
    coordinator = Staff.objects.get(
        lcg_memberships__lcg=family.lcg, lcg_memberships__is_coordinator=True
    )
    return Demo(
        coordinator=coordinator.user.username,
        keyworker=family.lead_professional.user.username,
        reference=family.reference,
    )


def demo_sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)


def layout_problems(page: Page, url: str, width: int) -> dict[str, Any]:
    """What is wrong with a page at one width: an empty dict when nothing is."""
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    seen = page.evaluate(MEASURE)
    # Every page measured has a table with data in it, or the test proves nothing.
    assert seen["tables"] >= 1, url
    problems: dict[str, Any] = {}
    if seen["scroll_width"] > seen["viewport"]:
        problems["page_width"] = seen["scroll_width"]
    if width >= LAPTOP and seen["hidden_headers"]:
        problems["hidden_headers"] = seen["hidden_headers"]
    if seen["broken_words"]:
        problems["broken_words"] = seen["broken_words"]
    if violations := axe_violations(page):
        problems["axe"] = violations
    return problems


def pages_for(demo: Demo) -> dict[str, list[tuple[str, list[int]]]]:
    """Each persona's main pages, and the widths each is read at."""
    family = f"/families/{demo.reference}"
    both = [PHONE, DESKTOP]
    return {
        # The caseload grid, the widest table, on a laptop's screen as well.
        demo.coordinator: [("/caseload/", [PHONE, LAPTOP, DESKTOP]), ("/screening/", both)],
        "pm": [("/caseload/", [PHONE, LAPTOP, DESKTOP]), ("/feeds/", both)],
        demo.keyworker: [
            ("/families/", both),
            # The family with the long surname in the list (the name is a search too).
            (f"/families/?q={LONG_SURNAME}", both),
            ("/my-actions/", both),
            ("/my-families/", both),
            (f"{family}/", both),
            # A 390 px phone as well: the plan was wider than one.
            (f"{family}/plan/", [PHONE, 390, DESKTOP]),
            (f"{family}/plan/print/", both),
        ],
    }


def test_main_pages_fit_a_phone_and_a_wide_screen_without_hiding_columns(
    live_server: LiveServer, page: Page
) -> None:
    demo = demo_with_long_text()
    problems: dict[str, dict[str, Any]] = {}
    states = 0
    for username, pages in pages_for(demo).items():
        page.context.clear_cookies()
        demo_sign_in(page, live_server.url, username)
        for path, widths in pages:
            for width in widths:
                states += 1
                found = layout_problems(page, f"{live_server.url}{path}", width)
                if found:
                    problems[f"{username} {path} at {width}px"] = found
    assert states == 25
    # The key worker signed in last: what makes their pages wide is on them.
    for path, text in [
        (f"/families/{demo.reference}/plan/", LONG_WORD),
        ("/my-actions/", LONG_WORD),
        (f"/families/{demo.reference}/", LONG_SURNAME),
        (f"/families/?q={LONG_SURNAME}", LONG_SURNAME),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("main table").get_by_text(text).count() >= 1, path
    assert problems == {}, json.dumps(problems, indent=2)


NAV_ROWS = """() => new Set([...document.querySelectorAll(
  '.govuk-service-navigation__list > .govuk-service-navigation__item')]
  .map(item => Math.round(item.getBoundingClientRect().top))).size"""


@pytest.mark.parametrize(
    "persona",
    ["keyworker", "practitioner", "coordinator", "programme_manager", "auditor", "dpo", "sysadmin"],
)
@pytest.mark.parametrize("width", [LAPTOP, DESKTOP])
def test_the_service_navigation_is_one_line_on_a_desktop(
    live_server: LiveServer, world: World, page: Page, persona: str, width: int
) -> None:
    staff: Staff = getattr(world, persona)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, staff.user.username, check=False)
    page.wait_for_url(lambda url: "/sign-in/" not in url)
    assert page.locator(".govuk-service-navigation__item").count() >= 2
    assert page.evaluate(NAV_ROWS) == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
