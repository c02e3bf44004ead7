"""Test data for the LCG money: families with a dated lead history (track by track) and
accepted claims, written directly so each case's dates are exact."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from agencies.models import LCG, User
from conftest import World
from families.models import Family, LeadAssignment, Track
from lcgs.money.models import LCGGrantRate
from outcomes.assessment.services import framework_versions_ensure
from outcomes.models import (
    Claim,
    ClaimBatch,
    ClaimBatchChange,
    ClaimBatchStatus,
    ClaimStatus,
    FrameworkVersion,
)
from tests.factories import FamilyFactory

LOCAL, INTENSIVE = Track.LOCAL, Track.INTENSIVE


def at(text: str) -> datetime.datetime:
    """A moment in the service's time zone, ``"2025-03-31 23:30"``."""
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def rates_set(year: int, grant: str = "350", reward: str = "450") -> LCGGrantRate:
    rate, _ = LCGGrantRate.objects.update_or_create(
        financial_year=year,
        defaults={
            "grant_per_family": Decimal(grant),
            "reward_per_result": Decimal(reward),
            "source": "Test",
            "updated_at": timezone.now(),
        },
    )
    return rate


def family_with_leads(
    world: World, lcg: LCG, leads: list[tuple[Track, str]], **kwargs: object
) -> Family:
    """A family whose leads held it on ``leads`` (track, from when), each until the
    next; the family's track is the last one's."""
    family = FamilyFactory(lcg=lcg, lead_agency=world.council, track=leads[-1][0], **kwargs)
    actor = world.programme_manager.user
    moments = [at(start) for _, start in leads]
    for index, (track, _start) in enumerate(leads):
        LeadAssignment.objects.create(
            family=family,
            lead_agency=world.council,
            reason="Allocated",
            track=track,
            actor=actor,
            started_at=moments[index],
            ended_at=moments[index + 1] if index + 1 < len(moments) else None,
        )
    # As families.services.family_set_lead keeps it: the first local lead's start.
    local = [
        moment for (track, _), moment in zip(leads, moments, strict=True) if track == Track.LOCAL
    ]
    family.first_local_lead_at = min(local, default=None)
    family.save(update_fields=["first_local_lead_at"])
    return family


def claim_accepted(
    family: Family, accepted: str, *, clawed_back: bool = False, route: str = "outcomes"
) -> Claim:
    """``family``'s claim, in a batch accepted at ``accepted``; clawed back since if
    ``clawed_back``."""
    framework_versions_ensure()
    actor = User.objects.get(username="pm")
    batch = ClaimBatch.objects.create(
        window_start=datetime.date(2024, 1, 1),
        window_end=datetime.date(2024, 3, 1),
        status=ClaimBatchStatus.ACCEPTED,
        created_by=actor,
        created_at=at(accepted) - datetime.timedelta(days=30),
    )
    for from_status, to_status, when in (
        (
            ClaimBatchStatus.DRAFT,
            ClaimBatchStatus.IN_AUDIT,
            at(accepted) - datetime.timedelta(days=20),
        ),
        (
            ClaimBatchStatus.IN_AUDIT,
            ClaimBatchStatus.SUBMITTED,
            at(accepted) - datetime.timedelta(days=10),
        ),
        (ClaimBatchStatus.SUBMITTED, ClaimBatchStatus.ACCEPTED, at(accepted)),
        # A payment recorded later is logged accepted -> accepted: not the acceptance.
        (
            ClaimBatchStatus.ACCEPTED,
            ClaimBatchStatus.ACCEPTED,
            at(accepted) + datetime.timedelta(days=400),
        ),
    ):
        ClaimBatchChange.objects.create(
            batch=batch, from_status=from_status, to_status=to_status, actor=actor, created_at=when
        )
    return Claim.objects.create(
        batch=batch,
        family=family,
        framework="sf2022",
        framework_version=FrameworkVersion.objects.get(framework="sf2022", version=1),
        route=route,
        claim_date=datetime.date(2024, 3, 1),
        amount=Decimal("800.00"),
        snapshot={},
        snapshot_sha256="0" * 64,
        status=ClaimStatus.CLAWED_BACK if clawed_back else ClaimStatus.PROPOSED,
        status_reason="Found invalid on spot check" if clawed_back else "",
        created_at=at(accepted) - datetime.timedelta(days=30),
    )


