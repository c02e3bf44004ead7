"""What the programme knows about the work with a family, for its results: the claim
conditions of DOMAIN.md 4.2 and 4.3, read from the case and its plan."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from families.models import Family, FamilyStatusChange, HouseholdMembership
from families.states import FamilyStatus
from outcomes.frameworks.results import Entry, Programme
from outcomes.models import Attachment
from plans.models import Goal, Need, Plan


def programme_conditions(
    family: Family, *, attachment: Attachment, entry: Entry, as_of: date
) -> Programme:
    """The claim conditions for ``family`` on ``as_of``:

    - **key worker**: the family has a named lead professional;
    - **whole-family assessment**: the plan records the family's own view of its life
      (what is working well, the worries, what the family wants to change), which is
      where OnePlan records the whole-family assessment;
    - **plan covering all members / every need**: an agreed plan whose goals name every
      current member (a goal for "the whole family" names everyone) / cover every open
      need;
    - **closed on**: the day the case was last closed (stepped down), while it still is;
    - **added**: needs found during the work (identified after attachment) whose code
      was not met at entry.
    """
    plan = Plan.objects.filter(family=family).first()
    agreed = plan is not None and plan.agreements.filter(agreed_on__lte=as_of).exists()
    whole_family_assessment = plan is not None and all(
        text.strip() for text in (plan.working_well, plan.worries, plan.family_wants)
    )
    covers_members = covers_needs = False
    if plan is not None and agreed:
        goals = Goal.objects.filter(plan=plan)
        members = set(
            HouseholdMembership.objects.filter(family=family, end_date__isnull=True).values_list(
                "person_id", flat=True
            )
        )
        named = set(goals.filter(members__isnull=False).values_list("members", flat=True))
        whole_family_goal = goals.filter(members__isnull=True).exists()
        covers_members = bool(members) and (whole_family_goal or members <= named)
        open_needs = set(
            Need.objects.filter(family=family, closed_on__isnull=True).values_list("pk", flat=True)
        )
        covered = set(goals.filter(needs__isnull=False).values_list("needs", flat=True))
        covers_needs = bool(open_needs) and open_needs <= covered
    closed_on = None
    if family.status == FamilyStatus.CLOSED:
        last = (
            FamilyStatusChange.objects.filter(family=family, to_status=FamilyStatus.CLOSED)
            .order_by("-created_at", "-pk")
            .values_list("created_at", flat=True)
            .first()
        )
        closed_on = timezone.localdate(last if last is not None else family.status_changed_at)
    added = tuple(
        sorted(
            set(
                Need.objects.filter(
                    family=family,
                    identified_on__gt=attachment.attached_on,
                    identified_on__lte=as_of,
                ).values_list("code", flat=True)
            )
            - set(entry.codes)
        )
    )
    return Programme(
        whole_family_assessment=whole_family_assessment,
        plan_covers_all_members=covers_members,
        plan_covers_all_needs=covers_needs,
        key_worker=family.lead_professional_id is not None,
        closed_on=closed_on,
        added=added,
    )
