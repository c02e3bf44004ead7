"""The tf2 Outcome Plan pages (programme managers): the plan, the editor with its
preview, and the version history. Parse, check, call one service, render."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError
from oneplan.jobs import job_start
from oneplan.models import Job, JobStatus
from oneplan.selectors import job_get_for_user_or_404
from outcomes.assessment import selectors, services
from outcomes.assessment.access import can_edit_outcome_plan
from outcomes.assessment.forms import OutcomePlanForm
from outcomes.frameworks.types import ParameterError
from outcomes.models import FrameworkVersion

PREVIEW = "outcome_plan_preview"


def _programme_manager(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not can_edit_outcome_plan(user):
        raise PermissionDenied("Only programme managers can see and change the Outcome Plan")
    return user


def _latest(user: User) -> FrameworkVersion:
    version = selectors.outcome_plan_version_for_user(user)
    if version is None:
        services.framework_versions_ensure()
        version = selectors.outcome_plan_version_for_user(user)
    if version is None:
        raise Http404("No Outcome Plan has been saved")
    return version


def _preview_job(user: User, job_id: str) -> Job | None:
    """The user's own preview job, or None for an empty id; 404 for anyone else's."""
    if not job_id:
        return None
    try:
        uuid.UUID(job_id)
    except ValueError:
        raise Http404("No such preview") from None
    job = job_get_for_user_or_404(user, job_id)
    if job.kind != services.ASSESSMENT_RUN_JOB or job.parameters.get("purpose") != PREVIEW:
        raise Http404("No such preview")
    return job


@login_required
@access_rule("programme managers")
def outcome_plan_detail(request: HttpRequest) -> HttpResponse:
    user = _programme_manager(request)
    version = _latest(user)
    problems, min_problems = selectors.outcome_plan_problems(version)
    return render(
        request,
        "outcomes/assessment/outcome_plan_detail.html",
        {"version": version, "problems": problems, "min_problems": min_problems},
    )


@login_required
@access_rule("programme managers")
def outcome_plan_versions(request: HttpRequest) -> HttpResponse:
    user = _programme_manager(request)
    return render(
        request,
        "outcomes/assessment/outcome_plan_versions.html",
        {"versions": list(selectors.outcome_plan_versions_for_user(user))},
    )


@login_required
@access_rule("programme managers")
def outcome_plan_version(request: HttpRequest, version: int) -> HttpResponse:
    user = _programme_manager(request)
    saved = selectors.outcome_plan_version_for_user(user, version)
    if saved is None:
        raise Http404("No such version")
    problems, min_problems = selectors.outcome_plan_problems(saved)
    return render(
        request,
        "outcomes/assessment/outcome_plan_detail.html",
        {
            "version": saved,
            "problems": problems,
            "min_problems": min_problems,
            "is_latest": saved.pk == _latest(user).pk,
            "historic": True,
        },
    )


@login_required
@access_rule("programme managers")
def outcome_plan_edit(request: HttpRequest) -> HttpResponse:
    """Edit, preview (a background job over every family), then save as a new version.

    Saving needs a finished preview of exactly the plan being saved, so nobody changes
    who is identified without first seeing by how much."""
    user = _programme_manager(request)
    latest = _latest(user)
    if request.method != "POST":
        job = _preview_job(user, request.GET.get("preview", ""))
        parameters = job.parameters["parameters"] if job is not None else latest.parameters
        based_on = int(job.parameters["based_on"]) if job is not None else latest.version
        form = OutcomePlanForm(
            parameters=parameters, based_on=based_on, preview=str(job.pk) if job else ""
        )
        return _edit_page(request, form, latest, job)

    action = request.POST.get("action", "")
    saving = action == "save"
    form = OutcomePlanForm(request.POST, parameters=latest.parameters, saving=saving)
    job = _preview_job(user, request.POST.get("preview", "")) if saving else None
    draft: dict[str, Any] | None = None
    if action not in ("preview", "save"):
        form.add_error(None, "Choose to preview the changes or to save them")
    elif form.is_valid():
        try:
            draft = form.parameters(latest.parameters)
        except ParameterError as exc:
            form.add_error(None, str(exc))
    if draft is not None and action == "preview":
        job = job_start(
            actor=user,
            kind=services.ASSESSMENT_RUN_JOB,
            parameters={
                "purpose": PREVIEW,
                "parameters": draft,
                "as_of": timezone.localdate().isoformat(),
                "based_on": form.cleaned_data["based_on"],
            },
        )
        return redirect(f"{reverse('outcomes:outcome-plan-edit')}?preview={job.pk}")
    if draft is not None and saving:
        try:
            saved = services.outcome_plan_save(
                actor=user,
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
                f"Version {saved.version} of the Outcome Plan is saved. Every family will "
                "be re-assessed under it in the background.",
            )
            return redirect("outcomes:outcome-plan")
    return _edit_page(request, form, latest, job, status=400)


def _edit_page(
    request: HttpRequest,
    form: OutcomePlanForm,
    latest: FrameworkVersion,
    job: Job | None,
    *,
    status: int = 200,
) -> HttpResponse:
    draft_problems = None
    if job is not None and not job.is_finished:
        draft_version = FrameworkVersion(
            framework=latest.framework, parameters=job.parameters["parameters"]
        )
        draft_problems = selectors.outcome_plan_problems(draft_version)[0]
    preview = None
    if job is not None and job.status == JobStatus.SUCCEEDED:
        counts = job.counts
        preview = {
            "as_of": date.fromisoformat(job.parameters["as_of"]),
            "families": counts.get("families", 0),
            "current": counts.get("identified by the current plan", 0),
            "edited": counts.get("identified by the edited plan", 0),
            "newly": counts.get("newly identified", 0),
            "no_longer": counts.get("no longer identified", 0),
        }
    return render(
        request,
        "outcomes/assessment/outcome_plan_edit.html",
        {
            "form": form,
            "latest": latest,
            "job": job,
            "preview": preview,
            "draft_problems": draft_problems,
            "next_version": latest.version + 1,
        },
        status=status,
    )