@dataclass(frozen=True)
class Case:
    """A family's story and the lines of the 2025 to 2026 statement it must be on."""

    name: str
    lcg: str  # "winchester" or "havant"
    leads: list[tuple[Track, str]]
    claim: str | None = None  # when its claim was accepted
    clawed_back: bool = False
    # Lines of the 2025 statement: "grant", "reward", "clawed_back".
    lines: frozenset[str] = frozenset()


G, R, C = "grant", "reward", "clawed_back"
# The statement of financial year 2025 (1 April 2025 to 31 March 2026).
CASES = [
    Case(
        "local from the first moment of the year",
        "winchester",
        [(LOCAL, "2025-04-01 00:00")],
        lines=frozenset({G}),
    ),
    Case("local the last evening of the year before", "winchester", [(LOCAL, "2025-03-31 23:30")]),
    Case(
        "local the last evening of the year",
        "winchester",
        [(LOCAL, "2026-03-31 23:30")],
        lines=frozenset({G}),
    ),
    Case("local the first morning of the next year", "winchester", [(LOCAL, "2026-04-01 00:30")]),
    Case("intensive only", "winchester", [(INTENSIVE, "2025-06-01 10:00")]),
    Case(
        "intensive last year, stepped down to local this year",
        "winchester",
        [(INTENSIVE, "2024-05-01 10:00"), (LOCAL, "2025-07-01 10:00")],
        lines=frozenset({G}),
    ),
    Case(
        "local last year, handed over to another local lead this year",
        "winchester",
        [(LOCAL, "2024-05-01 10:00"), (LOCAL, "2025-07-01 10:00")],
    ),
    Case(
        "local last year, claim accepted this year",
        "winchester",
        [(LOCAL, "2024-05-01 10:00")],
        claim="2025-05-01 12:00",
        lines=frozenset({R}),
    ),
    Case(
        "local last year, claim accepted this year and clawed back",
        "winchester",
        [(LOCAL, "2024-05-01 10:00")],
        claim="2025-05-01 12:00",
        clawed_back=True,
        lines=frozenset({C}),
    ),
    Case(
        "local, then intensive before its claim was accepted",
        "winchester",
        [(LOCAL, "2024-05-01 10:00"), (INTENSIVE, "2025-01-10 10:00")],
        claim="2025-06-01 12:00",
    ),
    Case(
        "taken on and claim accepted the last evening of the year",
        "winchester",
        [(LOCAL, "2025-06-01 10:00")],
        claim="2026-03-31 23:00",
        lines=frozenset({G, R}),
    ),
    Case(
        "claim accepted the first morning of the next year",
        "winchester",
        [(LOCAL, "2024-05-01 10:00")],
        claim="2026-04-01 09:00",
    ),
    Case(
        "Havant: taken on and claim accepted",
        "havant",
        [(LOCAL, "2025-09-01 10:00")],
        claim="2025-11-01 12:00",
        lines=frozenset({G, R}),
    ),
    Case(
        "Havant: taken on, claim clawed back",
        "havant",
        [(LOCAL, "2025-09-01 10:00")],
        claim="2025-12-01 12:00",
        clawed_back=True,
        lines=frozenset({G, C}),
    ),
]


def cases_build(world: World) -> dict[str, Family]:
    """Every case's family, by case name; rates of £350 and £450 for 2024 to 2026."""
    for year in (2024, 2025, 2026):
        rates_set(year)
    families = {}
    for case in CASES:
        lcg = world.winchester if case.lcg == "winchester" else world.havant
        family = family_with_leads(world, lcg, case.leads)
        if case.claim is not None:
            claim_accepted(family, case.claim, clawed_back=case.clawed_back)
        families[case.name] = family
    return families
