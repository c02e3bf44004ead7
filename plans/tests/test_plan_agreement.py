"""One agreement story on every page: the plan page, the family page, the agreement page,
the printed plan (page and PDF), the plan API and My families say the same thing, from
the one rule (``plans.plan.rules.changes_since_agreed``).

Working the plan (a review, an action's status, another agency's progress note) leaves
it agreed; a change to what the family agreed (a due date, who does an action) makes it
"changed since agreed", says what changed, and offers to agree it again.
"""

from __future__ import annotations

import datetime
import importlib
from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse

from conftest import World, client_for
from families.models import Family
from families.states import FamilyStatus
from plans.models import Action, Agreement, Plan, PlanStatus, PlanVersion
from plans.plan import services
from plans.plan.rules import terms_fingerprint
from plans.review.services import GoalRatingInput, review_record
from plans.tests.test_review_support import (
    POLICE_ACTION,
    RESTRICTED_ACTION,
    PlanWorld,
    agreement_form_data,
    build_plan,
    pdf_text,
    today,
)
from plans.work.selectors import attention_family_list_for_user, family_attention_flags

AGREED = "agreed"
CHANGED = "changed"
DRAFT = "draft"


@dataclass(frozen=True)
class Story:
    """What each place says about the agreement, for one viewer."""

    plan_page: str
    family_page: str
    agreement_page: str
    print_page: str
    pdf: str
    api: dict[str, object]
    my_families_flags: list[str]


def _ref(world: World) -> str:
    return world.own_family.reference


def _story(world: World, persona: str = "keyworker") -> Story:
    client = client_for(getattr(world, persona))
    ref = _ref(world)
    now = datetime.datetime.now(datetime.UTC)
    row = attention_family_list_for_user(world.keyworker.user, today=today(), now=now).get(
        pk=world.own_family.pk
    )
    return Story(
        plan_page=client.get(reverse("plans:plan", args=[ref])).content.decode(),
        family_page=client.get(reverse("families:detail", args=[ref])).content.decode(),
        agreement_page=client.get(reverse("plans:agreement", args=[ref])).content.decode(),
        print_page=client.get(reverse("plans:plan-print", args=[ref])).content.decode(),
        pdf=pdf_text(client.get(reverse("plans:plan-pdf", args=[ref])).content),
        api=client.get(f"/api/plans/{ref}/").json()["agreement"],
        my_families_flags=[f.text for f in family_attention_flags(row, today=today(), now=now)],
    )


def _assert_story(story: Story, state: str) -> None:
    """Every place tells the same story: ``state`` is draft, agreed or changed."""
    agreed_on = f"{today().day} {today():%B %Y}"
    assert story.api["status"] == state
    if state == AGREED:
        for page in (story.plan_page, story.family_page, story.agreement_page):
            assert f"The family agreed this plan on {agreed_on}" in page
            assert "Changed since agreed" not in page
        assert f"We agreed this plan on {agreed_on}" in story.print_page
        assert f"We agreed this plan on {agreed_on}" in story.pdf
        assert "Plan changed since agreed" not in story.my_families_flags
        assert "Plan not agreed" not in story.my_families_flags
        assert story.api["changes"] == []
    elif state == CHANGED:
        for page in (story.plan_page, story.family_page, story.agreement_page):
            assert f"The plan has changed since the family agreed it on {agreed_on}" in page
            assert "Changed since agreed" in page
        assert "It has changed since then" in story.print_page
        assert "It has changed since then" in story.pdf
        assert "Plan changed since agreed" in story.my_families_flags
    else:
        assert "The family has not agreed this plan yet" in story.plan_page
        assert "The family has not agreed this plan yet" in story.family_page
        assert "Plan not agreed" in story.my_families_flags


def _agreed_plan(world: World) -> PlanWorld:
    Family.objects.filter(pk=world.own_family.pk).update(status=FamilyStatus.PLAN_ACTIVE)
    pw = build_plan(world)
    response = client_for(world.keyworker).post(
        reverse("plans:agreement", args=[_ref(world)]), agreement_form_data(pw)
    )
    assert response.status_code == 302
    return pw


