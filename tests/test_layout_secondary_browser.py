"""Every secondary page's tables fit the screen they are read on, in real Chromium.

The same rules as the main pages (tests/test_layout_browser.py, WCAG 2.2 reflow): at 320
CSS pixels nothing needs a sideways scroll of the page, at 1920 no column hides behind a
table's own scroll, no word in a table is broken in the middle, and axe finds nothing.
The pages are the ones each role reaches from the main pages: staff administration,
the access log, emergency access and its review, API tokens, the team around a family,
search, the outcomes framework's preview and versions, feed results, matching,
nominations, a plan's versions, reviews, agreement and an edit that met someone else's.
The data is the demo's, with what people write when they do those things (through the
services, and the emergency access form), with a pasted address in what they type; so
every page measured has the tables it is about, with rows.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from agencies.api_tokens import api_token_issue
from agencies.models import Staff
from agencies.roles import Role
from agencies.services import system_actor
from agencies.staff.services import staff_deactivate
from families.access.access import family_scope
from families.grants_models import BreakGlassAccess
from families.models import Family, Person
from families.states import FamilyStatus
from lcgs.screening.services import nomination_create
from oneplan.jobs import job_run
from outcomes.assessment.outcome_plan import outcome_plan_preview_start
from outcomes.assessment.services import framework_versions_ensure
from outcomes.feeds.services import feed_submission_create, feed_submission_import
from outcomes.frameworks.registry import CRITERIA
from outcomes.matching.pipeline import sources_match
from outcomes.matching.records import SourceIdentity
from outcomes.models import (
    FeedSubmission,
    FrameworkVersion,
    MatchReview,
    MatchReviewStatus,
    SubmissionStatus,
)
from plans.models import Agreement, Plan, Review
from plans.plan.services.voice import plan_voice_update
from tests.browser import axe_violations
from tests.test_layout_browser import (
    DESKTOP,
    LAPTOP,
    LONG_SURNAME,
    LONG_WORD,
    MEASURE,
    PHONE,
    Demo,
    demo_sign_in,
    demo_with_long_text,
    layout_problems,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOTH = [PHONE, DESKTOP]
# What people type into reasons and notes: sentences with a pasted address in them.
PASTED = f"The school's referral is at {LONG_WORD} and they will ring back today"
# A feed with row errors: a day that does not exist, a missing postcode, a formula.
BAD_ROWS = (
    b"record_id,person_id,given_name,family_name,date_of_birth,postcode,incident_date,"
    b"intervention,notes\r\n"
    b"A1,P1,Dean,Ashby,31/02/2010,SO22 4BL,2025-01-01,warning,\r\n"
    b"A2,P2,Kelly,Ashby,1986-04-12,,2025-01-01,=cmd(),\r\n"
)


# A page, and the captions of the tables it is measured for (so a page that lost its
# data, or showed another of its tables, cannot pass unmeasured).
Visit = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Pages:
    """Each persona's secondary pages, in the order they are signed in (what one does
    is on the next one's pages), and what the test made for them."""

    by_persona: dict[str, list[Visit]]
    # Pages whose tables show the pasted address someone typed.
    long_text: frozenset[str]
    voice_url: str


def _staff(username: str) -> Staff:
    return Staff.objects.select_related("user").get(user__username=username)


def _outside_scope(keyworker: Staff, count: int) -> list[Family]:
    """Families being worked with that the key worker cannot see."""
    return list(
        Family.objects.exclude(family_scope(keyworker.user))
        .filter(status=FamilyStatus.PLAN_ACTIVE)
        .order_by("pk")[:count]
    )


def keyworker_uses_emergency_access(page: Page, base: str, demo: Demo) -> None:
    """The key worker opens emergency access to families outside their access as often
    as a day allows, through the form (the page records why in the access log), reads
    them, is refused once more over the limit, and asks for a family they cannot see."""
    keyworker = _staff(demo.keyworker)
    limit = settings.ONEPLAN_BREAK_GLASS_DAILY_LIMIT
    families = _outside_scope(keyworker, limit + 2)
    assert len(families) == limit + 2
    demo_sign_in(page, base, demo.keyworker)
    for n, family in enumerate(families[: limit + 1]):
        page.goto(f"{base}/break-glass/")
        page.get_by_label("Family reference").fill(family.reference)
        page.get_by_label("Immediate risk to a child").check()
        page.get_by_label("Why do you need to see this family now?").fill(PASTED)
        with page.expect_response(lambda r: r.request.method == "POST") as sent:
            page.get_by_role("button", name="Open the family").click()
        # Opened (and shown the family), until the last one: refused over the limit.
        assert sent.value.status == (429 if n == limit else 302), family.reference
        if n < limit:
            page.goto(f"{base}/families/{family.reference}/plan/")
    # Outside their access: refused, and counted on the access log's first page.
    outside = families[limit + 1]
    for path in (f"/families/{outside.reference}/", f"/families/{outside.reference}/plan/"):
        response = page.goto(f"{base}{path}")
        assert response is not None
        assert response.status == 404, path
    page.context.clear_cookies()


