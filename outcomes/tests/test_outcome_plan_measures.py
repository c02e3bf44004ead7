"""The outcome measures in the Outcome Plan editor (DOMAIN.md 4.2 "significant and
sustained progress" per problem; 4.3 a positive outcome per need): edited beside the
indicators, checked only by the result rules' own parsing, saved in the new version's
``results`` parameters, read by the result rules, and previewed over the attached
families."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from agencies.services import system_actor
from conftest import World, client_for
from families.models import Family
from oneplan.errors import ApplicationError
from oneplan.jobs import job_run
from oneplan.models import Job, JobStatus
from outcomes.assessment import outcome_plan
from outcomes.assessment.editable import EDITABLE, outcomes_view, version_changes
from outcomes.assessment.forms import OutcomePlanForm
from outcomes.assessment.services import framework_versions_ensure
from outcomes.frameworks import sf2022, sf2022_results, tf2, tf2_results
from outcomes.models import AssessmentQueue, FrameworkVersion
from outcomes.results.services import family_attach, results_compute
from tests.factories import FamilyFactory, MembershipFactory
from tests.support.assessment import evidence_add

DEFAULTS = {"tf2": tf2.default_parameters, "sf2022": sf2022.default_parameters}
RESULT_DEFAULTS = {
    "tf2": tf2_results.default_parameters,
    "sf2022": sf2022_results.default_parameters,
}


def _edit(framework: str) -> str:
    return reverse("outcomes:outcome-plan-edit", args=[framework])


def _form_data(
    framework: str, parameters: dict[str, Any] | None = None, **changes: Any
) -> dict[str, Any]:
    """What the browser posts for ``parameters`` (the framework's defaults), with
    ``changes`` applied (None removes a field: an unticked box, an emptied list)."""
    form = OutcomePlanForm(
        editor=EDITABLE[framework],
        parameters=parameters or DEFAULTS[framework](),
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


def _nothing_changed() -> None:
    assert not FrameworkVersion.objects.filter(version__gt=1).exists()
    assert not Job.objects.exists()
    assert not AssessmentQueue.objects.exists()


# Edited measures, as the form fields and as the saved ``results`` parameters.
TF2_EDITS: dict[str, Any] = {
    # Offending down by 40%, not 33%, over 9 months.
    "outcome__crime__offending_reduction__percent": "40",
    "outcome__crime__offending_reduction__months": "9",
    # ASB no longer measured; instead no proven offence by 10-17 year olds in 12 months.
    "outcome__crime__asb_reduction__on": None,
    "outcome__crime__no_offending__on": "on",
    "outcome__crime__no_offending__months": "12",
    "outcome__crime__no_offending__min_age": "10",
    "outcome__crime__no_offending__max_age": "17",
    # Substance misuse no longer counts under health; perinatal needs still do.
    "outcome__health__health_improved__codes": ["mental_health", "perinatal"],
    # Continuous employment on its own: 20 weeks, 30 after JSA.
    "results__employment__weeks": "20",
    "results__employment__weeks_after_jsa": "30",
}
SF2022_EDITS: dict[str, Any] = {
    # Family relationships measured by no domestic abuse for 9 months (as a victim).
    "outcome__family_relationships__recorded__on": None,
    "outcome__family_relationships__no_domestic_abuse__on": "on",
    "outcome__family_relationships__no_domestic_abuse__months": "9",
    "outcome__family_relationships__no_domestic_abuse__codes": ["victim"],
    # Secure housing over 12 months, and every outcome sustained for 12 months.
    "outcome__housing__housing_stable__months": "12",
    "results__sustain_months": "12",
}


def _tf2_expected() -> dict[str, Any]:
    results = tf2_results.default_parameters()
    results["outcomes"]["crime"] = [
        {"kind": "offending_reduction", "months": 9, "percent": 40, "min_age": None, "max_age": 17},
        {"kind": "no_offending", "months": 12, "min_age": 10, "max_age": 17},
    ]
    results["outcomes"]["health"] = [
        {"kind": "health_improved", "codes": ["mental_health", "perinatal"]}
    ]
    results["employment"] = {"kind": "continuous_employment", "weeks": 20, "weeks_after_jsa": 30}
    return results


def _sf2022_expected() -> dict[str, Any]:
    results = sf2022_results.default_parameters()
    results["outcomes"]["family_relationships"] = [
        {"kind": "no_domestic_abuse", "months": 9, "codes": ["victim"]}
    ]
    results["outcomes"]["housing"][0]["months"] = 12
    results["sustain_months"] = 12
    return results


EDITS = {"tf2": (TF2_EDITS, _tf2_expected), "sf2022": (SF2022_EDITS, _sf2022_expected)}


# -- editing and saving: a round trip ---------------------------------------------------


@pytest.mark.parametrize("framework", ["tf2", "sf2022"])
def test_edited_measures_become_the_results_parameters_and_show_again(
    world: World, framework: str
) -> None:
    edits, expected = EDITS[framework]
    form = OutcomePlanForm(
        _form_data(framework, **edits),
        editor=EDITABLE[framework],
        parameters=DEFAULTS[framework](),
    )

    assert form.is_valid(), form.errors
    parameters = form.parameters(DEFAULTS[framework]())
    assert parameters["results"] == expected()
    # The result rules read them back unchanged.
    rules = tf2_results if framework == "tf2" else sf2022_results
    assert rules.parse_parameters(parameters["results"]).to_json() == expected()

    # And back: the editor opened on them ticks and fills in the same.
    again = OutcomePlanForm(editor=EDITABLE[framework], parameters=parameters, based_on=2)
    for name, value in edits.items():
        shown = again[name].value()
        if value is None:
            assert shown is False, name
        elif value == "on":
            assert shown is True, name
        else:
            assert shown == value, name
    # Posted unchanged, they give the same parameters.
    unchanged = OutcomePlanForm(
        _form_data(framework, parameters), editor=EDITABLE[framework], parameters=parameters
    )
    assert unchanged.is_valid(), unchanged.errors
    assert unchanged.parameters(parameters) == parameters


@pytest.mark.parametrize("framework", ["tf2", "sf2022"])
def test_unchanged_measures_of_version_1_stay_the_rules_defaults(
    world: World, framework: str
) -> None:
    form = OutcomePlanForm(
        _form_data(framework), editor=EDITABLE[framework], parameters=DEFAULTS[framework]()
    )

    assert form.is_valid(), form.errors
    # Version 1 has no measures of its own: the result rules' defaults apply, and still do.
    assert "results" not in form.parameters(DEFAULTS[framework]())
    assert form.results == RESULT_DEFAULTS[framework]()


@pytest.mark.parametrize("framework", ["tf2", "sf2022"])
def test_preview_then_save_writes_the_measures_into_version_2(world: World, framework: str) -> None:
    edits, expected = EDITS[framework]
    client = client_for(world.programme_manager)
    data = _form_data(framework, action="preview", **edits)

    started = client.post(_edit(framework), data)

    assert started.status_code == 302
    job = Job.objects.get()
    assert job.parameters["parameters"]["results"] == expected()
    running = client.get(started["Location"]).content.decode()
    assert "The outcome measures you are previewing" in running
    job_run(job_id=str(job.pk))
    page = client.get(started["Location"]).content.decode()
    assert "What you changed from version 1" in page
    assert "No family is attached under" in page

    saved = client.post(
        _edit(framework),
        {**data, "action": "save", "preview": str(job.pk), "change_note": "New measures"},
    )

    assert saved.status_code == 302
    version = FrameworkVersion.objects.get(framework=framework, version=2)
    assert version.parameters["results"] == expected()
    assert version.parameters["criteria"] == DEFAULTS[framework]()["criteria"]
    assert AssessmentQueue.objects.count() == Family.objects.count()


def test_pages_show_the_measures_and_what_changed_in_words(world: World) -> None:
    client = client_for(world.programme_manager)
    data = _form_data("tf2", action="preview", **TF2_EDITS)
    client.post(_edit("tf2"), data)
    job = Job.objects.get()
    job_run(job_id=str(job.pk))
    client.post(
        _edit("tf2"), {**data, "action": "save", "preview": str(job.pk), "change_note": "Why"}
    )

    detail = client.get(reverse("outcomes:outcome-plan-detail", args=["tf2"])).content.decode()
    history = client.get(reverse("outcomes:outcome-plan-versions", args=["tf2"])).content.decode()
    version_2 = client.get(
        reverse("outcomes:outcome-plan-version", args=["tf2", 2])
    ).content.decode()

    measure = (
        "Proven offences by under-18s at least 40% fewer in the last 9 months than in the 9 "
        "months before attachment"
    )
    assert measure in detail
    assert "No proven offence by 10-17 year olds in the last 12 months" in detail
    assert "Significant and sustained progress when all of these hold" in detail
    assert "An adult in continuous employment for 20 weeks (30 weeks after Jobseeker" in detail
    changed = (
        "Parents or children involved in crime or anti-social behaviour: outcome measure "
        "changed from “Proven offences by under-18s at least 33% fewer in the last 6 months "
        "than in the 6 months before attachment” to “" + measure + "”"
    )
    removed = (
        "Parents or children involved in crime or anti-social behaviour: outcome measure "
        "removed: Anti-social behaviour across the household"
    )
    for page in (history, version_2):
        assert changed in page
        assert removed in page
        assert "outcome measure added: No proven offence by 10-17 year olds" in page
    assert "Changes from version 1" in version_2
    assert "The first version" in history


def test_version_changes_say_nothing_changed_for_the_same_rules() -> None:
    explicit = {**tf2.default_parameters(), "results": tf2_results.default_parameters()}

    assert version_changes("tf2", tf2.default_parameters(), explicit) == []
    changed = {**explicit, "results": {**explicit["results"]}}
    changed["results"]["employment"] = {
        "kind": "continuous_employment",
        "weeks": 13,
        "weeks_after_jsa": 13,
    }
    assert version_changes("tf2", explicit, changed) == [
        "Continuous employment on its own (the other way to a result): An adult in "
        "continuous employment for 13 weeks, starting on or after attachment (was: Continuous "
        "employment on its own (the other way to a result): An adult in continuous employment "
        "for 13 weeks (26 weeks after Jobseeker's Allowance), starting on or after attachment)"
    ]
    sf = {**sf2022.default_parameters(), "results": {"sustain_months": 9}}
    assert version_changes("sf2022", sf2022.default_parameters(), sf) == [
        "Every outcome sustained for 9 months after the case closes (the claim date) (was: "
        "Every outcome sustained for 6 months after the case closes (the claim date))"
    ]


def test_outcomes_view_lists_every_criterion_with_its_measures() -> None:
    view = outcomes_view("sf2022", sf2022.default_parameters())

    assert [c.code for c in view.criteria][:2] == ["education", "early_years"]
    assert view.criteria[1].measures == ["Recorded by the lead practitioner"]
    assert view.settings == [
        "Every outcome sustained for 6 months after the case closes (the claim date)"
    ]


# -- bad settings: the result rules' messages on the right fields ------------------------

CRIME = "(under “parents or children involved in crime or anti-social behaviour”)"


@pytest.mark.parametrize(
    ("framework", "changes", "message", "kept"),
    [
        (
            "tf2",
            {"outcome__crime__offending_reduction__percent": "0"},
            "Fewer proven offences than before attachment: the percentage must be more than 0 "
            "and at most 100",
            'value="0"',
        ),
        (
            "tf2",
            {"outcome__crime__offending_reduction__percent": "100.5"},
            "Fewer proven offences than before attachment: the percentage must be more than 0 "
            "and at most 100",
            'value="100.5"',
        ),
        (
            "tf2",
            {"outcome__crime__offending_reduction__percent": "a third"},
            "Fewer proven offences than before attachment: the percentage must be a number",
            'value="a third"',
        ),
        (
            "tf2",
            {"outcome__crime__offending_reduction__percent": ""},
            "Fewer proven offences than before attachment: enter the percentage",
            "",
        ),
        (
            "tf2",
            {"outcome__crime__offending_reduction__months": "61"},
            "Fewer proven offences than before attachment: the number of months must be from "
            "1 to 60",
            'value="61"',
        ),
        (
            "tf2",
            {"outcome__crime__offending_reduction__months": "6.5"},
            "Fewer proven offences than before attachment: the number of months must be a "
            "whole number",
            'value="6.5"',
        ),
        (
            "tf2",
            {"outcome__crime__offending_reduction__months": "0"},
            "Fewer proven offences than before attachment: the number of months must be from "
            "1 to 60",
            'value="0"',
        ),
        (
            "tf2",
            {"outcome__crime__offending_reduction__min_age": "18"},
            "Fewer proven offences than before attachment: the youngest age is above the "
            "oldest age",
            'value="18"',
        ),
        (
            "tf2",
            {"outcome__crime__offending_reduction__max_age": "121"},
            "Fewer proven offences than before attachment: the oldest age must be from 0 to 120",
            'value="121"',
        ),
        (
            # The same kind under two problems: the message says which.
            "tf2",
            {
                "outcome__crime__callout_reduction__on": "on",
                "outcome__crime__callout_reduction__percent": "0",
            },
            "Fewer police call-outs than before attachment: the percentage must be more than 0 "
            f"and at most 100 {CRIME}",
            'value="0"',
        ),
        (
            "tf2",
            {"outcome__crime__no_asb__on": "on", "outcome__crime__no_asb__codes": ["curfew"]},
            "No anti-social behaviour: “curfew” is not one of the options",
            "",
        ),
        (
            "tf2",
            {"outcome__education__school_attendance__terms": "10"},
            "School attendance and exclusions: the number of terms must be from 1 to 9",
            'value="10"',
        ),
        (
            "tf2",
            {"outcome__education__school_attendance__count": "0"},
            "School attendance and exclusions: the number of fixed-term exclusions must be "
            "from 1 to 100",
            'value="0"',
        ),
        (
            "tf2",
            {
                "outcome__crime__offending_reduction__on": None,
                "outcome__crime__asb_reduction__on": None,
            },
            "Select at least one outcome measure for “parents or children involved in crime or "
            "anti-social behaviour”",
            "",
        ),
        (
            "tf2",
            {"outcome__worklessness__employment_or_arrears_cleared__weeks_after_jsa": "261"},
            "Continuous employment or rent arrears cleared: the weeks in work after Jobseeker's "
            "Allowance must be from 1 to 260",
            'value="261"',
        ),
        (
            "tf2",
            {"results__employment__weeks": "0"},
            "The weeks in work for continuous employment on its own must be from 1 to 260",
            'value="0"',
        ),
        (
            "tf2",
            {"results__employment__weeks": ""},
            "Enter the weeks in work for continuous employment on its own",
            "",
        ),
        (
            "tf2",
            {"results__employment__weeks_after_jsa": "twenty"},
            "The weeks in work after Jobseeker's Allowance for continuous employment on its "
            "own must be a whole number",
            'value="twenty"',
        ),
        (
            "sf2022",
            {"outcome__family_relationships__no_domestic_abuse__on": "on"},
            "Improved family relationships: a recorded outcome cannot be combined with other "
            "measures",
            "",
        ),
        (
            "sf2022",
            {"results__sustain_months": "25"},
            "The months every outcome must be sustained after the case closes must be from 1 to 24",
            'value="25"',
        ),
        (
            "sf2022",
            {"results__sustain_months": ""},
            "Enter the months every outcome must be sustained after the case closes",
            "",
        ),
        (
            "sf2022",
            {"outcome__early_years__recorded__on": None},
            "Select at least one outcome measure for “good early years development”",
            "",
        ),
    ],
)
def test_bad_measure_settings_get_the_rules_message_and_keep_what_was_typed(
    world: World, framework: str, changes: dict[str, Any], message: str, kept: str
) -> None:
    framework_versions_ensure()

    response = client_for(world.programme_manager).post(
        _edit(framework), _form_data(framework, action="preview", **changes)
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    # The message is on the field it is about, not only in the summary.
    assert html.count(escape(message)) == 2
    assert kept in html
    _nothing_changed()


def test_every_wrong_setting_is_reported_at_once(world: World) -> None:
    framework_versions_ensure()
    data = _form_data(
        "sf2022",
        action="preview",
        outcome__crime__no_offending__months="0",
        outcome__domestic_abuse__no_domestic_abuse__months="61",
        outcome__early_years__health_improved__on="on",
        results__sustain_months="0",
    )

    html = client_for(world.programme_manager).post(_edit("sf2022"), data).content.decode()

    for message in (
        "No proven offences: the number of months must be from 1 to 60",
        "No domestic abuse incidents: the number of months must be from 1 to 60",
        "Good early years development: a recorded outcome cannot be combined",
        "The months every outcome must be sustained after the case closes must be from 1 to 24",
    ):
        assert escape(message) in html
    _nothing_changed()


def test_boundary_values_of_the_measures_are_accepted(world: World) -> None:
    data = _form_data(
        "tf2",
        action="preview",
        outcome__crime__offending_reduction__percent="0.1",
        outcome__crime__offending_reduction__months="60",
        outcome__crime__offending_reduction__min_age="0",
        outcome__crime__offending_reduction__max_age="0",
        outcome__education__school_attendance__percent="100",
        outcome__education__school_attendance__terms="9",
        results__employment__weeks="260",
        results__employment__weeks_after_jsa="1",
    )

    response = client_for(world.programme_manager).post(_edit("tf2"), data)

    assert response.status_code == 302
    results = Job.objects.get().parameters["parameters"]["results"]
    assert results["outcomes"]["crime"][0] == {
        "kind": "offending_reduction",
        "months": 60,
        "percent": 0.1,
        "min_age": 0,
        "max_age": 0,
    }
    assert results["outcomes"]["education"][0]["percent"] == 100
    assert results["employment"] == {
        "kind": "continuous_employment",
        "weeks": 260,
        "weeks_after_jsa": 1,
    }


# -- only programme managers ------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["anonymous", "keyworker", "practitioner", "coordinator", "auditor"]
)
@pytest.mark.parametrize("action", ["preview", "save"])
def test_only_programme_managers_change_the_measures_and_nothing_changes(
    world: World, who: str, action: str
) -> None:
    framework_versions_ensure()
    client = Client() if who == "anonymous" else client_for(getattr(world, who))

    response = client.post(
        _edit("tf2"), _form_data("tf2", action=action, change_note="Sneaky", **TF2_EDITS)
    )

    assert response.status_code == (302 if who == "anonymous" else 403)
    _nothing_changed()


# -- the result rules read the saved measures -------------------------------------------

ATTACHED = datetime.date(2024, 9, 2)
# 26 weeks in work after JSA on 2 May 2025; judged a month later.
AS_OF = datetime.date(2025, 6, 2)


def _tf2_family(attached_on: datetime.date) -> Family:
    """Attached under tf2 on ``attached_on`` with two problems: a 14 year old with 3
    proven offences in the 6 months before attachment and 2 in the 6 months before
    ``attached_on`` + 9 months (33% fewer), and a parent on JSA at attachment who started
    work 2 months after it and is still in work."""
    family = FamilyFactory()
    parent = MembershipFactory(family=family, person__given_name="Alex").person
    child = MembershipFactory(
        family=family,
        person__given_name="Jordan",
        person__date_of_birth=attached_on - datetime.timedelta(days=14 * 366),
        role="child",
    ).person
    evidence_add(
        parent,
        "benefits",
        attached_on - datetime.timedelta(days=240),
        attached_on + datetime.timedelta(days=59),
        benefit="JSA",
    )
    evidence_add(parent, "employment", attached_on + datetime.timedelta(days=60))
    for days in (-150, -100, -50, 150, 200):
        day = attached_on + datetime.timedelta(days=days)
        evidence_add(child, "offences", day, offence_date=day.isoformat(), outcome="proven")
    family_attach(actor=system_actor(), family=family, framework="tf2", attached_on=attached_on)
    return family


def _save_version_2(world: World, **changes: Any) -> FrameworkVersion:
    client = client_for(world.programme_manager)
    data = _form_data("tf2", action="preview", **changes)
    assert client.post(_edit("tf2"), data).status_code == 302
    job = Job.objects.get(parameters__purpose=outcome_plan.PREVIEW_PURPOSE)
    job_run(job_id=str(job.pk))
    saved = client.post(
        _edit("tf2"), {**data, "action": "save", "preview": str(job.pk), "change_note": "40%"}
    )
    assert saved.status_code == 302, saved.content.decode()
    return FrameworkVersion.objects.get(framework="tf2", version=2)


def test_result_rules_read_the_measures_of_the_version_a_family_was_attached_under(
    world: World,
) -> None:
    framework_versions_ensure()
    with time_machine.travel(datetime.datetime(2025, 2, 1, 12, tzinfo=datetime.UTC), tick=False):
        before = _tf2_family(datetime.date(2025, 1, 6))
        version_2 = _save_version_2(
            world,
            outcome__crime__offending_reduction__percent="40",
        )
        after = _tf2_family(datetime.date(2025, 2, 3))
    assert before.attachment.framework_version.version == 1
    assert after.attachment.framework_version == version_2

    def crime(family: Family) -> Any:
        answer = results_compute(
            family=family, as_of=family.attachment.attached_on + datetime.timedelta(days=240)
        )
        return next(c for c in answer.results.checks if c.code == "crime")

    # 3 offences before attachment and 2 since: 33% fewer, enough under version 1.
    assert crime(before).met
    assert "(at least 33% fewer needed)" in " ".join(crime(before).reasons)
    # The same under version 2's 40% is not enough.
    assert not crime(after).met
    assert "(at least 40% fewer needed)" in " ".join(crime(after).reasons)


# -- the preview over the attached families ---------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {},
            {"current_met": 1, "edited_met": 1, "current_claimable": 1, "edited_claimable": 1},
        ),
        (
            # Employment on its own now needs 40 weeks after JSA: not yet. Progress is met,
            # but without its programme conditions it is not claimable.
            {"results__employment__weeks_after_jsa": "40"},
            {
                "current_met": 1,
                "edited_met": 1,
                "current_claimable": 1,
                "edited_claimable": 0,
                "no_longer_claimable": 1,
            },
        ),
        (
            # And offending down 40%: progress is not met either.
            {
                "results__employment__weeks_after_jsa": "40",
                "outcome__crime__offending_reduction__percent": "40",
            },
            {
                "current_met": 1,
                "edited_met": 0,
                "current_claimable": 1,
                "edited_claimable": 0,
                "no_longer_claimable": 1,
            },
        ),
    ],
)
def test_preview_counts_attached_families_met_and_claimable_with_each_measures(
    world: World, changes: dict[str, str], expected: dict[str, int]
) -> None:
    framework_versions_ensure()
    _tf2_family(ATTACHED)
    form = OutcomePlanForm(
        _form_data("tf2", **changes), editor=EDITABLE["tf2"], parameters=tf2.default_parameters()
    )
    assert form.is_valid(), form.errors

    counts = outcome_plan.outcome_plan_preview(
        actor=world.programme_manager.user,
        framework="tf2",
        parameters=form.parameters(tf2.default_parameters()),
        as_of=AS_OF,
    )

    assert counts.results == outcome_plan.ResultsPreview(
        **{
            "attached": 1,
            "earlier_version": 0,
            "newly_claimable": 0,
            "no_longer_claimable": 0,
            **expected,
        }
    )
    assert outcome_plan.PreviewCounts.from_dict(counts.as_dict(), "tf2") == counts


def test_preview_page_reports_results_and_says_attached_families_keep_their_version(
    world: World,
) -> None:
    framework_versions_ensure()
    _tf2_family(ATTACHED)
    # A version 2 saved since the family was attached.
    FrameworkVersion.objects.create(
        framework="tf2",
        version=2,
        parameters=tf2.default_parameters(),
        change_note="Later",
        created_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
    )
    client = client_for(world.programme_manager)
    data = _form_data("tf2", action="preview", results__employment__weeks_after_jsa="40")
    started = client.post(_edit("tf2"), data)
    job = Job.objects.get()
    # Judged on the day of the preview: run it as if on AS_OF.
    job.parameters["as_of"] = AS_OF.isoformat()
    job.save(update_fields=["parameters"])

    job_run(job_id=str(job.pk))

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.counts["attached under this framework"] == 1
    assert job.counts["attached under an earlier version"] == 1
    assert (
        job.counts["claimable with the current measures"],
        job.counts["claimable with the edited measures"],
    ) == (1, 0)
    page = client.get(started["Location"]).content.decode()
    assert "Results of the families attached under Troubled Families phase 2 (2015)" in page
    assert (
        "families already attached keep their own version's outcome measures (1 of the 1 "
        "were attached under a version before version 2)" in page
    )
    assert "on the evidence held on 2 June 2025" in page
    assert "an estimate for the families to come: no family's results change" in page
    assert "With your measures, 0 more would be claimable and 1 would no longer be." in page


def test_the_preview_service_refuses_measures_the_result_rules_refuse(world: World) -> None:
    bad = {
        **tf2.default_parameters(),
        "results": {**tf2_results.default_parameters(), "employment": {"kind": "in_work"}},
    }

    with pytest.raises(
        ApplicationError, match=r"results\.employment must be a continuous_employment"
    ):
        outcome_plan.outcome_plan_preview_start(
            actor=world.programme_manager.user, framework="tf2", parameters=bad, based_on=1
        )

    assert not Job.objects.exists()