def _plan(pw: PlanWorld) -> Plan:
    return Plan.objects.get(pk=pw.plan.pk)


def _move_due_date(world: World, action: Action, days: int = 30) -> None:
    action.refresh_from_db()
    services.action_update(
        actor=world.keyworker.user,
        action=action,
        expected_version=action.version,
        due_on=action.due_on + datetime.timedelta(days=days),
    )


def test_working_the_plan_keeps_it_agreed_on_every_page(world: World) -> None:
    # Given the family agreed the plan
    pw = _agreed_plan(world)
    _assert_story(_story(world), AGREED)

    # When the team works it: a review, an action's status and another agency's note
    review_record(
        actor=world.keyworker.user,
        plan=_plan(pw),
        held_on=today(),
        summary="Going well",
        ratings=[GoalRatingInput(g.pk, "some_progress") for g in _plan(pw).goals.all()],
    )
    pw.police_action.refresh_from_db()
    services.action_progress_record(
        actor=world.practitioner.user,
        action=pw.police_action,
        expected_version=pw.police_action.version,
        status="in_progress",
        note="Dropped in after school on Tuesday",
    )
    services.action_progress_note_add(
        actor=world.practitioner.user, action=pw.police_action, text="And again on Thursday"
    )

    # Then the plan moved on several versions, and is still the plan the family agreed
    plan = _plan(pw)
    assert plan.version > Agreement.objects.get().plan_version
    assert plan.status == PlanStatus.AGREED
    _assert_story(_story(world), AGREED)
    _assert_story(_story(world, "practitioner"), AGREED)


def test_a_change_to_what_was_agreed_is_named_everywhere_and_can_be_agreed_again(
    world: World,
) -> None:
    pw = _agreed_plan(world)

    _move_due_date(world, pw.police_action)

    story = _story(world)
    _assert_story(story, CHANGED)
    line = f"Action changed: {POLICE_ACTION} (due date)"
    for text in (story.plan_page, story.agreement_page, story.print_page, story.pdf):
        assert line in text
    assert story.api["changes"] == [line]
    assert _plan(pw).status == PlanStatus.DRAFT
    # The plan page offers to agree it again, the agreement page has the form.
    agree_url = reverse("plans:agreement", args=[_ref(world)])
    assert f'href="{agree_url}">Agree the changed plan with the family</a>' in story.plan_page
    assert 'name="method"' in story.agreement_page
    # Someone who cannot record agreement is told who does.
    practitioner = _story(world, "practitioner")
    _assert_story(practitioner, CHANGED)
    assert "Agree the changed plan with the family" not in practitioner.plan_page
    assert "The lead professional records the family's agreement" in practitioner.plan_page

    response = client_for(world.keyworker).post(agree_url, agreement_form_data(pw))

    assert response.status_code == 302
    assert Agreement.objects.count() == 2
    _assert_story(_story(world), AGREED)


def test_restricted_changes_are_not_named_to_those_outside_the_rule(world: World) -> None:
    pw = _agreed_plan(world)

    _move_due_date(world, pw.restricted_action)

    keyworker, practitioner = _story(world), _story(world, "practitioner")
    line = f"Action changed: {RESTRICTED_ACTION} (due date)"
    _assert_story(keyworker, CHANGED)
    assert line in keyworker.plan_page
    assert keyworker.api["changes"] == [line]
    # The team agency learns the plan changed (every page says so) but not what.
    _assert_story(practitioner, CHANGED)
    for text in (practitioner.plan_page, practitioner.agreement_page, str(practitioner.api)):
        assert RESTRICTED_ACTION not in text
    assert "1 change is to restricted information" in practitioner.plan_page
    assert practitioner.api["changes"] == []
    assert practitioner.api["restricted_changes_hidden"] == 1
    # What the family takes home never names it, whoever prints it.
    assert RESTRICTED_ACTION not in keyworker.print_page
    assert RESTRICTED_ACTION not in keyworker.pdf


