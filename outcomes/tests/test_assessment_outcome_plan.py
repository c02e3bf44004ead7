"""The tf2 Outcome Plan editor: programme managers only; edit, preview in the background,
save as a new version with a change note, version history. (The sf2022 outcomes
framework's editor, the same pages for another framework, is tested in
test_assessment_outcome_plan_sf2022.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import World, client_for
from oneplan.jobs import job_run
from oneplan.models import Job, JobStatus
from outcomes.assessment.editable import EDITABLE
from outcomes.assessment.forms import OutcomePlanForm
from outcomes.assessment.services import ASSESSMENT_RUN_JOB
from outcomes.frameworks import tf2
from outcomes.models import AssessmentQueue, FrameworkVersion

EDIT = reverse("outcomes:outcome-plan-edit", args=["tf2"])
DETAIL = reverse("outcomes:outcome-plan-detail", args=["tf2"])
PAGES = [
    reverse("outcomes:outcome-plan"),
    DETAIL,
    EDIT,
    reverse("outcomes:outcome-plan-versions", args=["tf2"]),
    reverse("outcomes:outcome-plan-version", args=["tf2", 1]),
]


def _form_data(parameters: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    """What the browser would post for ``parameters``, with ``changes`` applied."""
    form = OutcomePlanForm(
        editor=EDITABLE["tf2"], parameters=parameters or tf2.default_parameters(), based_on=1
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


def _nothing_changed() -> None:
    assert FrameworkVersion.objects.filter(framework="tf2").count() == 1
    assert not Job.objects.exists()
    assert not AssessmentQueue.objects.exists()


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("keyworker", 403),
        ("practitioner", 403),
        ("coordinator", 403),
        ("auditor", 403),
        ("sysadmin", 403),
        ("programme_manager", 200),
    ],
)
def test_only_programme_managers_see_the_outcome_plan(
    world: World, url: str, who: str, status: int
) -> None:
    client = Client() if who == "anonymous" else client_for(getattr(world, who))

    response = client.get(url)

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["anonymous", "keyworker", "coordinator", "auditor"])
@pytest.mark.parametrize("action", ["preview", "save"])
def test_others_cannot_preview_or_save_and_nothing_changes(
    world: World, who: str, action: str
) -> None:
    client = Client() if who == "anonymous" else client_for(getattr(world, who))

    response = client.post(EDIT, _form_data(action=action, change_note="Sneaky"))

    assert response.status_code in (302, 403)
    if who != "anonymous":
        assert response.status_code == 403
    _nothing_changed()


def test_plan_page_lists_the_six_problems_and_their_indicators(world: World) -> None:
    html = client_for(world.programme_manager).get(DETAIL).content.decode()

    assert "Troubled Families Outcome Plan" in html
    for label in ("Children not attending school regularly", "Children who need help"):
        assert label in html
    assert "At least 3 police call-outs" in html
    assert "A school-age child with 10% or more unauthorised absence over the last 3 terms" in html
    assert "At least 2 of 6, and a dependent child" in html


def test_preview_then_save_makes_version_2_and_queues_every_family(world: World) -> None:
    client = client_for(world.programme_manager)
    data = _form_data(**{"crime__police_callouts__count": "2", "action": "preview"})

    started = client.post(EDIT, data)

    job = Job.objects.get(kind=ASSESSMENT_RUN_JOB)
    assert started.status_code == 302
    assert started["Location"] == f"{EDIT}?preview={job.pk}"
    assert job.parameters["parameters"]["criteria"]["crime"][2]["count"] == 2
    running = client.get(started["Location"]).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in running
    assert 'hx-trigger="every 2s"' in running
    assert "At least 2 police call-outs" in running

    job_run(job_id=str(job.pk))
    page = client.get(started["Location"]).content.decode()
    assert "What your changes would do" in page
    assert "Families with each problem, before and after your changes" in page
    assert "Save as version 2" in page
    assert 'value="2"' in page  # the edited count is shown again

    saved = client.post(
        EDIT,
        {**data, "action": "save", "preview": str(job.pk), "change_note": "Two call-outs"},
    )

    assert saved.status_code == 302
    assert saved["Location"] == DETAIL
    version = FrameworkVersion.objects.get(framework="tf2", version=2)
    assert version.change_note == "Two call-outs"
    assert version.parameters == job.parameters["parameters"]
    assert AssessmentQueue.objects.count() == 3
    history = client.get(reverse("outcomes:outcome-plan-versions", args=["tf2"])).content.decode()
    assert "Two call-outs" in history


def _finished_preview(client: Client, data: dict[str, Any]) -> Job:
    client.post(EDIT, {**data, "action": "preview"})
    job = Job.objects.get()
    job_run(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    return job


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"change_note": ""}, "Enter what changed and why"),
        ({"crime__police_callouts__count": "4"}, "You changed the Outcome Plan after the preview"),
        ({"preview": ""}, "Preview the changes, and wait for the preview to finish"),
    ],
)
def test_save_is_refused_without_a_note_or_a_matching_preview(
    world: World, changes: dict[str, str], message: str
) -> None:
    client = client_for(world.programme_manager)
    data = _form_data(**{"crime__police_callouts__count": "2"})
    job = _finished_preview(client, data)

    response = client.post(
        EDIT,
        {**data, "action": "save", "preview": str(job.pk), "change_note": "Why", **changes},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert FrameworkVersion.objects.filter(framework="tf2").count() == 1
    assert not AssessmentQueue.objects.exists()


def test_save_is_refused_when_someone_saved_another_version_meanwhile(world: World) -> None:
    client = client_for(world.programme_manager)
    data = _form_data(**{"crime__police_callouts__count": "2"})
    job = _finished_preview(client, data)
    FrameworkVersion.objects.create(
        framework="tf2",
        version=2,
        parameters=tf2.default_parameters(),
        change_note="Someone else",
        created_at=job.created_at,
    )

    response = client.post(
        EDIT, {**data, "action": "save", "preview": str(job.pk), "change_note": "Mine"}
    )

    assert response.status_code == 400
    assert "Version 2 was saved while you were editing" in response.content.decode()
    assert FrameworkVersion.objects.filter(framework="tf2").count() == 2


@pytest.mark.parametrize(
    ("changes", "message", "kept"),
    [
        (
            {"crime__police_callouts__months": "twelve"},
            "Police call-outs: months to look back must be a whole number (under “parents or "
            "children involved in crime or anti-social behaviour”)",
            'value="twelve"',
        ),
        (
            {"crime__police_callouts__months": "61"},
            "Police call-outs: months to look back must be between 1 and 60",
            'value="61"',
        ),
        (
            {"education__unauthorised_absence__percent": "150"},
            "The percentage for unauthorised absence from school must be between 0.1 and 100",
            'value="150"',
        ),
        (
            {"crime__police_callouts__codes": None},
            "Select at least one option for police call-outs",
            "",
        ),
        (
            {
                "children_in_need__children_social_care__on": None,
                "children_in_need__early_help__on": None,
            },
            "Select at least one indicator for “children who need help”",
            "",
        ),
        (
            {"min_problems": "7"},
            "How many problems a family needs must be between 1 and 6",
            'value="7"',
        ),
        (
            {"crime__proven_offence__min_age": "18"},
            "Proven offence by a young person: the youngest age must not be more than the oldest",
            'value="18"',
        ),
    ],
)
def test_bad_settings_get_a_specific_message_and_keep_what_was_typed(
    world: World, changes: dict[str, Any], message: str, kept: str
) -> None:
    response = client_for(world.programme_manager).post(
        EDIT, _form_data(action="preview", **changes)
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert message in html
    assert kept in html
    _nothing_changed()


def test_settings_of_an_unused_indicator_are_not_checked(world: World) -> None:
    data = _form_data(
        action="preview",
        **{"crime__police_callouts__on": None, "crime__police_callouts__months": "nonsense"},
    )

    response = client_for(world.programme_manager).post(EDIT, data)

    assert response.status_code == 302
    job = Job.objects.get()
    kinds = [i["kind"] for i in job.parameters["parameters"]["criteria"]["crime"]]
    assert kinds == ["proven_offence", "asb_intervention"]


def test_someone_elses_preview_is_not_found(world: World) -> None:
    mine = client_for(world.programme_manager)
    mine.post(EDIT, _form_data(action="preview"))
    job = Job.objects.get()
    other_pm = world.programme_manager.__class__.objects.create(
        user=world.auditor.user.__class__.objects.create(username="pm2"),
        agency=world.council,
        roles=["programme_manager"],
    )

    response = client_for(other_pm).get(f"{EDIT}?preview={job.pk}")

    assert response.status_code == 404


def test_an_old_version_can_be_read(world: World) -> None:
    response = client_for(world.programme_manager).get(
        reverse("outcomes:outcome-plan-version", args=["tf2", 1])
    )

    assert "Version 1 (in use)" in response.content.decode()
    assert (
        client_for(world.programme_manager)
        .get(reverse("outcomes:outcome-plan-version", args=["tf2", 9]))
        .status_code
        == 404
    )


@pytest.mark.parametrize("framework", ["tf1", "nonsense"])
@pytest.mark.parametrize("page", ["detail", "edit", "versions", "version"])
def test_a_framework_without_local_rules_is_not_found(
    world: World, framework: str, page: str
) -> None:
    args: list[Any] = [framework, 1] if page == "version" else [framework]

    response = client_for(world.programme_manager).get(
        reverse(f"outcomes:outcome-plan-{page}", args=args)
    )

    assert response.status_code == 404


def test_list_names_the_framework_in_force_for_new_families_and_each_version(
    world: World,
) -> None:
    html = client_for(world.programme_manager).get(reverse("outcomes:outcome-plan")).content
    page = html.decode()

    assert "New families are assessed under Supporting Families (2022)." in page
    assert page.index("Supporting Families outcomes framework") < page.index(
        "Troubled Families Outcome Plan"
    )
    assert page.count("Version 1 in use") == 2
    assert DETAIL in page
    assert reverse("outcomes:outcome-plan-detail", args=["sf2022"]) in page


def test_tf2_pages_warn_that_new_families_are_assessed_under_another_framework(
    world: World,
) -> None:
    client = client_for(world.programme_manager)

    for url in (DETAIL, EDIT):
        page = client.get(url).content.decode()
        assert (
            "New families are assessed under Supporting Families (2022), not Troubled "
            "Families phase 2 (2015)." in page
        )
        assert reverse("outcomes:outcome-plan-detail", args=["sf2022"]) in page
