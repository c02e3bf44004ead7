"""Hand-built families for the programme reporting tests: each fact a figure reads is
written directly, dated as the test needs (identified, attached, plan agreed, claim
accepted, results on a day)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from agencies.models import LCG, User
from families.models import Family, FamilyStatusChange
from families.states import FamilyStatus
from outcomes.assessment.services import framework_versions_ensure
from outcomes.models import (
    Attachment,
    Claim,
    ClaimBatch,
    ClaimBatchChange,
    ClaimBatchStatus,
    ClaimStatus,
    FrameworkVersion,
    Readiness,
    Result,
)
from plans.models import Agreement, AgreementMethod, Need, NeedSource, Plan, PlanStatus
from tests.factories import FamilyFactory, MembershipFactory, UserFactory

UTC = datetime.UTC


def someone() -> User:
    user = User.objects.filter(username="reporting-tests").first()
    return user or UserFactory(username="reporting-tests")


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=UTC)


def family(lcg: LCG | None, *, track: str = "", identified: datetime.date | None = None) -> Family:
    """A family in ``lcg`` on ``track``, first identified on ``identified`` (its status
    history's first entry, as ``families.services.family_create`` writes it)."""
    made = FamilyFactory(lcg=lcg, track=track, status=FamilyStatus.IDENTIFIED)
    MembershipFactory(family=made)
    at = noon(identified) if identified else timezone.now()
    FamilyStatusChange.objects.create(
        family=made,
        from_status="",
        to_status=FamilyStatus.IDENTIFIED,
        reason="Identified",
        actor=someone(),
        created_at=at,
    )
    return made


def version(framework: str = "sf2022") -> FrameworkVersion:
    framework_versions_ensure()
    return FrameworkVersion.objects.filter(framework=framework).order_by("version").first()


def attach(
    made: Family,
    on: datetime.date,
    *,
    framework: str = "sf2022",
    criteria: dict[str, Any] | None = None,
) -> Attachment:
    return Attachment.objects.create(
        family=made,
        framework=framework,
        framework_version=version(framework),
        attached_on=on,
        eligible_at_entry=True,
        entry_criteria=criteria or {},
        created_by=someone(),
        created_at=timezone.now(),
    )


def plan_agreed(made: Family, *on: datetime.date) -> Plan:
    """A plan the family agreed on each of ``on`` (none: a draft never agreed)."""
    by = someone()
    plan = Plan.objects.create(
        family=made,
        status=PlanStatus.AGREED if on else PlanStatus.DRAFT,
        created_by=by,
        created_at=timezone.now(),
        updated_by=by,
        updated_at=timezone.now(),
    )
    for number, day in enumerate(on, 1):
        Agreement.objects.create(
            plan=plan,
            plan_version=number,
            agreed_on=day,
            method=AgreementMethod.VERBAL,
            recorded_by=by,
            recorded_at=timezone.now(),
        )
    return plan


def batch(status: str, *, accepted_at: datetime.datetime | None = None) -> ClaimBatch:
    """A claim batch at ``status``; an accepted one moved from submitted to accepted at
    ``accepted_at``."""
    made = ClaimBatch.objects.create(
        window_start=datetime.date(2024, 1, 1),
        window_end=datetime.date(2024, 3, 31),
        status=status,
        created_by=someone(),
        created_at=timezone.now(),
    )
    if accepted_at is not None:
        ClaimBatchChange.objects.create(
            batch=made,
            from_status=ClaimBatchStatus.SUBMITTED,
            to_status=ClaimBatchStatus.ACCEPTED,
            actor=someone(),
            created_at=accepted_at,
        )
    return made


def claim(
    made: Family,
    in_batch: ClaimBatch,
    *,
    claim_date: datetime.date,
    status: str = ClaimStatus.PROPOSED,
    route: str = "outcomes",
    made_at: datetime.datetime | None = None,
) -> Claim:
    """A claim in ``in_batch``, made at ``made_at`` (noon on the claim date unless
    given)."""
    return Claim.objects.create(
        batch=in_batch,
        family=made,
        framework="sf2022",
        framework_version=version(),
        route=route,
        claim_date=claim_date,
        amount="800.00",
        snapshot={},
        snapshot_sha256="x",
        status=status,
        created_at=made_at or noon(claim_date),
    )


def result(
    made: Family, as_of: datetime.date, *, route: str, readiness: str = Readiness.CLAIMABLE
) -> Result:
    """A stored result judged on ``as_of``; the family's earlier ones stop being current."""
    Result.objects.filter(family=made, is_current=True).update(is_current=False)
    return Result.objects.create(
        family=made,
        framework="sf2022",
        framework_version=version(),
        as_of=as_of,
        route=route,
        readiness=readiness,
        fingerprint=f"{as_of}{route}",
        evaluated_at=noon(as_of),
    )


def need(
    made: Family, code: str, label: str, on: datetime.date, closed: datetime.date | None = None
) -> Need:
    return Need.objects.create(
        family=made,
        code=code,
        label=label,
        source=NeedSource.ASSESSMENT,
        framework="sf2022",
        identified_on=on,
        closed_on=closed,
        created_by=someone(),
        created_at=timezone.now(),
    )
