"""The LCGs' work in the demo: contracted intensive support places, the LCGs' annual
targets, families waiting for an intensive support provider's decision, and each LCG's
next meeting with the agenda OnePlan proposes.

Written through the services, as a programme manager and each LCG's coordinator would,
after the families, their journeys and their results are in place (the agendas and the
places read them). Small: a handful of rows per LCG whatever the number of families.
"""

from __future__ import annotations

import datetime
import math
import random

from django.db.models import Count, Q
from django.utils import timezone

from agencies.models import LCG, Agency, AgencyKind, Staff, User
from families.models import Family, Track
from families.states import FamilyStatus
from lcgs.intensive.models import IntensiveNomination
from lcgs.intensive.services import intensive_nominate, intensive_places_set
from lcgs.meetings.services import meeting_create
from lcgs.money.selectors import taken_on_q
from lcgs.money.services import lcg_target_set
from outcomes.money.rules import financial_year_of

# Families each LCG nominates to intensive support that wait for the provider's decision.
WAITING_NOMINATIONS_PER_LCG = 2
# Contracted places: room for the families providers lead today and a few more.
PLACES_HEADROOM = 1.2
# Targets a little above what each LCG has done so far this year.
TARGET_STRETCH = 1.25
MEETING_HOUR = 10


def seed_lcg_work(
    *, programme_manager: User, today: datetime.date, rng: random.Random
) -> dict[str, int]:
    """Write the LCGs' work for the demo and return the rows written, by table."""
    year = financial_year_of(today)
    rows = {"lcgs_intensiveplaces": 0, "lcgs_lcgtarget": 0, "lcgs_intensivenomination": 0}
    led = dict(
        Family.objects.filter(track=Track.INTENSIVE)
        .values("lead_agency")
        .annotate(n=Count("pk"))
        .values_list("lead_agency", "n")
    )
    providers = list(
        Agency.objects.filter(kind=AgencyKind.INTENSIVE_SUPPORT_PROVIDER).order_by("pk")
    )
    for provider in providers:
        places = max(5, math.ceil(led.get(provider.pk, 0) * PLACES_HEADROOM))
        intensive_places_set(
            actor=programme_manager, provider=provider, financial_year=year, places=places
        )
        rows["lcgs_intensiveplaces"] += 1
    # Targets a stretch beyond what each LCG has taken on this year, as the grant counts.
    taken_on = dict(
        Family.objects.filter(taken_on_q(year))
        .values("lcg")
        .annotate(n=Count("pk"))
        .values_list("lcg", "n")
    )
    coordinators = _coordinators()
    for lcg in LCG.objects.order_by("pk"):
        families = max(10, math.ceil(taken_on.get(lcg.pk, 0) * TARGET_STRETCH))
        lcg_target_set(
            actor=programme_manager,
            lcg=lcg,
            financial_year=year,
            families_taken_on=families,
            results=max(5, families // 2),
            today=today,
        )
        rows["lcgs_lcgtarget"] += 1
        coordinator = coordinators.get(lcg.pk)
        if coordinator is None:
            continue
        if providers:
            rows["lcgs_intensivenomination"] += _nominate(coordinator, lcg, providers, rng)
        meeting_create(
            actor=coordinator,
            lcg=lcg,
            starts_at=_next_meeting(today, rng),
            location=f"{lcg.name.removesuffix(' LCG')} council offices",
            attendees=list(Staff.objects.filter(user=coordinator)),
        )
    rows["lcgs_meeting"] = len(coordinators)
    return rows


def _coordinators() -> dict[int, User]:
    """Each LCG's first coordinator."""
    found: dict[int, User] = {}
    for staff in (
        Staff.objects.filter(lcg_memberships__is_coordinator=True)
        .select_related("user")
        .order_by("pk")
        .prefetch_related("lcg_memberships")
    ):
        for membership in staff.lcg_memberships.all():
            if membership.is_coordinator:
                found.setdefault(membership.lcg_id, staff.user)
    return found


def _nominate(coordinator: User, lcg: LCG, providers: list[Agency], rng: random.Random) -> int:
    """Nominate a few of the LCG's screened families, still waiting for a lead."""
    screened = (
        Family.objects.filter(lcg=lcg, status=FamilyStatus.SCREENED, track="")
        .filter(~Q(intensive_nominations__status="waiting"))
        .order_by("pk")[:WAITING_NOMINATIONS_PER_LCG]
    )
    written = 0
    for family in screened:
        nomination = intensive_nominate(
            actor=coordinator,
            family=family,
            provider=rng.choice(providers),
            reason="Several agencies are involved and a local key worker has not made "
            "progress: the LCG asks for intensive support.",
        )
        # Demo nominations email nobody: marked as told, the queued notice sends nothing.
        IntensiveNomination.objects.filter(pk=nomination.pk).update(
            provider_notified_at=nomination.nominated_at
        )
        written += 1
    return written


def _next_meeting(today: datetime.date, rng: random.Random) -> datetime.datetime:
    """A weekday morning in the coming fortnight."""
    day = today + datetime.timedelta(days=rng.randint(3, 14))
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(MEETING_HOUR)))
