"""The pages of the local rules programme managers edit: the list of frameworks that have
them (the tf2 Outcome Plan, the sf2022 outcomes framework) saying which one new families
are assessed under, and for each the rules in use, the editor with its preview, and the
version history. Parse, check, call one service, render."""

from __future__ import annotations

import uuid
from datetime import date
from itertools import pairwise
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from agencies.models import User
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError
from oneplan.models import Job, JobStatus
from oneplan.selectors import job_get_for_user_or_404
from outcomes.assessment import outcome_plan, selectors, services
from outcomes.assessment.access import can_edit_outcome_plan
from outcomes.assessment.editable import (
    EditableFramework,
    editable_framework,
    outcomes_view,
    version_changes,
)
from outcomes.assessment.forms import OutcomePlanForm
from outcomes.frameworks.registry import CRITERIA
from outcomes.frameworks.types import ParameterError
from outcomes.models import Framework, FrameworkVersion


def _programme_manager(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not can_edit_outcome_plan(user):
        raise PermissionDenied("Only programme managers can see and change the Outcome Plan")
    return user


def _editor(framework: str) -> EditableFramework:
    editor = editable_framework(framework)
    if editor is None:
        raise Http404("That framework has no local rules to change")
    return editor


def _latest(user: User, framework: str) -> FrameworkVersion:
    version = selectors.outcome_plan_version_for_user(user, framework)
    if version is None:
        services.framework_versions_ensure()
        version = selectors.outcome_plan_version_for_user(user, framework)
    if version is None:
        raise Http404("No version has been saved")
    return version


def _in_force(editor: EditableFramework) -> dict[str, Any]:
    """Which framework new families are assessed under, for the pages to say so."""
    code = selectors.framework_for_new_families()
    return {
        "editor": editor,
        "framework_label": Framework(editor.code).label,
        "in_force_label": Framework(code).label,
        "in_force": code == editor.code,
        "in_force_editor": editable_framework(code),
    }


def _preview_job(user: User, job_id: str, framework: str) -> Job | None:
    """The user's own preview of this framework, or None for an empty id; 404 for anyone
    else's, or another framework's."""
    if not job_id:
        return None
    try:
        uuid.UUID(job_id)
    except ValueError:
        raise Http404("No such preview") from None
    job = job_get_for_user_or_404(user, job_id)
    if (
        job.kind != services.ASSESSMENT_RUN_JOB
        or job.parameters.get("purpose") != outcome_plan.PREVIEW_PURPOSE
        or job.parameters.get("framework") != framework
    ):
        raise Http404("No such preview")
    return job


@login_required
@access_rule("programme managers")
def outcome_plan_list(request: HttpRequest) -> HttpResponse:
    user = _programme_manager(request)
    services.framework_versions_ensure()
    frameworks = selectors.outcome_plan_frameworks_for_user(user)
    in_force = selectors.framework_for_new_families()
    return render(
        request,
        "outcomes/assessment/outcome_plan_list.html",
        {"frameworks": frameworks, "in_force_label": Framework(in_force).label},
    )


@login_required
@access_rule("programme managers")
def outcome_plan_detail(request: HttpRequest, framework: str) -> HttpResponse:
    user = _programme_manager(request)
    editor = _editor(framework)
    version = _latest(user, framework)
    problems, min_count = selectors.outcome_plan_problems(version)
    return render(
        request,
        "outcomes/assessment/outcome_plan_detail.html",
        {
            **_in_force(editor),
            "version": version,
            "problems": problems,
            "min_count": min_count,
            **_outcomes(framework, version, problems),
        },
    )


def _outcomes(
    framework: str, version: FrameworkVersion, problems: list[selectors.PlanProblem]
) -> dict[str, Any]:
    """A version's outcome measures beside its indicators, criterion by criterion."""
    outcomes = outcomes_view(framework, version.parameters)
    return {"outcomes": outcomes, "sections": list(zip(problems, outcomes.criteria, strict=True))}


def _changes(framework: str, versions: list[FrameworkVersion]) -> dict[int, list[str]]:
    """What changed in each of ``versions`` (newest first, consecutive) from the one
    before it, in words; the first version has nothing before it."""
    changes: dict[int, list[str]] = {}
    for newer, older in pairwise(versions):
        if newer.version == older.version + 1:
            found = _compared(framework, older, newer)
            if found is not None:
                changes[newer.version] = found
    return changes


def _compared(framework: str, older: FrameworkVersion, newer: FrameworkVersion) -> list[str] | None:
    """What changed from ``older`` to ``newer`` in words; None when either cannot be read
    (a version saved by hand), so that the history still shows."""
    try:
        return version_changes(framework, older.parameters, newer.parameters)
    except ParameterError:
        return None


@login_required
@access_rule("programme managers")
def outcome_plan_versions(request: HttpRequest, framework: str) -> HttpResponse:
    user = _programme_manager(request)
    editor = _editor(framework)
    versions = list(selectors.outcome_plan_versions_for_user(user, framework))
    changes = _changes(framework, versions)
    return render(
        request,
        "outcomes/assessment/outcome_plan_versions.html",
        {
            **_in_force(editor),
            "versions": [(v, changes.get(v.version)) for v in versions],
        },
    )


@login_required
@access_rule("programme managers")
def outcome_plan_version(request: HttpRequest, framework: str, version: int) -> HttpResponse:
    user = _programme_manager(request)
    editor = _editor(framework)
    saved = selectors.outcome_plan_version_for_user(user, framework, version)
    if saved is None:
        raise Http404("No such version")
    problems, min_count = selectors.outcome_plan_problems(saved)
    previous = selectors.outcome_plan_version_for_user(user, framework, saved.version - 1)
    return render(
        request,
        "outcomes/assessment/outcome_plan_detail.html",
        {
            **_in_force(editor),
            "version": saved,
            "problems": problems,
            "min_count": min_count,
            **_outcomes(framework, saved, problems),
            "previous": previous,
            "changes": _compared(framework, previous, saved) if previous is not None else None,
            "is_latest": saved.pk == _latest(user, framework).pk,
            "historic": True,
        },
    )


@login_required
@access_rule("programme managers")
def outcome_plan_edit(request: HttpRequest, framework: str) -> HttpResponse:
    """Edit, preview (a background job over every family), then save as a new version.

    Saving needs a finished preview of exactly the rules being saved, so nobody changes
    who is identified without first seeing by how much."""
    user = _programme_manager(request)
    editor = _editor(framework)
    latest = _latest(user, framework)
    if request.method != "POST":
        job = _preview_job(user, request.GET.get("preview", ""), framework)
        parameters = job.parameters["parameters"] if job is not None else latest.parameters
        based_on = int(job.parameters["based_on"]) if job is not None else latest.version
        form = OutcomePlanForm(
            editor=editor,
            parameters=parameters,
            based_on=based_on,
            preview=str(job.pk) if job else "",
        )
        return _edit_page(request, form, latest, job)

    action = request.POST.get("action", "")
    saving = action == "save"
    form = OutcomePlanForm(request.POST, editor=editor, parameters=latest.parameters, saving=saving)
    job = _preview_job(user, request.POST.get("preview", ""), framework) if saving else None
    draft: dict[str, Any] | None = None
    if action not in ("preview", "save"):
        form.add_error(None, "Choose to preview the changes or to save them")
    elif form.is_valid():
        try:
            draft = form.parameters(latest.parameters)
        except ParameterError as exc:
            form.add_error(None, str(exc))
    if draft is not None and action == "preview":
        try:
            job = outcome_plan.outcome_plan_preview_start(
                actor=user,
                framework=framework,
                parameters=draft,
                based_on=form.cleaned_data["based_on"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            edit = reverse("outcomes:outcome-plan-edit", args=[framework])
            return redirect(f"{edit}?preview={job.pk}")
    if draft is not None and saving:
        try:
            saved = outcome_plan.outcome_plan_save(
                actor=user,
                framework=framework,
                parameters=draft,
                change_note=form.cleaned_data["change_note"],
                based_on=form.cleaned_data["based_on"],
                preview=job,
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"Version {saved.version} of {editor.name} is saved. Every family will "
                "be re-assessed under it in the background.",
            )
            return redirect("outcomes:outcome-plan-detail", framework)
    return _edit_page(request, form, latest, job, status=400)


def _edit_page(
    request: HttpRequest,
    form: OutcomePlanForm,
    latest: FrameworkVersion,
    job: Job | None,
    *,
    status: int = 200,
) -> HttpResponse:
    draft_problems = draft_outcomes = None
    if job is not None and not job.is_finished:
        draft_version = FrameworkVersion(
            framework=latest.framework, parameters=job.parameters["parameters"]
        )
        draft_problems = selectors.outcome_plan_problems(draft_version)[0]
        draft_outcomes = outcomes_view(latest.framework, draft_version.parameters)
    preview = None
    if job is not None and job.status == JobStatus.SUCCEEDED:
        counts = outcome_plan.PreviewCounts.from_dict(job.counts, latest.framework)
        preview = {
            "as_of": date.fromisoformat(job.parameters["as_of"]),
            "counts": counts,
            "criteria": [
                (label, counts.current_by_criterion[code], counts.edited_by_criterion[code])
                for code, label in CRITERIA[latest.framework]
            ],
            "results": counts.results,
            "changes": version_changes(
                latest.framework, latest.parameters, job.parameters["parameters"]
            ),
        }
    return render(
        request,
        "outcomes/assessment/outcome_plan_edit.html",
        {
            **_in_force(form.editor),
            "form": form,
            "latest": latest,
            "job": job,
            "preview": preview,
            "draft_problems": draft_problems,
            "draft_outcomes": draft_outcomes,
            "next_version": latest.version + 1,
        },
        status=status,
    )
