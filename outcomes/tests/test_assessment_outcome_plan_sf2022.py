"""The Supporting Families (2022) outcomes framework in the editor (DOMAIN.md 4.3): the
council's indicators under the ten headlines, edited, previewed and versioned like the
tf2 Outcome Plan, and the pages say which framework new families are assessed under."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.services import system_actor
from conftest import World, client_for
from families.models import Family
from oneplan.jobs import job_run
from oneplan.models import Job, JobStatus
from outcomes.assessment import services
from outcomes.assessment.editable import EDITABLE
from outcomes.assessment.forms import OutcomePlanForm
from outcomes.frameworks import sf2022
from outcomes.models import Assessment, AssessmentQueue, FrameworkPeriod, FrameworkVersion
from plans.headlines import HEADLINES
from tests.factories import FamilyFactory, MembershipFactory
from tests.support.assessment import evidence_add

LIST = reverse("outcomes:outcome-plan")
DETAIL = reverse("outcomes:outcome-plan-detail", args=["sf2022"])
EDIT = reverse("outcomes:outcome-plan-edit", args=["sf2022"])
VERSIONS = reverse("outcomes:outcome-plan-versions", args=["sf2022"])
VERSION_1 = reverse("outcomes:outcome-plan-version", args=["sf2022", 1])
PAGES = [LIST, DETAIL, EDIT, VERSIONS, VERSION_1]


def _form_data(parameters: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    """What the browser would post for sf2022 ``parameters``, with ``changes`` applied
    (None removes a field, as an unticked box or an emptied list)."""
    form = OutcomePlanForm(
        editor=EDITABLE["sf2022"],
        parameters=parameters or sf2022.default_parameters(),
        based_on=1,
    )
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value in (False, None):
            continue
        else:
            data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def _snapshot() -> tuple[Any, ...]:
    return (
        sorted(FrameworkVersion.objects.values_list("framework", "version")),
        Job.objects.count(),
        AssessmentQueue.objects.count(),
        Assessment.objects.count(),
    )


# -- who may use it ---------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_programme_manager_sees_each_page(world: World, url: str) -> None:
    response = client_for(world.programme_manager).get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["keyworker", "coordinator", "auditor", "dpo", "sysadmin"])
def test_other_roles_are_refused_every_page(world: World, url: str, who: str) -> None:
    services.framework_versions_ensure()
    before = _snapshot()

    response = client_for(getattr(world, who)).get(url)

    assert response.status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("action", ["preview", "save"])
@pytest.mark.parametrize("who", ["anonymous", "keyworker", "coordinator", "auditor", "sysadmin"])
def test_others_cannot_preview_or_save_and_nothing_changes(
    world: World, who: str, action: str
) -> None:
    services.framework_versions_ensure()
    before = _snapshot()
    client = Client() if who == "anonymous" else client_for(getattr(world, who))

    response = client.post(EDIT, _form_data(action=action, change_note="Sneaky"))

    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 403
    assert _snapshot() == before


# -- the pages ------------------------------------------------------------------------


def test_framework_page_lists_the_ten_headlines_and_their_indicators(world: World) -> None:
    html = client_for(world.programme_manager).get(DETAIL).content.decode()

    assert '<h1 class="govuk-heading-l">Supporting Families outcomes framework</h1>' in html
    for _, label in HEADLINES:
        assert label in html
    assert "At least 2 police call-outs (welfare or other) in the last 12 months" in html
    assert "At least 3 of 10, and dependent children or an expectant parent" in html
    assert "A family is identified when it has needs under at least 3 of the ten headlines" in html
    assert "Change the outcomes framework" in html


def test_pages_name_the_framework_new_families_are_assessed_under(world: World) -> None:
    client = client_for(world.programme_manager)

    for url in (LIST, DETAIL, EDIT):
        html = client.get(url).content.decode()
        assert "New families are assessed under Supporting Families (2022)" in html
    detail = client.get(DETAIL).content.decode()
    assert "Changes to the outcomes framework apply to them" in detail
    assert "govuk-warning-text" not in detail


def test_the_statement_follows_the_framework_periods_the_assessment_uses(world: World) -> None:
    # A council that (for argument's sake) went back to tf2 from today: the assessment's
    # chooser reads the periods, and so do the pages.
    FrameworkPeriod.objects.create(framework="tf2", starts_on=timezone.localdate())
    client = client_for(world.programme_manager)

    listing = client.get(LIST).content.decode()
    detail = client.get(DETAIL).content.decode()

    assert "New families are assessed under Troubled Families phase 2 (2015)." in listing
    assert (
        "New families are assessed under Troubled Families phase 2 (2015), not Supporting "
        "Families (2022). Changes to the outcomes framework affect only families taken on "
        "while Supporting Families (2022) was in force." in detail
    )


def test_editor_offers_each_headline_with_its_indicators_ticked(world: World) -> None:
    response = client_for(world.programme_manager).get(EDIT)

    form = response.context["form"]
    html = response.content.decode()
    assert [section.label for section in form.sections()] == [label for _, label in HEADLINES]
    assert "How many of the ten headlines a family needs to be identified" in html
    assert form["min_needs"].value() == 3
    assert form["family_relationships__police_callouts__on"].value() is True
    assert form["family_relationships__police_callouts__count"].value() == 2
    assert form["housing__rent_arrears__on"].value() is False


def test_unchanged_form_gives_back_the_defaults(world: World) -> None:
    form = OutcomePlanForm(_form_data(action="preview"), editor=EDITABLE["sf2022"], parameters=None)

    assert form.is_valid(), form.errors
    assert (
        form.parameters(sf2022.default_parameters())
        == sf2022.parse_parameters(sf2022.default_parameters()).to_json()
    )


@pytest.mark.parametrize(
    ("changes", "message", "kept"),
    [
        ({"min_needs": ""}, "Enter how many headlines a family needs to be identified", ""),
        ({"min_needs": "0"}, "How many headlines a family needs must be between 1 and 10", "0"),
        ({"min_needs": "11"}, "How many headlines a family needs must be between 1 and 10", "11"),
        ({"min_needs": "-1"}, "How many headlines a family needs must be between 1 and 10", "-1"),
        (
            {"min_needs": "three"},
            "How many headlines a family needs must be a whole number",
            "three",
        ),
        (
            {"housing__housing_event__on": None},
            "Select at least one indicator for “secure housing”",
            "",
        ),
        (
            {"family_relationships__police_callouts__months": "-3"},
            "Police call-outs: months to look back must be between 1 and 60 (under “improved "
            "family relationships”)",
            "-3",
        ),
        (
            {"family_relationships__police_callouts__months": "61"},
            "Police call-outs: months to look back must be between 1 and 60 (under “improved "
            "family relationships”)",
            "61",
        ),
        (
            {"family_relationships__police_callouts__months": ""},
            "Enter police call-outs: months to look back (under “improved family relationships”)",
            "",
        ),
        (
            {"family_relationships__police_callouts__count": "0"},
            "Police call-outs: at least how many must be between 1 and 100 (under “improved "
            "family relationships”)",
            "0",
        ),
        (
            {"education__unauthorised_absence__percent": "0"},
            "The percentage for unauthorised absence from school must be between 0.1 and 100",
            "0",
        ),
        (
            {"education__unauthorised_absence__percent": "100.1"},
            "The percentage for unauthorised absence from school must be between 0.1 and 100",
            "100.1",
        ),
        (
            {"education__unauthorised_absence__terms": "10"},
            "Unauthorised absence from school: over how many terms must be between 1 and 9",
            "10",
        ),
        (
            {"education__exclusions__terms": "0"},
            "Exclusions from school: over how many terms must be between 1 and 9",
            "0",
        ),
        (
            {"health__health_need__codes": None},
            "Select at least one option for mental health, substance misuse or perinatal "
            "need (under “improved mental and physical health”)",
            "",
        ),
        (
            {"early_years__early_help__min_age": "5"},
            "Early help: the youngest age must not be more than the oldest (under “good "
            "early years development”)",
            "5",
        ),
    ],
)
def test_bad_settings_get_a_specific_message_and_keep_what_was_typed(
    world: World, changes: dict[str, Any], message: str, kept: str
) -> None:
    services.framework_versions_ensure()
    before = _snapshot()

    response = client_for(world.programme_manager).post(
        EDIT, _form_data(action="preview", **changes)
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert message in html
    if kept:
        assert f'value="{kept}"' in html
    assert _snapshot() == before


def test_boundary_values_are_accepted(world: World) -> None:
    data = _form_data(
        action="preview",
        min_needs="10",
        education__unauthorised_absence__percent="100",
        education__unauthorised_absence__terms="9",
        family_relationships__police_callouts__months="60",
        family_relationships__police_callouts__count="100",
        crime__proven_offence__min_age="0",
        crime__proven_offence__max_age="0",
    )

    response = client_for(world.programme_manager).post(EDIT, data)

    assert response.status_code == 302
    parameters = Job.objects.get().parameters["parameters"]
    assert parameters["eligibility"] == {"min_needs": 10}
    assert parameters["criteria"]["education"][0] == {
        "kind": "unauthorised_absence",
        "percent": 100,
        "terms": 9,
    }


# -- preview, save, and what a saved version changes ------------------------------------


def _family_needing_a_third_headline(today: datetime.date) -> Family:
    """A parent on JSA with a mental health need and one welfare call-out, and a child:
    needs under two headlines (financial stability, health), so not eligible under the
    defaults; one call-out is short of the two "improved family relationships" needs."""
    family = FamilyFactory()
    parent = MembershipFactory(family=family, person__given_name="Alex").person
    MembershipFactory(family=family, person__date_of_birth=datetime.date(2015, 1, 1), role="child")
    evidence_add(parent, "benefits", today - datetime.timedelta(days=400), benefit="JSA")
    evidence_add(parent, "health", today - datetime.timedelta(days=60), need="mental_health")
    evidence_add(parent, "police_callouts", today - datetime.timedelta(days=30), category="welfare")
    return family


def test_saved_version_changes_an_sf2022_familys_eligibility_on_the_next_assessment(
    world: World,
) -> None:
    today = timezone.localdate()
    family = _family_needing_a_third_headline(today)
    services.assessment_families_run(actor=system_actor(), family_ids=[family.pk], as_of=today)
    before = Assessment.objects.get(family=family, is_current=True)
    assert (before.framework, before.eligible, before.met_count) == ("sf2022", False, 2)
    client = client_for(world.programme_manager)
    data = _form_data(family_relationships__police_callouts__count="1")

    # Preview: a background job, then the headline counts before and after.
    started = client.post(EDIT, {**data, "action": "preview"})
    job = Job.objects.get()
    assert started["Location"] == f"{EDIT}?preview={job.pk}"
    assert job.parameters["framework"] == "sf2022"
    job_run(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    page = client.get(started["Location"])
    html = page.content.decode()
    assert "Families with each headline, before and after your changes" in html
    rows = {
        label: (before_n, after_n)
        for label, before_n, after_n in page.context["preview"]["criteria"]
    }
    assert rows["Improved family relationships"] == (0, 1)
    assert rows["Financial stability"] == (1, 1)
    assert page.context["preview"]["counts"].newly_identified == 1

    # Save: version 2, with who, when and why in the version history.
    saved = client.post(
        EDIT,
        {**data, "action": "save", "preview": str(job.pk), "change_note": "One call-out"},
    )
    assert saved.status_code == 302
    assert saved["Location"] == DETAIL
    assert "Version 2 of the outcomes framework is saved" in client.get(DETAIL).content.decode()
    version = FrameworkVersion.objects.get(framework="sf2022", version=2)
    assert (version.created_by, version.change_note) == (
        world.programme_manager.user,
        "One call-out",
    )
    assert not FrameworkVersion.objects.filter(framework="tf2", version=2).exists()
    history = client.get(VERSIONS).content.decode()
    assert "One call-out" in history
    assert world.programme_manager.user.get_full_name() in history
    assert (
        client.get(reverse("outcomes:outcome-plan-version", args=["sf2022", 2])).status_code == 200
    )

    # The next assessment uses it: the family is now eligible.
    assert AssessmentQueue.objects.filter(family=family).exists()
    services.assessment_queue_process(actor=system_actor(), as_of=today)

    after = Assessment.objects.get(family=family, is_current=True)
    assert (after.eligible, after.met_count) == (True, 3)
    assert after.framework_version == version
    assert after.criteria["family_relationships"]["met"] is True


def test_a_tf2_preview_cannot_save_the_sf2022_framework(world: World) -> None:
    client = client_for(world.programme_manager)
    tf2_edit = reverse("outcomes:outcome-plan-edit", args=["tf2"])
    tf2_form = OutcomePlanForm(
        editor=EDITABLE["tf2"],
        parameters=FrameworkVersion.objects.get(framework="tf2", version=1).parameters,
        based_on=1,
    )
    tf2_data = {
        name: (
            "on"
            if value is True
            else [str(v) for v in value]
            if isinstance(value, list)
            else str(value)
        )
        for name in tf2_form.fields
        if (value := tf2_form[name].value()) not in (False, None)
    }
    client.post(tf2_edit, {**tf2_data, "action": "preview"})
    job = Job.objects.get()
    job_run(job_id=str(job.pk))

    # The sf2022 editor does not know another framework's preview.
    response = client.post(
        EDIT, {**_form_data(), "action": "save", "preview": str(job.pk), "change_note": "Hm"}
    )
    page = client.get(f"{EDIT}?preview={job.pk}")

    assert response.status_code == 404
    assert page.status_code == 404
    assert FrameworkVersion.objects.filter(framework="sf2022").count() == 1
