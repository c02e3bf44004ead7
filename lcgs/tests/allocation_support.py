"""Test data for allocation: an intensive support provider with a key worker, families
waiting to be allocated, and plan actions naming a practitioner."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import cast

from django.utils import timezone

from agencies.models import Agency, AgencyKind, Staff
from conftest import World
from families.models import Family, FamilyStatusChange, Grant, LeadAssignment
from families.states import FamilyStatus
from plans.models import Action, ActionOwner, ActionStatus, Goal, Plan
from tests.factories import AgencyFactory, FamilyFactory, MembershipFactory, StaffFactory


@dataclass
class Allocating:
    world: World
    provider: Agency
    provider_worker: Staff
    # Screened, in Winchester (the coordinator's LCG), with one member and no lead.
    family: Family


def allocating(world: World) -> Allocating:
    provider = AgencyFactory(
        code="IFSS", name="Intensive Family Support", kind=AgencyKind.INTENSIVE_SUPPORT_PROVIDER
    )
    provider_worker = StaffFactory(
        user__username="ifss-worker",
        user__first_name="Ira",
        user__last_name="Shaw",
        agency=provider,
    )
    return Allocating(
        world=world,
        provider=provider,
        provider_worker=provider_worker,
        family=screened_family(world),
    )


def screened_family(world: World, **kwargs: object) -> Family:
    family = FamilyFactory(**{"lcg": world.winchester, "status": FamilyStatus.SCREENED, **kwargs})
    MembershipFactory(family=family, person__given_name="Sam", person__family_name="Dunne")
    return family


def action_naming(
    staff: Staff,
    *,
    due_on: datetime.date,
    status: ActionStatus = ActionStatus.NOT_STARTED,
    family: Family | None = None,
) -> Action:
    """An agency action naming ``staff``, in ``family``'s plan (a new family if none)."""
    family = family if family is not None else cast(Family, FamilyFactory())
    now = timezone.now()
    actor = staff.user
    plan, _ = Plan.objects.get_or_create(
        family=family,
        defaults={"created_by": actor, "created_at": now, "updated_by": actor, "updated_at": now},
    )
    goal = Goal.objects.create(
        plan=plan,
        title="Goal",
        created_by=actor,
        created_at=now,
        updated_by=actor,
        updated_at=now,
    )
    return Action.objects.create(
        goal=goal,
        plan=plan,
        description="Do something",
        owner=ActionOwner.AGENCY,
        agency=staff.agency,
        practitioner=staff,
        due_on=due_on,
        status=status,
        not_done_reason="Not needed" if status == ActionStatus.NOT_DONE else "",
        created_by=actor,
        created_at=now,
        updated_by=actor,
        updated_at=now,
    )


def snapshot() -> tuple[object, ...]:
    """Every row an allocation writes, to show a refusal changed nothing."""
    return (
        sorted(
            Family.objects.values_list(
                "pk", "status", "track", "lead_agency_id", "lead_professional_id", "attached_on"
            )
        ),
        sorted(LeadAssignment.objects.values_list("pk", "ended_at", "lead_professional_id")),
        sorted(Grant.objects.values_list("pk", "ended_at")),
        sorted(FamilyStatusChange.objects.values_list("pk", flat=True)),
    )
