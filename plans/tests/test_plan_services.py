"""Writes to the single family plan: versions, conflicts, the team, needs."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import World
from families.grants_models import TeamMember
from oneplan.errors import ApplicationError
from plans.models import (
    Action,
    ActionProgressNote,
    ActionStatus,
    Goal,
    GoalStatus,
    Need,
    NeedSource,
    Plan,
    PlanVersion,
)
from plans.plan import selectors, services
from plans.tests.test_plan_support import member_of, started_plan
from tests.factories import AgencyFactory, StaffFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
SOON = datetime.timedelta(days=7)


def test_starting_a_plan_records_version_one(world: World) -> None:
    plan = services.plan_get_or_create(actor=world.keyworker.user, family=world.own_family)
    again = services.plan_get_or_create(actor=world.keyworker.user, family=world.own_family)

    assert again.pk == plan.pk
    assert plan.version == 1
    assert list(PlanVersion.objects.filter(plan=plan).values_list("number", "summary")) == [
        (1, "Plan started")
    ]


def test_only_an_editor_can_start_a_plan(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.plan_get_or_create(actor=world.programme_manager.user, family=world.own_family)

    assert not Plan.objects.exists()


def test_every_change_records_a_version_with_a_summary(world: World) -> None:
    setup = started_plan(world)

    summaries = list(
        PlanVersion.objects.filter(plan=setup.plan)
        .order_by("number")
        .values_list("number", "summary")
    )

    assert summaries == [
        (1, "Plan started"),
        (
            2,
            "Needs identified: Children not attending school regularly, "
            "Crime or anti-social behaviour",
        ),
        (3, "Goal added: Jordan goes to school every day"),
        (4, "Action added: Visit school with Jordan each Monday"),
    ]
    assert setup.plan.version == 4
    latest = PlanVersion.objects.get(plan=setup.plan, number=4).snapshot
    assert [g["title"] for g in latest["goals"]] == ["Jordan goes to school every day"]
    assert latest["goals"][0]["actions"][0]["who"] == "Hampshire Constabulary"
    assert {n["code"] for n in latest["needs"]} == {"education", "crime"}


def test_needs_sync_opens_missing_needs_and_never_duplicates_or_closes(world: World) -> None:
    family = world.own_family
    actor = world.keyworker.user
    first = services.needs_identified_open(
        actor=actor,
        identified={family.pk: services.IdentifiedNeeds("tf2", [("education", "Education", [])])},
    )
    again = services.needs_identified_open(
        actor=actor,
        identified={
            family.pk: services.IdentifiedNeeds(
                "tf2", [("crime", "Crime", []), ("education", "Education", [])]
            )
        },
    )
    nothing_new = services.needs_identified_open(
        actor=actor,
        identified={family.pk: services.IdentifiedNeeds("tf2", [("crime", "Crime", [])])},
    )

    assert [n.code for n in first] == ["education"]
    assert [n.code for n in again] == ["crime"]
    assert nothing_new == []
    assert sorted(Need.objects.filter(family=family).values_list("code", flat=True)) == [
        "crime",
        "education",
    ]
    assert all(n.source == NeedSource.ASSESSMENT for n in Need.objects.all())
    assert not Need.objects.filter(closed_on__isnull=False).exists()


def test_version_summaries_never_name_a_restricted_need(world: World) -> None:
    setup = started_plan(world, restricted_need=True)
    abuse = Need.objects.get(code="domestic_abuse")

    services.need_update(
        actor=world.keyworker.user,
        need=abuse,
        expected_version=setup.plan.version,
        label="",
        detail="MARAC referral in May",
        members=[],
        is_closed=False,
    )

    summaries = list(PlanVersion.objects.values_list("summary", flat=True))
    assert "Need changed: a restricted need" in summaries
    assert (
        "Needs identified: Children not attending school regularly, "
        "Crime or anti-social behaviour, 1 restricted need"
    ) in summaries
    assert not any("abuse" in s for s in summaries)


def test_needs_sync_leaves_off_people_who_are_not_in_the_family(world: World) -> None:
    outsider = member_of(world.other_lcg_family)
    insider = member_of(world.own_family)

    (need,) = services.needs_identified_open(
        actor=world.keyworker.user,
        identified={
            world.own_family.pk: services.IdentifiedNeeds(
                "sf2022", [("health", "Health", [insider.pk, outsider.pk])]
            )
        },
    )

    assert list(need.members.all()) == [insider]


def test_an_action_for_an_agency_adds_it_to_the_team_once(world: World) -> None:
    setup = started_plan(world)

    services.action_create(
        actor=world.keyworker.user,
        goal=setup.goal,
        description="Second police visit",
        owner="agency",
        agency=world.police,
        due_on=timezone.localdate() + SOON,
    )

    assert (
        TeamMember.objects.filter(
            family=world.own_family, agency=world.police, removed_at__isnull=True
        ).count()
        == 1
    )


def test_an_action_for_an_agency_without_a_lawful_basis_writes_nothing(world: World) -> None:
    plan = services.plan_get_or_create(actor=world.keyworker.user, family=world.own_family)
    goal = services.goal_create(actor=world.keyworker.user, plan=plan, title="Safe at home")
    version = Plan.objects.get(pk=plan.pk).version

    with pytest.raises(services.NoLawfulBasis) as refused:
        services.action_create(
            actor=world.keyworker.user,
            goal=goal,
            description="Police welfare check",
            owner="agency",
            agency=world.police,
            due_on=timezone.localdate() + SOON,
        )

    assert "consent or a statutory gateway" in refused.value.message
    assert not Action.objects.exists()
    assert not TeamMember.objects.exists()
    assert Plan.objects.get(pk=plan.pk).version == version


def test_a_family_commitment_needs_no_lawful_basis(world: World) -> None:
    plan = services.plan_get_or_create(actor=world.keyworker.user, family=world.own_family)
    goal = services.goal_create(actor=world.keyworker.user, plan=plan, title="Mornings")

    action = services.action_create(
        actor=world.keyworker.user,
        goal=goal,
        description="Alarm clock set for 7",
        owner="family",
        family_member=member_of(world.own_family),
        due_on=timezone.localdate() + SOON,
    )

    assert action.agency is None
    assert not TeamMember.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"owner": "agency"}, "agency", "Select the agency that will do this"),
        ({"owner": "agency", "description": " "}, "description", "Enter what will be done"),
        (
            {"owner": "family", "due_on": datetime.date(2020, 1, 1)},
            "due_on",
            "The due date must be today or in the future",
        ),
    ],
)
def test_action_input_is_checked(
    world: World, kwargs: dict[str, object], field: str, message: str
) -> None:
    plan = services.plan_get_or_create(actor=world.keyworker.user, family=world.own_family)
    goal = services.goal_create(actor=world.keyworker.user, plan=plan, title="Goal")
    arguments: dict[str, object] = {
        "description": "Something",
        "due_on": timezone.localdate() + SOON,
        **kwargs,
    }

    with pytest.raises(ApplicationError) as refused:
        services.action_create(actor=world.keyworker.user, goal=goal, **arguments)

    assert (refused.value.field, refused.value.message) == (field, message)
    assert not Action.objects.exists()


def test_a_named_practitioner_must_work_for_the_agency(world: World) -> None:
    setup = started_plan(world)

    with pytest.raises(ApplicationError) as refused:
        services.action_create(
            actor=world.keyworker.user,
            goal=setup.goal,
            description="Visit",
            owner="agency",
            agency=world.police,
            practitioner=world.other_practitioner,
            due_on=timezone.localdate() + SOON,
        )

    assert refused.value.field == "practitioner"
    assert "does not work for Hampshire Constabulary" in refused.value.message


def test_a_stale_action_save_is_refused_naming_who_and_when(world: World) -> None:
    setup = started_plan(world)
    action = setup.police_action
    with time_machine.travel(datetime.datetime(2026, 3, 3, 10, 42, tzinfo=LONDON)):
        services.action_update(
            actor=world.coordinator.user,
            action=action,
            expected_version=1,
            description="Visit school with Jordan on Mondays and Thursdays",
        )

    with pytest.raises(services.PlanConflict) as conflict:
        services.action_update(
            actor=world.keyworker.user, action=action, expected_version=1, description="Mine"
        )

    coordinator = world.coordinator.user.get_full_name()
    assert conflict.value.message == (
        f"{coordinator} changed this action at 10:42am on 3 March 2026 while you were editing"
    )
    assert conflict.value.changed_by == world.coordinator.user
    saved = Action.objects.get(pk=action.pk)
    assert saved.description == "Visit school with Jordan on Mondays and Thursdays"
    assert saved.version == 2


def test_an_unchanged_save_records_no_version(world: World) -> None:
    setup = started_plan(world)

    services.action_update(
        actor=world.keyworker.user,
        action=setup.police_action,
        expected_version=1,
        description=setup.police_action.description,
    )

    assert Plan.objects.get(pk=setup.plan.pk).version == setup.plan.version
    assert Action.objects.get(pk=setup.police_action.pk).version == 1


def test_a_practitioner_may_change_only_the_status_of_their_agencys_action(world: World) -> None:
    setup = started_plan(world)
    action = setup.police_action

    with pytest.raises(PermissionDenied):
        services.action_update(
            actor=world.practitioner.user, action=action, expected_version=1, description="x"
        )
    updated = services.action_update(
        actor=world.practitioner.user, action=action, expected_version=1, status="in_progress"
    )

    assert updated.status == ActionStatus.IN_PROGRESS
    assert updated.description == "Visit school with Jordan each Monday"
    assert PlanVersion.objects.filter(plan=setup.plan).first().summary == (
        "Action status changed: Visit school with Jordan each Monday is now in progress"
    )


def test_an_action_naming_someone_else_cannot_be_updated_by_a_colleague(world: World) -> None:
    setup = started_plan(world)
    named = StaffFactory(agency=world.police, roles=["agency_practitioner"])
    services.action_update(
        actor=world.keyworker.user,
        action=setup.police_action,
        expected_version=1,
        practitioner=named,
    )

    with pytest.raises(PermissionDenied):
        services.action_update(
            actor=world.practitioner.user,
            action=setup.police_action,
            expected_version=2,
            status="done",
        )

    assert Action.objects.get(pk=setup.police_action.pk).status == ActionStatus.NOT_STARTED


def test_another_agencys_practitioner_cannot_update_an_action(world: World) -> None:
    setup = started_plan(world)

    with pytest.raises(PermissionDenied):
        services.action_progress_note_add(
            actor=world.other_practitioner.user, action=setup.police_action, text="Hello"
        )

    assert not ActionProgressNote.objects.exists()


def test_not_done_needs_a_reason_and_done_sets_the_completion_date(world: World) -> None:
    setup = started_plan(world)
    action = setup.police_action

    with pytest.raises(ApplicationError) as refused:
        services.action_update(
            actor=world.keyworker.user, action=action, expected_version=1, status="not_done"
        )
    done = services.action_update(
        actor=world.keyworker.user, action=action, expected_version=1, status="done"
    )

    assert refused.value.field == "not_done_reason"
    assert done.completed_on == timezone.localdate()


def test_a_stale_progress_update_may_still_add_a_note(world: World) -> None:
    setup = started_plan(world)
    action = setup.police_action
    services.action_update(
        actor=world.keyworker.user, action=action, expected_version=1, status="in_progress"
    )

    services.action_progress_record(
        actor=world.practitioner.user,
        action=action,
        expected_version=1,
        status="in_progress",
        note="Went with Jordan on Monday",
    )
    with pytest.raises(services.PlanConflict):
        services.action_progress_record(
            actor=world.practitioner.user,
            action=action,
            expected_version=1,
            status="done",
            note="Finished",
        )

    assert list(ActionProgressNote.objects.values_list("text", flat=True)) == [
        "Went with Jordan on Monday"
    ]
    assert Action.objects.get(pk=action.pk).status == ActionStatus.IN_PROGRESS


def test_a_stale_voice_save_goes_through_when_the_voice_did_not_change(world: World) -> None:
    setup = started_plan(world)
    started_from = setup.plan.version
    services.goal_create(actor=world.coordinator.user, plan=setup.plan, title="Another goal")

    plan = services.plan_voice_update(
        actor=world.keyworker.user,
        plan=setup.plan,
        expected_version=started_from,
        working_well="We eat together",
        worries="",
        family_wants="",
    )

    assert Plan.objects.get(pk=plan.pk).working_well == "We eat together"


def test_a_stale_voice_save_is_refused_when_someone_changed_the_voice(world: World) -> None:
    setup = started_plan(world)
    started_from = setup.plan.version
    services.plan_voice_update(
        actor=world.coordinator.user,
        plan=setup.plan,
        expected_version=started_from,
        working_well="Coordinator's words",
        worries="",
        family_wants="",
    )
    services.goal_create(actor=world.coordinator.user, plan=setup.plan, title="Later change")

    with pytest.raises(services.PlanConflict) as conflict:
        services.plan_voice_update(
            actor=world.keyworker.user,
            plan=setup.plan,
            expected_version=started_from,
            working_well="Key worker's words",
            worries="",
            family_wants="",
        )

    assert conflict.value.changed_by == world.coordinator.user
    assert "changed the family's voice" in conflict.value.message
    assert Plan.objects.get(pk=setup.plan.pk).working_well == "Coordinator's words"


def test_a_need_edit_conflicts_only_when_that_need_changed(world: World) -> None:
    setup = started_plan(world)
    started_from = setup.plan.version
    services.need_update(
        actor=world.coordinator.user,
        need=setup.crime,
        expected_version=started_from,
        label="",
        detail="Police call-outs twice a month",
        members=[],
        is_closed=False,
    )

    services.need_update(
        actor=world.keyworker.user,
        need=setup.education,
        expected_version=started_from,
        label="",
        detail="Attendance 72%",
        members=[],
        is_closed=False,
    )
    with pytest.raises(services.PlanConflict):
        services.need_update(
            actor=world.keyworker.user,
            need=setup.crime,
            expected_version=started_from,
            label="",
            detail="Something else",
            members=[],
            is_closed=True,
        )

    crime = Need.objects.get(pk=setup.crime.pk)
    assert (crime.detail, crime.closed_on) == ("Police call-outs twice a month", None)
    assert Need.objects.get(pk=setup.education.pk).detail == "Attendance 72%"


def test_a_stale_goal_save_is_refused(world: World) -> None:
    setup = started_plan(world)
    services.goal_update(
        actor=world.coordinator.user,
        goal=setup.goal,
        expected_version=1,
        title="Jordan at school every day",
        description="",
        status=GoalStatus.OPEN,
        needs=[setup.education],
        members=[],
    )

    with pytest.raises(services.PlanConflict):
        services.goal_update(
            actor=world.keyworker.user,
            goal=setup.goal,
            expected_version=1,
            title="Mine",
            description="",
            status=GoalStatus.OPEN,
            needs=[],
            members=[],
        )

    assert Goal.objects.get(pk=setup.goal.pk).title == "Jordan at school every day"


def test_blockers_are_open_needs_without_an_open_goal(world: World) -> None:
    setup = started_plan(world)

    assert selectors.plan_agreement_blockers(setup.plan) == [setup.crime]

    services.goal_update(
        actor=world.keyworker.user,
        goal=setup.goal,
        expected_version=1,
        title=setup.goal.title,
        description="",
        status=GoalStatus.STOPPED,
        needs=[setup.education],
        members=[],
    )
    assert selectors.plan_agreement_blockers(setup.plan) == [setup.education, setup.crime]


def test_a_need_found_during_the_work_keeps_its_headline_code(world: World) -> None:
    setup = started_plan(world)

    abuse = services.need_create(
        actor=world.keyworker.user, plan=setup.plan, kind="domestic_abuse", label="Ex-partner"
    )
    other = services.need_create(
        actor=world.keyworker.user, plan=setup.plan, kind="other", label="Rent arrears!"
    )
    with pytest.raises(ApplicationError) as refused:
        services.need_create(
            actor=world.keyworker.user, plan=setup.plan, kind="education", label="Again"
        )

    assert (abuse.code, abuse.source) == ("domestic_abuse", NeedSource.PRACTITIONER)
    assert other.code == "found_rent_arrears"
    assert "already has an open need of this kind" in refused.value.message


def test_a_need_can_be_closed_and_reopened(world: World) -> None:
    setup = started_plan(world)
    version = setup.plan.version

    closed = services.need_update(
        actor=world.keyworker.user,
        need=setup.crime,
        expected_version=version,
        label="",
        detail="",
        members=[],
        is_closed=True,
    )
    reopened = services.need_update(
        actor=world.keyworker.user,
        need=setup.crime,
        expected_version=version + 1,
        label="",
        detail="",
        members=[],
        is_closed=False,
    )

    assert closed.closed_on == timezone.localdate()
    assert reopened.closed_on is None
    assert list(
        PlanVersion.objects.filter(plan=setup.plan).values_list("summary", flat=True)[:2]
    ) == [
        "Need re-opened: Crime or anti-social behaviour",
        "Need closed: Crime or anti-social behaviour",
    ]


def test_goal_members_must_be_in_the_family(world: World) -> None:
    plan = services.plan_get_or_create(actor=world.keyworker.user, family=world.own_family)

    with pytest.raises(ApplicationError) as refused:
        services.goal_create(
            actor=world.keyworker.user,
            plan=plan,
            title="Goal",
            members=[member_of(world.other_lcg_family)],
        )

    assert refused.value.field == "members"
    assert not Goal.objects.exists()


def test_moving_an_action_to_a_new_agency_adds_that_agency_to_the_team(world: World) -> None:
    setup = started_plan(world)
    housing = AgencyFactory(code="HOUSING", name="Winchester Housing")

    services.action_update(
        actor=world.keyworker.user,
        action=setup.police_action,
        expected_version=1,
        agency=housing,
    )

    assert TeamMember.objects.filter(family=world.own_family, agency=housing).exists()
