"""The demo's families are where their journey says they are (DOMAIN.md 4.4): every seeded
family passes the product's own rule (``families.journey``), with its facts gathered in
a few set-based queries for all of them; and the demo feeds show the rows they brought in."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Iterator
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from agencies.models import LCG, AgencyKind
from conftest import built_once, shared_data
from families.grants_models import LawfulBasis
from families.journey import JourneyFacts, journey_problems, journey_requirements
from families.models import Family, FamilyStatusChange, Track
from families.states import TERMINAL_STATES, FamilyStatus
from lcgs.intensive.models import IntensiveNomination, IntensivePlaces
from lcgs.meetings.models import Meeting
from lcgs.money.models import LCGTarget
from oneplan.site.demo.casework_data import DEMO_FEED_NOTE
from oneplan.site.demo.seed import SeedResult, seed_demo
from outcomes.models import Evidence, FeedSubmission
from plans.models import OPEN_ACTION_STATUSES, Action, Agreement, Plan, PlanStatus

TODAY = datetime.date(2025, 6, 30)
FAMILIES = 1000
S = FamilyStatus


def seed() -> SeedResult:
    return seed_demo(families=FAMILIES, seed=11, today=TODAY)


@pytest.fixture(scope="module")
def seeded_once(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[SeedResult]:
    # Seeded once for the module: each test runs in a savepoint rolled back at its end.
    yield from built_once(django_db_blocker, seed)


@pytest.fixture
def seeded(request: pytest.FixtureRequest, seeded_once: SeedResult, db: None) -> SeedResult:
    return shared_data(request, seeded_once)


def journey_facts(today: datetime.date) -> dict[int, tuple[str, JourneyFacts]]:
    """Every family's status and the facts the journey asks about, as of ``today``: a
    query per kind of fact, whatever the number of families."""
    families = list(Family.objects.values_list("pk", "status", "lead_agency_id"))
    in_force = set(
        LawfulBasis.objects.filter(withdrawn_on__isnull=True).values_list("family_id", flat=True)
    )
    recorded = set(LawfulBasis.objects.values_list("family_id", flat=True))
    agreed_once = set(Agreement.objects.values_list("plan__family_id", flat=True))
    agreed_now = set(
        Plan.objects.filter(status=PlanStatus.AGREED, agreements__isnull=False).values_list(
            "family_id", flat=True
        )
    )
    overdue = dict(
        Action.objects.filter(status__in=OPEN_ACTION_STATUSES, due_on__lt=today)
        .values("plan__family_id")
        .annotate(n=Count("pk"))
        .values_list("plan__family_id", "n")
    )
    # The statuses of each family's journey since it was last identified.
    reached: dict[int, set[FamilyStatus]] = {}
    for family_id, to_status in FamilyStatusChange.objects.order_by(
        "family_id", "created_at", "pk"
    ).values_list("family_id", "to_status"):
        if to_status == S.IDENTIFIED:
            reached[family_id] = set()
        reached.setdefault(family_id, set()).add(FamilyStatus(to_status))
    return {
        pk: (
            status,
            JourneyFacts(
                has_lead_agency=lead_agency_id is not None,
                has_lawful_basis=pk in in_force,
                had_lawful_basis=pk in recorded,
                plan_agreed_once=pk in agreed_once,
                plan_agreed_now=pk in agreed_now,
                open_actions_overdue=overdue.get(pk, 0),
                reached=frozenset(reached.get(pk, ())),
            ),
        )
        for pk, status, lead_agency_id in families
    }


@pytest.mark.django_db
def test_every_seeded_family_is_consistent_with_its_journey(seeded: SeedResult) -> None:
    facts = journey_facts(TODAY)
    assert len(facts) == FAMILIES

    problems = {
        pk: found
        for pk, (status, family_facts) in facts.items()
        if (found := journey_problems(status, family_facts))
    }

    assert problems == {}
    # Not vacuous: the demo has every status, and most families have something to show.
    statuses = Counter(status for status, _ in facts.values())
    assert set(statuses) == set(FamilyStatus)
    asked = [pk for pk, (status, f) in facts.items() if journey_requirements(status, f.reached)]
    assert len(asked) > FAMILIES / 2
    # Families that left after each step, so every record a side exit keeps is checked.
    kept = {
        requirement
        for status, f in facts.values()
        if status in TERMINAL_STATES
        for requirement in journey_requirements(status, f.reached)
    }
    assert len(kept) == 3


@pytest.mark.django_db
def test_the_facts_vary_where_the_journey_allows_it(seeded: SeedResult) -> None:
    # The facts gathered above find things where the rule lets them be: work overdue on
    # active plans, draft plans while engaged, consent withdrawn nowhere it is needed.
    facts = journey_facts(TODAY)
    by_status: dict[str, list[JourneyFacts]] = {}
    for status, family_facts in facts.values():
        by_status.setdefault(status, []).append(family_facts)
    assert any(f.open_actions_overdue for f in by_status[S.PLAN_ACTIVE])
    assert any(not f.plan_agreed_once for f in by_status[S.ENGAGED])
    assert not any(f.has_lead_agency for f in by_status[S.IDENTIFIED])
    # Outcomes met and claimed: open work is still to come, never overdue.
    finishing = by_status[S.OUTCOMES_MET] + by_status[S.CLAIMED]
    open_later = Action.objects.filter(
        plan__family__status__in=[S.OUTCOMES_MET, S.CLAIMED], status__in=OPEN_ACTION_STATUSES
    )
    assert finishing and open_later.exists()
    assert not open_later.filter(due_on__lt=TODAY).exists()


@pytest.mark.django_db
def test_most_led_families_have_a_named_lead_professional(seeded: SeedResult) -> None:
    led = Family.objects.filter(lead_agency__isnull=False)
    assert led.exists()
    named = led.filter(lead_professional__isnull=False).count()
    assert named >= 0.9 * led.count()


@pytest.mark.django_db
def test_plans_are_agreed_on_the_day_the_plan_became_active(seeded: SeedResult) -> None:
    # Newest first, so each family's earliest "plan active" is the one kept.
    first_active = {
        family_id: created_at.date()
        for family_id, created_at in FamilyStatusChange.objects.filter(to_status=S.PLAN_ACTIVE)
        .order_by("family_id", "-created_at")
        .values_list("family_id", "created_at")
    }
    agreements = Agreement.objects.values_list("plan__family_id", "agreed_on")
    assert agreements.exists()
    for family_id, agreed_on in agreements:
        assert agreed_on == first_active[family_id]


# -- feeds ----------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_feeds_count_the_rows_they_brought_in(seeded: SeedResult) -> None:
    submissions = list(FeedSubmission.objects.all())
    assert submissions
    evidence = dict(
        Evidence.objects.values("submission_id")
        .annotate(n=Count("pk"))
        .values_list("submission_id", "n")
    )
    for submission in submissions:
        submission.full_clean()
        assert submission.rows_read == evidence[submission.pk] > 0
        assert submission.rows_accepted == submission.rows_read
        assert (submission.rows_updated, submission.rows_rejected) == (0, 0)
        people = Evidence.objects.filter(submission=submission).values("person_id").distinct()
        assert submission.people_matched == people.count() > 0
        assert 0 < submission.families_touched <= submission.people_matched
        assert submission.warnings == [DEMO_FEED_NOTE]


@pytest.mark.django_db
def test_the_feeds_page_shows_rows_read(seeded: SeedResult) -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username="pm"))

    response = client.get(reverse("outcomes:feed-list"))

    assert response.status_code == 200
    html = unescape(response.content.decode())
    # The "Rows read" column: the sixth cell of each row.
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", html, re.S)
    read = [
        int(cells[5])
        for row in rows
        if len(cells := re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)) >= 6
    ]
    assert read
    assert all(n > 0 for n in read)
    detail = client.get(reverse("outcomes:feed-detail", args=[FeedSubmission.objects.first().pk]))
    assert DEMO_FEED_NOTE in unescape(detail.content.decode())


def test_the_demo_lcgs_have_their_work(seeded: SeedResult) -> None:
    """Every led family is on a track (a provider's key worker leads the intensive ones);
    every provider has places, every LCG a target and its next meeting with a proposed
    agenda, and some families wait for a provider's decision."""
    led = Family.objects.filter(lead_agency__isnull=False)
    assert led.exists()
    assert not led.filter(track="").exists()
    assert not Family.objects.filter(lead_agency__isnull=True).exclude(track="").exists()
    intensive = led.filter(track=Track.INTENSIVE)
    assert intensive.exists() and led.filter(track=Track.LOCAL).exists()
    assert not intensive.exclude(lead_agency__kind=AgencyKind.INTENSIVE_SUPPORT_PROVIDER).exists()
    assert set(LCGTarget.objects.values_list("lcg_id", flat=True)) == set(
        LCG.objects.values_list("pk", flat=True)
    )
    assert IntensivePlaces.objects.count() == seeded.rows["lcgs_intensiveplaces"] > 0
    assert IntensiveNomination.objects.filter(status="waiting").count() > 0
    meetings = Meeting.objects.annotate(items=Count("agenda"))
    assert meetings.count() == seeded.rows["lcgs_meeting"] > 0
    assert all(meeting.items > 0 for meeting in meetings)
