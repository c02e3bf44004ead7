"""Changing a framework's local rules (outcome_plan.py): one save and one preview for the
tf2 Outcome Plan and the sf2022 outcomes framework, by framework code."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from conftest import World
from families.models import Family
from oneplan.errors import ApplicationError
from oneplan.models import Job
from outcomes.assessment import outcome_plan, services
from outcomes.frameworks import sf2022, tf2
from outcomes.frameworks.registry import CRITERIA
from outcomes.models import Assessment, AssessmentQueue, FrameworkVersion
from tests.factories import FamilyFactory, MembershipFactory
from tests.support.assessment import evidence_add

AS_OF = datetime.date(2025, 8, 15)


def _tf2_two_callouts() -> dict[str, Any]:
    plan = tf2.default_parameters()
    plan["criteria"]["crime"] = [
        {"kind": "police_callouts", "count": 2, "months": 12, "codes": ["other"]}
    ]
    return plan


def _sf2022_one_welfare_callout() -> dict[str, Any]:
    """sf2022 with "improved family relationships" found by one welfare call-out, not two."""
    rules = sf2022.default_parameters()
    rules["criteria"]["family_relationships"] = [
        {"kind": "police_callouts", "count": 1, "months": 12, "codes": ["welfare", "other"]}
    ]
    return rules


EDITED = {"tf2": _tf2_two_callouts, "sf2022": _sf2022_one_welfare_callout}


def _preview(
    world: World, framework: str, parameters: dict[str, Any], status: str = "succeeded"
) -> Job:
    """A preview job of these parameters, as the editor starts one, in ``status``."""
    return Job.objects.create(
        kind=services.ASSESSMENT_RUN_JOB,
        status=status,
        parameters={
            "purpose": outcome_plan.PREVIEW_PURPOSE,
            "framework": framework,
            "parameters": parameters,
        },
        started_by=world.programme_manager.user,
    )


@pytest.mark.parametrize("framework", ["tf2", "sf2022"])
def test_saving_makes_a_new_version_of_that_framework_and_queues_every_family(
    world: World, framework: str
) -> None:
    parameters = EDITED[framework]()

    version = outcome_plan.outcome_plan_save(
        actor=world.programme_manager.user,
        framework=framework,
        parameters=parameters,
        change_note="One call-out is enough",
        based_on=1,
        preview=_preview(world, framework, parameters),
    )

    assert (version.framework, version.version) == (framework, 2)
    assert version.created_by == world.programme_manager.user
    assert version.change_note == "One call-out is enough"
    assert version.parameters == EDITED[framework]()
    assert AssessmentQueue.objects.count() == Family.objects.count() == 3
    other = "sf2022" if framework == "tf2" else "tf2"
    assert FrameworkVersion.objects.filter(framework=other).count() == 1


@pytest.mark.parametrize("framework", ["tf2", "sf2022"])
@pytest.mark.parametrize(
    ("who", "note", "based_on", "message"),
    [
        ("keyworker", "Change", 1, "Only programme managers can change the "),
        ("programme_manager", "   ", 1, "Enter what changed and why"),
        ("programme_manager", "Change", 0, "Version 1 was saved while you were editing"),
        ("no preview", "Change", 1, "Preview the changes, and wait for the preview to finish"),
        ("preview running", "Change", 1, "Preview the changes, and wait for the preview"),
        ("other framework's preview", "Change", 1, "Preview the changes, and wait"),
        ("not a preview", "Change", 1, "Preview the changes, and wait"),
        ("other preview", "Change", 1, "after the preview. Preview it again before saving it"),
    ],
)
def test_refused_saves_change_nothing(
    world: World, framework: str, who: str, note: str, based_on: int, message: str
) -> None:
    parameters = EDITED[framework]()
    other = "sf2022" if framework == "tf2" else "tf2"
    preview: Job | None = _preview(world, framework, parameters)
    if who == "no preview":
        preview = None
    elif who == "preview running":
        preview = _preview(world, framework, parameters, status="running")
    elif who == "other framework's preview":
        preview = _preview(world, other, parameters)
    elif who == "not a preview":
        preview = _preview(world, framework, parameters)
        preview.parameters = {**preview.parameters, "purpose": "something_else"}
    elif who == "other preview":
        preview = _preview(world, framework, {**parameters, "eligibility": {}})
    actor = world.programme_manager if " " in who else getattr(world, who)

    with pytest.raises(ApplicationError, match=message):
        outcome_plan.outcome_plan_save(
            actor=actor.user,
            framework=framework,
            parameters=parameters,
            change_note=note,
            based_on=based_on,
            preview=preview,
        )

    assert FrameworkVersion.objects.filter(framework=framework).count() == 1
    assert not AssessmentQueue.objects.exists()


def test_a_framework_without_local_rules_cannot_be_changed_or_previewed(world: World) -> None:
    parameters: dict[str, Any] = {"criteria": {}}

    with pytest.raises(
        ApplicationError, match=r"Troubled Families phase 1 \(2012\) has no local rules"
    ):
        outcome_plan.outcome_plan_save(
            actor=world.programme_manager.user,
            framework="tf1",
            parameters=parameters,
            change_note="Change",
            based_on=1,
            preview=_preview(world, "tf1", parameters),
        )
    with pytest.raises(ApplicationError, match="no local rules"):
        outcome_plan.outcome_plan_preview_start(
            actor=world.programme_manager.user, framework="tf1", parameters={}, based_on=1
        )

    assert not FrameworkVersion.objects.filter(framework="tf1", version=2).exists()
    assert Job.objects.count() == 1  # only the one this test made


@pytest.mark.parametrize(
    ("framework", "message"),
    [
        ("tf2", "criteria.crime needs at least one indicator"),
        ("sf2022", "criteria.housing needs at least one indicator"),
    ],
)
def test_previewing_bad_parameters_is_refused_and_starts_nothing(
    world: World, framework: str, message: str
) -> None:
    parameters = EDITED[framework]()
    parameters["criteria"]["crime" if framework == "tf2" else "housing"] = []

    with pytest.raises(ApplicationError, match=message):
        outcome_plan.outcome_plan_preview_start(
            actor=world.programme_manager.user,
            framework=framework,
            parameters=parameters,
            based_on=1,
        )

    assert not Job.objects.exists()


def _family_with_two_headlines_and_a_welfare_callout() -> Family:
    """A parent on JSA with a mental health need and one welfare call-out, and a child
    of 10: two sf2022 headlines (three with one call-out counting); tf2's worklessness
    and health problems."""
    family = FamilyFactory()
    parent = MembershipFactory(family=family, person__given_name="Alex").person
    MembershipFactory(family=family, person__date_of_birth=datetime.date(2015, 1, 1), role="child")
    evidence_add(parent, "benefits", "2024-03-01", benefit="JSA")
    evidence_add(parent, "health", "2025-01-01", need="mental_health", engaged=False)
    evidence_add(parent, "police_callouts", "2025-02-01", category="welfare")
    return family


def test_sf2022_preview_counts_families_under_each_headline_before_and_after(
    world: World,
) -> None:
    _family_with_two_headlines_and_a_welfare_callout()

    counts = outcome_plan.outcome_plan_preview(
        actor=world.programme_manager.user,
        framework="sf2022",
        parameters=_sf2022_one_welfare_callout(),
        as_of=AS_OF,
    )

    assert (counts.families, counts.under_framework) == (4, 4)
    assert (counts.current_eligible, counts.edited_eligible) == (0, 1)
    assert (counts.newly_identified, counts.no_longer_identified) == (1, 0)
    assert counts.current_by_criterion["family_relationships"] == 0
    assert counts.edited_by_criterion["family_relationships"] == 1
    for headline in ("financial_stability", "health"):
        assert counts.current_by_criterion[headline] == counts.edited_by_criterion[headline] == 1
    assert counts.current_by_criterion["crime"] == counts.edited_by_criterion["crime"] == 0
    assert list(counts.current_by_criterion) == [code for code, _ in CRITERIA["sf2022"]]
    assert not Assessment.objects.exists()


def test_tf2_preview_counts_every_family_and_how_many_are_assessed_under_tf2(
    world: World,
) -> None:
    family = FamilyFactory(attached_on=datetime.date(2016, 5, 1))
    parent = MembershipFactory(family=family, person__given_name="Alex").person
    MembershipFactory(family=family, person__date_of_birth=datetime.date(2015, 1, 1), role="child")
    evidence_add(parent, "benefits", "2024-03-01", benefit="JSA")
    for day in ("2025-02-01", "2025-03-01"):
        evidence_add(parent, "police_callouts", day, category="other")

    counts = outcome_plan.outcome_plan_preview(
        actor=world.programme_manager.user,
        framework="tf2",
        parameters=_tf2_two_callouts(),
        as_of=AS_OF,
    )

    assert counts.as_dict() == {
        "families": 4,
        "assessed under this framework": 1,
        "identified by the current plan": 0,
        "identified by the edited plan": 1,
        "newly identified": 1,
        "no longer identified": 0,
        **{f"{code} identified by the current plan": 0 for code, _ in CRITERIA["tf2"]},
        **{f"{code} identified by the edited plan": 0 for code, _ in CRITERIA["tf2"]},
        "crime identified by the edited plan": 1,
        "worklessness identified by the current plan": 1,
        "worklessness identified by the edited plan": 1,
    }
    assert outcome_plan.PreviewCounts.from_dict(counts.as_dict(), "tf2") == counts
    assert not Assessment.objects.exists()


def test_only_programme_managers_preview(world: World) -> None:
    with pytest.raises(ApplicationError, match="Only programme managers can preview"):
        outcome_plan.outcome_plan_preview(
            actor=world.keyworker.user,
            framework="sf2022",
            parameters=_sf2022_one_welfare_callout(),
            as_of=AS_OF,
        )
    with pytest.raises(ApplicationError, match="Only programme managers can preview"):
        outcome_plan.outcome_plan_preview_start(
            actor=world.keyworker.user,
            framework="sf2022",
            parameters=_sf2022_one_welfare_callout(),
            based_on=1,
        )

    assert not Job.objects.exists()
