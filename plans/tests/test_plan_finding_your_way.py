"""Finding your way around a plan: the family named where names may be seen, references
kept whole in tables, links between the plan's pages, forms that return where they were
opened from, the add-action form that shows only the owner's fields, and a review form
that stays manageable with ten goals."""

from __future__ import annotations

import re
from html import unescape

from django.urls import reverse

from conftest import World, client_for
from families.models import Family
from families.states import FamilyStatus
from plans.models import Action, Goal, Plan
from plans.plan.services import goal_create
from plans.tests.test_review_support import (
    POLICE_ACTION,
    build_plan,
    date_fields,
    review_form_data,
    today,
)


def _ref(world: World) -> str:
    return world.own_family.reference


def _get(world: World, persona: str, url: str) -> str:
    response = client_for(getattr(world, persona)).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- The family's name, and references that never wrap -----------------------------------


def test_the_plan_page_names_the_family_and_links_to_the_plans_other_pages(
    world: World,
) -> None:
    build_plan(world)
    ref = _ref(world)

    html = _get(world, "practitioner", reverse("plans:plan", args=[ref]))

    assert f'<span class="govuk-caption-l">Ashby family, {ref}</span>' in html
    for name in ("agreement", "review-list", "case-notes", "chronology", "plan-print"):
        assert f'href="{reverse(f"plans:{name}", args=[ref])}"' in html, name


def test_my_families_names_each_family_and_keeps_its_reference_whole(world: World) -> None:
    Family.objects.filter(pk=world.own_family.pk).update(status=FamilyStatus.PLAN_ACTIVE)
    build_plan(world)
    ref = _ref(world)

    html = _get(world, "keyworker", reverse("plans:my-families"))

    assert f'Ashby family, <span class="app-nowrap">{ref}</span>' in html


def test_my_actions_names_each_family_and_keeps_its_reference_whole(world: World) -> None:
    build_plan(world)
    ref = _ref(world)

    html = _get(world, "practitioner", reverse("plans:my-actions"))

    assert f'Ashby family, <span class="app-nowrap">{ref}</span>' in html


# --- Links between pages, and forms that go back where they came from ---------------------


def test_the_blocked_agreement_page_links_to_adding_each_missing_goal(world: World) -> None:
    pw = build_plan(world, with_housing_goal=False)
    ref = _ref(world)
    agreement_url = reverse("plans:agreement", args=[ref])
    add_goal = f"{reverse('plans:goal-add', args=[ref])}?need={pw.housing.pk}&next={agreement_url}"

    page = _get(world, "keyworker", agreement_url)
    form = _get(world, "keyworker", add_goal)
    response = client_for(world.keyworker).post(
        add_goal,
        {
            "title": "A home that is warm and dry",
            "needs": [str(pw.housing.pk)],
            "next": agreement_url,
        },
    )

    assert f'href="{add_goal.replace("&", "&amp;")}"' in page
    # The need arrives ticked, and the page leads back to the agreement.
    assert re.search(rf'<input[^>]*value="{pw.housing.pk}"[^>]*checked', form)
    assert f'<a href="{agreement_url}" class="govuk-back-link">Back to the agreement</a>' in form
    assert response.status_code == 302
    assert response["Location"] == agreement_url
    assert Goal.objects.filter(title="A home that is warm and dry").exists()
    assert 'name="method"' in _get(world, "keyworker", agreement_url)  # now it can be agreed


def test_updating_an_action_from_my_actions_goes_back_to_my_actions(world: World) -> None:
    pw = build_plan(world)
    my_actions = reverse("plans:my-actions") + "?show=open"
    listed = _get(world, "practitioner", my_actions)
    link = re.search(r'href="([^"]*/progress/\?next=[^"]*)"', listed)
    assert link is not None
    update_url = link.group(1).replace("&amp;", "&")

    form = _get(world, "practitioner", update_url)
    response = client_for(world.practitioner).post(
        update_url,
        {"version": str(pw.police_action.version), "status": "in_progress", "note": "Went"},
    )

    assert 'class="govuk-back-link">Back to My actions</a>' in form
    assert response.status_code == 302
    assert response["Location"] == my_actions
    assert Action.objects.get(pk=pw.police_action.pk).status == "in_progress"


def test_a_next_address_outside_the_service_is_ignored(world: World) -> None:
    pw = build_plan(world)
    url = reverse("plans:action-progress", args=[_ref(world), pw.police_action.pk])

    response = client_for(world.practitioner).post(
        url + "?next=https://example.com/",
        {"version": str(pw.police_action.version), "status": "in_progress"},
    )

    assert response["Location"] == reverse("plans:plan", args=[_ref(world)])


