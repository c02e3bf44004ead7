"""Agreeing the plan with the family: refused while a need has no goal, recorded with
the version agreed, and "changed since agreed" once the plan moves on."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from conftest import World, client_for
from plans.models import Agreement, Plan, PlanStatus, PlanVersion
from plans.plan.services import plan_voice_update
from plans.tests.test_review_support import (
    agreement_form_data,
    build_plan,
    counts,
    date_fields,
    today,
)


def _url(world: World) -> str:
    return reverse("plans:agreement", args=[world.own_family.reference])


def test_the_family_agrees_the_plan_as_it_stands(world: World) -> None:
    pw = build_plan(world)
    version_before = Plan.objects.get(pk=pw.plan.pk).version

    response = client_for(world.keyworker).post(_url(world), agreement_form_data(pw))

    assert response.status_code == 302
    agreement = Agreement.objects.get()
    plan = Plan.objects.get(pk=pw.plan.pk)
    assert plan.status == PlanStatus.AGREED
    assert plan.version == version_before + 1
    assert agreement.plan_version == plan.version
    assert list(agreement.signed_by.all()) == [pw.jordan]
    assert agreement.method == "signed"
    assert agreement.recorded_by == world.keyworker.user
    version = PlanVersion.objects.get(plan=plan, number=plan.version)
    assert version.summary.startswith("Plan agreed with the family on")
    page = client_for(world.keyworker).get(_url(world)).content.decode()
    assert "The family agreed this plan on" in page
    assert "Changed since agreed" not in page


def test_a_change_after_agreement_shows_changed_since_agreed(world: World) -> None:
    pw = build_plan(world)
    client_for(world.keyworker).post(_url(world), agreement_form_data(pw))
    plan = Plan.objects.get(pk=pw.plan.pk)

    plan_voice_update(
        actor=world.keyworker.user,
        plan=plan,
        expected_version=plan.version,
        working_well="Mornings are calmer",
        worries="",
        family_wants="",
    )

    page = client_for(world.practitioner).get(_url(world)).content.decode()
    agreed = f"{today():%-d %B %Y}"
    assert f"The plan has changed since the family agreed it on {agreed}" in page
    assert "What is working well: changed" in page
    api = client_for(world.practitioner).get(
        f"/api/families/{world.own_family.reference}/agreements/"
    )
    assert api.json()["results"][0]["changed_since"] is True


def test_agreement_is_refused_while_a_need_has_no_goal(world: World) -> None:
    # Given the housing need has no goal
    pw = build_plan(world, with_housing_goal=False)
    before = counts()

    page = client_for(world.keyworker).get(_url(world)).content.decode()
    response = client_for(world.keyworker).post(_url(world), agreement_form_data(pw))

    message = "Each need must have a goal before the plan can be agreed: Housing has no goal"
    assert message in page
    assert 'name="method"' not in page  # no form while it cannot be agreed
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before
    assert Plan.objects.get(pk=pw.plan.pk).status == PlanStatus.DRAFT


def test_a_plan_changed_while_the_page_was_open_must_be_agreed_again(world: World) -> None:
    pw = build_plan(world)
    stale = agreement_form_data(pw)
    plan = Plan.objects.get(pk=pw.plan.pk)
    plan_voice_update(
        actor=world.coordinator.user,
        plan=plan,
        expected_version=plan.version,
        working_well="Changed by the coordinator",
        worries="",
        family_wants="",
    )

    response = client_for(world.keyworker).post(_url(world), stale)

    assert response.status_code == 400
    assert "The plan has changed since you opened this page" in response.content.decode()
    assert not Agreement.objects.exists()


def test_the_same_version_cannot_be_agreed_twice(world: World) -> None:
    pw = build_plan(world)
    client_for(world.keyworker).post(_url(world), agreement_form_data(pw))

    again = client_for(world.keyworker).post(_url(world), agreement_form_data(pw))

    assert again.status_code == 400
    assert "already agreed the plan as it stands" in again.content.decode()
    assert Agreement.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"signed_by": []}, "Select who in the family agreed the plan"),
        ({"method": ""}, "Select how the family agreed the plan"),
        (date_fields("agreed_on", None), "Enter the date the family agreed the plan"),
        (
            date_fields("agreed_on", datetime.date.today() + datetime.timedelta(days=2)),
            "The date the family agreed the plan must be today or in the past",
        ),
        ({"signed_by": ["999999"]}, "Select a valid choice"),
    ],
)
def test_bad_input_is_shown_again_and_nothing_is_saved(
    world: World, overrides: dict[str, Any], message: str
) -> None:
    pw = build_plan(world)
    before = counts()

    response = client_for(world.keyworker).post(_url(world), agreement_form_data(pw, **overrides))

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Mum wants to add swimming next time" in html
    assert counts() == before


def test_api_records_and_lists_agreements(world: World) -> None:
    pw = build_plan(world)
    url = f"/api/families/{world.own_family.reference}/agreements/"
    client = client_for(world.coordinator)

    created = client.post(
        url,
        {
            "agreed_on": today().isoformat(),
            "method": "verbal",
            "signed_by": [pw.jordan.pk],
            "expected_version": Plan.objects.get(pk=pw.plan.pk).version,
        },
        content_type="application/json",
    )
    listed = client.get(url)

    assert created.status_code == 201, created.content
    assert created.json()["signed_by"] == [{"id": pw.jordan.pk, "name": "Jordan Ashby"}]
    assert created.json()["changed_since"] is False
    assert listed.json()["count"] == 1


def test_api_refusal_names_the_needs_without_a_goal(world: World) -> None:
    pw = build_plan(world, with_housing_goal=False)

    response = client_for(world.keyworker).post(
        f"/api/families/{world.own_family.reference}/agreements/",
        {"agreed_on": today().isoformat(), "method": "signed", "signed_by": [pw.jordan.pk]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "Each need must have a goal before the plan can be agreed: Housing has no goal"
        ]
    }