def _match_waiting(family: Family) -> int:
    """A police record of a twin of a child in the family: it waits for a decision."""
    child = (
        Person.objects.filter(memberships__family=family, memberships__end_date__isnull=True)
        .order_by("-date_of_birth", "pk")
        .first()
    )
    assert child is not None
    police = Staff.objects.get(user__username="practitioner.police").agency
    summary = sources_match(
        actor=system_actor(),
        agency=police,
        submission=None,
        identities=[
            SourceIdentity(
                source_person_id="HC-2291-TWIN",
                given_name="Maximilian",
                family_name=LONG_SURNAME,
                date_of_birth=child.date_of_birth,
                sex=child.sex,
                address_line_1=family.address.line_1,
                postcode=family.address.postcode,
            )
        ],
        as_of=timezone.localdate(),
    )
    source = summary.sources["HC-2291-TWIN"]
    assert MatchReview.objects.filter(source=source, status=MatchReviewStatus.PENDING).exists()
    return source.pk


def _rejected_feed(pm: Staff) -> int:
    police = Staff.objects.get(user__username="practitioner.police").agency
    submission = feed_submission_create(
        actor=pm.user,
        agency=police,
        kind="asb",
        extract_date=timezone.localdate() - datetime.timedelta(days=1),
        filename="police-asb.csv",
        content=BAD_ROWS,
        valid_rows_only=False,
        start_job=False,
    )
    feed_submission_import(submission=submission)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REJECTED
    return submission.pk


def _outcome_plan_preview(pm: Staff) -> str:
    """A finished preview of the outcomes framework as it is: the two tables of counts."""
    framework_versions_ensure()
    latest = FrameworkVersion.objects.filter(framework="sf2022").order_by("-version").first()
    assert latest is not None
    job = outcome_plan_preview_start(
        actor=pm.user, framework="sf2022", parameters=latest.parameters, based_on=latest.version
    )
    job_run(job_id=str(job.pk))
    return str(job.pk)


def secondary_pages(demo: Demo) -> Pages:
    """What people do that fills the secondary pages, done through the services, and
    the pages each persona reads it on."""
    keyworker = _staff(demo.keyworker)
    coordinator = _staff(demo.coordinator)
    pm = _staff("pm")
    family = Family.objects.select_related("address", "lcg").get(reference=demo.reference)
    plan = Plan.objects.get(family=family)
    reference = f"/families/{demo.reference}"

    # Staff administration: an account deactivated with a reason in words.
    practitioner = Staff.objects.filter(roles__contains=[Role.AGENCY_PRACTITIONER.value])
    leaver = practitioner.exclude(user__username="practitioner.police").order_by("pk").first()
    assert leaver is not None
    staff_deactivate(actor=_staff("sysadmin").user, staff=leaver, reason=PASTED)

    for _ in range(2):
        api_token_issue(actor=keyworker.user, user=keyworker.user)
    api_token_issue(actor=coordinator.user, user=coordinator.user)

    # A nomination of a family waiting to be screened in the coordinator's LCG.
    waiting = (
        Family.objects.filter(lcg=family.lcg, status=FamilyStatus.IDENTIFIED).order_by("pk").first()
    )
    assert waiting is not None
    criteria = [code for code, _ in CRITERIA["sf2022"]][:4]
    nomination_create(actor=coordinator.user, family=waiting, reason=PASTED, criteria=criteria)

    # The family's voice changed since the plan was written: a version 2 to compare.
    plan_voice_update(
        actor=keyworker.user,
        plan=plan,
        expected_version=plan.version,
        working_well=f"Mum says the new routine works. {PASTED}",
        worries=plan.worries,
        family_wants=plan.family_wants,
    )
    plan.refresh_from_db()
    review = Review.objects.filter(plan=plan).order_by("-held_on", "-pk").first()
    assert review is not None
    assert Agreement.objects.filter(plan=plan).exists()

    sourced = (
        Person.objects.filter(memberships__family=family, sources__isnull=False)
        .order_by("pk")
        .first()
    )
    assert sourced is not None
    imported = (
        FeedSubmission.objects.filter(status=SubmissionStatus.IMPORTED).order_by("pk").first()
    )
    assert imported is not None
    emergency = BreakGlassAccess.objects.filter(user=keyworker.user).order_by("pk").first()
    assert emergency is not None
    match = _match_waiting(family)
    rejected = _rejected_feed(pm)
    preview = _outcome_plan_preview(pm)
    staff_page = f"/staff/{leaver.pk}/"
    compare = f"{reference}/plan/versions/compare/?older=1&newer={plan.version}"
    return Pages(
        voice_url=f"{reference}/plan/voice/",
        by_persona={
            demo.keyworker: [
                ("/api-tokens/", ("Tokens that work now",)),
                (f"/search/?q={LONG_SURNAME}", ("Search results",)),
                (f"{reference}/team/", ("Lawful bases", "Agencies on the team")),
                (f"{reference}/plan/versions/", ("Versions, newest first",)),
                (compare, ("The plan and the family's voice", "Actions")),
                (f"{reference}/plan/reviews/", ("Reviews, newest first",)),
                (f"{reference}/plan/reviews/{review.pk}/", ("Progress on each goal",)),
                (f"{reference}/plan/agreement/", ("Agreements, newest first",)),
            ],
            demo.coordinator: [
                ("/nominations/", ("Your nominations",)),
                (f"/families/{waiting.reference}/", ("Nominations of this family",)),
                (f"{reference}/viewers/", ("Who has viewed this family",)),
            ],
            "pm": [
                ("/matching/reviews/", ("Records waiting for a decision",)),
                (f"/matching/reviews/{match}/", ("The agency's record",)),
                (f"/people/{sourced.pk}/sources/", ("Families this person has lived in",)),
                (f"/feeds/{rejected}/", ("What happened to the rows", "Row errors")),
                (f"/feeds/{imported.pk}/", ("What happened to the rows",)),
                ("/outcome-plan/sf2022/versions/", ("Versions of",)),
                (
                    f"/outcome-plan/sf2022/edit/?preview={preview}",
                    ("Families identified", "Families with each"),
                ),
            ],
            "dpo": [
                ("/audit/users/", ("Staff refused access",)),
                (f"/audit/users/?username={demo.keyworker}", ("Access events of",)),
                ("/break-glass/review/", ("Emergency accesses",)),
                ("/break-glass/review/?show=refused", ("Emergency access refused",)),
                (f"/break-glass/review/{emergency.pk}/", ("during the emergency access",)),
                ("/api-tokens/all/", ("API tokens that work now",)),
            ],
            "sysadmin": [
                ("/staff/", ("Staff, by agency and name",)),
                (staff_page, ("Changes to this account",)),
            ],
        },
        long_text=frozenset(
            {
                f"/families/{waiting.reference}/",
                compare,
                f"/audit/users/?username={demo.keyworker}",
                "/break-glass/review/",
                "/break-glass/review/?show=refused",
                staff_page,
            }
        ),
    )