# --- The add-action form ------------------------------------------------------------------


def _conditional(html: str, value: str) -> str:
    """The conditional reveal under the owner radio with this value."""
    radio = re.search(rf'<input[^>]*name="owner"[^>]*value="{value}"[^>]*>', html)
    assert radio is not None
    controls = re.search(r'data-aria-controls="([^"]+)"', radio.group(0))
    assert controls is not None
    block = re.search(
        rf'<div class="(govuk-radios__conditional[^"]*)" id="{controls.group(1)}">(.*?)</div>\s*'
        r'(?:<div class="govuk-radios__item">|</div>\s*</fieldset>)',
        html,
        re.S,
    )
    assert block is not None, value
    return block.group(1) + "|" + block.group(2)


def test_the_add_action_form_shows_the_chosen_owners_fields_only(world: World) -> None:
    pw = build_plan(world)
    url = reverse("plans:action-add", args=[_ref(world), pw.goal.pk])

    html = _get(world, "keyworker", url)
    agency, family = _conditional(html, "agency"), _conditional(html, "family")

    # GOV.UK radios with conditional reveal: hidden with JavaScript until chosen, and
    # (GOV.UK Frontend's CSS hides them only when its JavaScript runs) all shown without.
    assert 'data-module="govuk-radios"' in html
    assert agency.startswith("govuk-radios__conditional govuk-radios__conditional--hidden|")
    assert 'name="agency"' in agency and 'name="practitioner"' in agency
    assert 'name="family_member"' not in agency
    assert 'name="family_member"' in family and 'name="agency"' not in family
    # Each practitioner names their agency, so the list can follow the agency chosen.
    assert re.search(
        rf'<option value="{world.practitioner.pk}"[^>]*data-agency="{world.police.pk}"', html
    )

    chosen = client_for(world.keyworker).post(url, {"owner": "family", "description": ""})
    assert _conditional(chosen.content.decode(), "family").startswith("govuk-radios__conditional|")


def test_a_practitioner_from_another_agency_is_refused_with_a_clear_message(
    world: World,
) -> None:
    pw = build_plan(world)
    url = reverse("plans:action-add", args=[_ref(world), pw.goal.pk])
    before = Action.objects.count()

    response = client_for(world.keyworker).post(
        url,
        {
            "description": "Meet at school",
            "owner": "agency",
            "agency": str(world.police.pk),
            "practitioner": str(world.other_practitioner.pk),
            **date_fields("due_on", today()),
        },
    )

    # Generated names can hold an apostrophe (O'Sullivan), which the page escapes.
    name = world.other_practitioner.display_name
    assert response.status_code == 400
    assert (
        f"{name} does not work for Hampshire Constabulary. Select someone who works for "
        "Hampshire Constabulary, or No one named"
    ) in unescape(response.content.decode())
    assert Action.objects.count() == before


# --- The review form ----------------------------------------------------------------------


def test_a_review_of_ten_goals_shows_one_closed_section_per_goal(world: World) -> None:
    pw = build_plan(world)  # three goals
    plan = Plan.objects.get(pk=pw.plan.pk)
    for n in range(7):
        goal_create(actor=world.keyworker.user, plan=plan, title=f"Goal {n}", needs=[pw.education])
    goals = list(Goal.objects.filter(plan=plan))
    assert len(goals) == 10
    url = reverse("plans:review-create", args=[_ref(world)])

    html = _get(world, "keyworker", url)

    sections = re.findall(r'<details class="govuk-details app-review-goal"( open)?>', html)
    assert sections == [""] * 10  # one per goal, all closed
    for goal in goals:  # every rating is in the page, so it works without JavaScript
        assert f'name="rating_{goal.pk}"' in html
    assert f"{POLICE_ACTION}</h3>" in html  # actions still to do sit under their goal


def test_a_goal_that_needs_correcting_is_open(world: World) -> None:
    pw = build_plan(world)
    unrated = pw.goal
    data = review_form_data(pw)
    data.pop(f"rating_{unrated.pk}")

    response = client_for(world.keyworker).post(
        reverse("plans:review-create", args=[_ref(world)]), data
    )

    html = response.content.decode()
    assert response.status_code == 400
    opened = re.findall(
        r'<details class="govuk-details app-review-goal" open>\s*<summary[^>]*>'
        r'<span class="govuk-details__summary-text">([^<:]+):',
        html,
    )
    assert opened == [unrated.title]
