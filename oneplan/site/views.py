"""Project-wide pages: start page, health checks, background job pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from agencies.models import User
from agencies.request_user import is_data_protection_officer, request_user_or_403
from audit.services import access_event_record
from oneplan.access_rules import PUBLIC, access_rule
from oneplan.jobs import job_kind_label, job_may_download
from oneplan.selectors import job_get_for_user_or_404
from oneplan.site.navigation import start_url_for


@login_required
@access_rule("any signed-in user; redirects to their role's start page")
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own start page."""
    assert isinstance(request.user, User)
    return redirect(start_url_for(request.user.staff_or_none))


@login_required
@access_rule("data protection officers")
def data_protection(request: HttpRequest) -> HttpResponse:
    """The data protection officer's tools in one place (DOMAIN.md 7): the navigation
    has room for the two used every week; the rest are linked from here."""
    request_user_or_403(
        request,
        is_data_protection_officer,
        "Only data protection officers use the data protection tools",
    )
    return render(request, "oneplan/data_protection.html")


@login_required
@access_rule("any signed-in user")
def account_not_set_up(request: HttpRequest) -> HttpResponse:
    return render(request, "oneplan/account_not_set_up.html", status=403)


@access_rule(PUBLIC)
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "oneplan/accessibility.html")


@access_rule(PUBLIC)
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "oneplan/privacy.html")


@access_rule(PUBLIC)
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving. Checks nothing else, so it never flaps."""
    return JsonResponse({"status": "ok"})


@access_rule(PUBLIC)
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: the database answers, Redis answers, migrations are applied."""
    checks: dict[str, str] = {}
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["database"] = "ok"
        checks["migrations"] = "ok" if not pending else f"{len(pending)} not applied"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        checks["database"] = f"error: {exc.__class__.__name__}"
        checks["migrations"] = "unknown"
    try:
        cache.set("readyz", "1", timeout=5)
        checks["redis"] = "ok" if cache.get("readyz") == "1" else "error: no round trip"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"error: {exc.__class__.__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


@login_required
@access_rule("the user who started the job (404 for anyone else)")
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = job_get_for_user_or_404(request.user, job_id)
    # htmx polls for the progress fragment only; a plain request gets the whole page.
    is_poll = bool(getattr(request, "htmx", False))
    template = "oneplan/job_progress.html" if is_poll else "oneplan/job_detail.html"
    return render(request, template, {"job": job, "kind_label": job_kind_label(job.kind)})


@login_required
@access_rule(
    "the user who started the job (404 for anyone else), while their role still lets "
    "them download its kind of file (403)"
)
def job_download(request: HttpRequest, job_id: str) -> FileResponse:
    job = job_get_for_user_or_404(request.user, job_id)
    if not job.result_file:
        raise Http404("This job has no result file")
    if not job_may_download(job.kind, request.user):
        raise PermissionDenied("Your role no longer lets you download this file")
    name = job.result_file.name.rsplit("/", 1)[-1]
    # A file leaves the service: its download is recorded, whatever it holds (issue 14).
    access_event_record(
        user=request.user,
        action="download",
        object_type="job",
        object_id=str(job.pk),
        request=request,
        detail={"kind": job.kind, "file": name},
    )
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=name)