def problems_here(page: Page, width: int) -> dict[str, Any]:
    """What is wrong with the page as it is now (after a form was sent, say)."""
    seen = page.evaluate(MEASURE)
    assert seen["tables"] >= 1, page.url
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


def shows(page: Page, captions: tuple[str, ...], *, long_text: bool) -> None:
    """The page has the tables it is measured for, with the typed text if it should."""
    shown = " | ".join(page.locator("main table caption").all_text_contents())
    for caption in captions:
        assert caption in shown, (page.url, caption, shown)
    if long_text:
        assert page.locator("main table").get_by_text(LONG_WORD).count() >= 1, page.url


def test_secondary_pages_fit_a_phone_and_a_wide_screen_without_hiding_columns(
    live_server: LiveServer, page: Page
) -> None:
    demo = demo_with_long_text()
    base = live_server.url
    keyworker_uses_emergency_access(page, base, demo)
    pages = secondary_pages(demo)
    problems: dict[str, dict[str, Any]] = {}
    states = 0
    for username, visits in pages.by_persona.items():
        page.context.clear_cookies()
        demo_sign_in(page, base, username)
        for path, captions in visits:
            for width in BOTH:
                states += 1
                found = layout_problems(page, f"{base}{path}", width)
                shows(page, captions, long_text=path in pages.long_text)
                if found:
                    problems[f"{username} {path} at {width}px"] = found
        if username == demo.keyworker:
            # Someone else saved the family's voice while the key worker was typing:
            # the page answers 409 with both versions side by side, above the form.
            page.set_viewport_size({"width": PHONE, "height": 900})
            page.goto(f"{base}{pages.voice_url}")
            plan = Plan.objects.get(family__reference=demo.reference)
            plan_voice_update(
                actor=_staff(demo.coordinator).user,
                plan=plan,
                expected_version=plan.version,
                working_well=plan.working_well,
                worries=f"Rent arrears again. {PASTED}",
                family_wants=plan.family_wants,
            )
            page.get_by_label("What we are worried about").fill(f"Arrears. {PASTED}")
            with page.expect_response(lambda r: r.request.method == "POST") as sent:
                page.get_by_role("button", name="Save").click()
            assert sent.value.status == 409
            for width in BOTH:
                states += 1
                page.set_viewport_size({"width": width, "height": 900})
                shows(page, ("and what you typed",), long_text=True)
                if found := problems_here(page, width):
                    problems[f"{username} {pages.voice_url} conflict at {width}px"] = found
    assert states == 54
    assert problems == {}, json.dumps(problems, indent=2)