def test_the_family_agrees_what_they_were_shown_even_if_the_plan_was_worked_meanwhile(
    world: World,
) -> None:
    pw = build_plan(world)
    shown = agreement_form_data(pw)  # the page opened at this version
    services.action_progress_note_add(
        actor=world.practitioner.user, action=pw.police_action, text="Dropped in"
    )

    response = client_for(world.keyworker).post(
        reverse("plans:agreement", args=[_ref(world)]), shown
    )

    assert response.status_code == 302
    assert _plan(pw).status == PlanStatus.AGREED


def test_the_same_plan_cannot_be_agreed_again_after_only_progress(world: World) -> None:
    pw = _agreed_plan(world)
    services.action_progress_note_add(
        actor=world.practitioner.user, action=pw.police_action, text="Dropped in"
    )

    again = client_for(world.keyworker).post(
        reverse("plans:agreement", args=[_ref(world)]), agreement_form_data(pw)
    )

    assert again.status_code == 400
    assert "already agreed the plan as it stands" in again.content.decode()
    assert Agreement.objects.count() == 1


def test_agreements_api_says_which_agreements_the_plan_has_changed_since(world: World) -> None:
    pw = _agreed_plan(world)
    url = f"/api/families/{_ref(world)}/agreements/"
    services.action_progress_note_add(
        actor=world.practitioner.user, action=pw.police_action, text="Dropped in"
    )
    assert client_for(world.keyworker).get(url).json()["results"][0]["changed_since"] is False

    _move_due_date(world, pw.police_action)

    assert client_for(world.keyworker).get(url).json()["results"][0]["changed_since"] is True


def test_a_plan_marked_agreed_in_bulk_stays_agreed_while_it_is_worked(world: World) -> None:
    # Given an agreed plan loaded without a fingerprint (as the demo seeder loads plans)
    pw = _agreed_plan(world)
    Plan.objects.filter(pk=pw.plan.pk).update(agreed_terms="")

    services.action_progress_note_add(
        actor=world.practitioner.user, action=pw.police_action, text="Dropped in"
    )
    assert _plan(pw).status == PlanStatus.AGREED

    _move_due_date(world, pw.police_action)
    assert _plan(pw).status == PlanStatus.DRAFT


def test_the_data_migration_marks_existing_agreements_by_the_rule(world: World) -> None:
    migration = importlib.import_module("plans.migrations.0003_plan_agreed_terms")
    pw = _agreed_plan(world)
    agreed = PlanVersion.objects.get(plan=pw.plan, number=Agreement.objects.get().plan_version)
    services.action_progress_note_add(
        actor=world.practitioner.user, action=pw.police_action, text="Dropped in"
    )
    # As before the migration: status never went back, and no fingerprint.
    Plan.objects.filter(pk=pw.plan.pk).update(agreed_terms="", status=PlanStatus.DRAFT)

    migration.mark_agreed_terms(apps, None)

    plan = _plan(pw)
    assert plan.agreed_terms == terms_fingerprint(agreed.snapshot)
    assert plan.status == PlanStatus.AGREED

    _move_due_date(world, pw.police_action)
    Plan.objects.filter(pk=pw.plan.pk).update(agreed_terms="", status=PlanStatus.AGREED)

    migration.mark_agreed_terms(apps, None)

    assert _plan(pw).status == PlanStatus.DRAFT


def test_a_plan_never_agreed_says_so_everywhere(world: World) -> None:
    Family.objects.filter(pk=world.own_family.pk).update(status=FamilyStatus.PLAN_ACTIVE)
    build_plan(world)

    story = _story(world)

    _assert_story(story, DRAFT)
    assert "Not agreed yet" in story.print_page
    assert story.api["agreed_on"] is None
