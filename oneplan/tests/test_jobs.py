"""Background jobs: the progress page, running once, and a real Celery worker."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import Client
from django.urls import reverse

from agencies.services import system_actor
from conftest import World, build_world, client_for
from families.jobs import CASELOAD_SUMMARY_EXPORT
from oneplan.jobs import (
    JobOutcome,
    Progress,
    job_progress_update,
    job_run,
    job_start,
    register_job_runner,
)
from oneplan.models import Job, JobStatus
from tests.factories import StaffFactory


@pytest.fixture
def queued_job(world: World) -> Job:
    return Job.objects.create(kind=CASELOAD_SUMMARY_EXPORT, started_by=world.programme_manager.user)


def test_job_page_shows_progress_bar_and_polls_while_running(world: World, queued_job: Job) -> None:
    Job.objects.filter(pk=queued_job.pk).update(
        status=JobStatus.RUNNING, progress_done=3, progress_total=12
    )
    client = client_for(world.programme_manager)

    response = client.get(reverse("jobs:detail", args=[queued_job.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<progress id="job-progress-bar" class="app-progress" max="100" value="25">' in html
    assert "Progress: 25% (3 of 12)" in html
    assert 'hx-trigger="every 2s"' in html
    # Without JavaScript the page refreshes itself instead.
    assert '<meta http-equiv="refresh" content="5">' in html


def test_htmx_poll_gets_only_the_progress_fragment(world: World, queued_job: Job) -> None:
    client = client_for(world.programme_manager)

    response = client.get(reverse("jobs:detail", args=[queued_job.pk]), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith("{#") is False
    assert 'id="job-progress"' in html
    assert "<html" not in html


def test_finished_job_stops_polling_and_offers_download(world: World, queued_job: Job) -> None:
    job_run(job_id=str(queued_job.pk))
    client = client_for(world.programme_manager)

    response = client.get(reverse("jobs:detail", args=[queued_job.pk]))
    html = response.content.decode()
    assert "hx-trigger" not in html
    assert "Download the result" in html
    download = client.get(reverse("jobs:download", args=[queued_job.pk]))
    assert download.status_code == 200
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    assert content.splitlines()[0].startswith("LCG,Identified,Screened")
    # Three families in the world: Winchester, Havant and one unassigned.
    assert content.splitlines()[-1].startswith("Unassigned (outside every LCG),1,")


@pytest.mark.parametrize("who", ["anonymous", "other_person", "keyworker"])
def test_someone_elses_job_is_not_found(world: World, queued_job: Job, who: str) -> None:
    client = (
        Client()
        if who == "anonymous"
        else client_for(StaffFactory() if who == "other_person" else world.keyworker)
    )
    for name in ("jobs:detail", "jobs:download"):
        response = client.get(reverse(name, args=[queued_job.pk]))
        assert response.status_code in ((302,) if who == "anonymous" else (404,))
    api = client.get(f"/api/jobs/{queued_job.pk}/")
    assert api.status_code == (403 if who == "anonymous" else 404)


def test_running_a_job_twice_runs_it_once(world: World, queued_job: Job) -> None:
    calls: list[str] = []

    def counting_runner(job: Job, progress: Progress) -> JobOutcome:
        calls.append(str(job.pk))
        return JobOutcome(counts={"things": 1})

    from oneplan import jobs

    original = jobs._RUNNERS[CASELOAD_SUMMARY_EXPORT]
    jobs._RUNNERS[CASELOAD_SUMMARY_EXPORT] = counting_runner
    try:
        job_run(job_id=str(queued_job.pk))
        job_run(job_id=str(queued_job.pk))
    finally:
        jobs._RUNNERS[CASELOAD_SUMMARY_EXPORT] = original
    assert calls == [str(queued_job.pk)]
    queued_job.refresh_from_db()
    assert queued_job.status == JobStatus.SUCCEEDED
    assert queued_job.attempts == 1


def test_a_failing_runner_ends_in_a_visible_failed_state(world: World, queued_job: Job) -> None:
    def broken_runner(job: Job, progress: Progress) -> JobOutcome:
        progress(1, 10)
        raise ValueError("The file could not be read")

    from oneplan import jobs

    original = jobs._RUNNERS[CASELOAD_SUMMARY_EXPORT]
    jobs._RUNNERS[CASELOAD_SUMMARY_EXPORT] = broken_runner
    try:
        job_run(job_id=str(queued_job.pk))
    finally:
        jobs._RUNNERS[CASELOAD_SUMMARY_EXPORT] = original
    queued_job.refresh_from_db()
    assert queued_job.status == JobStatus.FAILED
    assert queued_job.errors[0]["message"] == "The file could not be read"
    page = client_for(world.programme_manager).get(reverse("jobs:detail", args=[queued_job.pk]))
    assert "The job did not finish" in page.content.decode()
    assert "The file could not be read" in page.content.decode()


def test_same_idempotency_key_returns_the_same_job(world: World) -> None:
    user = world.programme_manager.user
    key = uuid.uuid4().hex
    first = job_start(actor=user, kind=CASELOAD_SUMMARY_EXPORT, idempotency_key=key)
    second = job_start(actor=user, kind=CASELOAD_SUMMARY_EXPORT, idempotency_key=key)
    assert first.pk == second.pk
    assert Job.objects.count() == 1


def test_registering_a_second_runner_for_a_kind_is_refused() -> None:
    def other(job: Job, progress: Progress) -> JobOutcome:
        return JobOutcome()

    with pytest.raises(RuntimeError, match="already registered"):
        register_job_runner(CASELOAD_SUMMARY_EXPORT, other, label="Another export")


class _WorkFailed(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_progress_on_its_own_connection_outlives_the_jobs_transaction() -> None:
    # Given a job doing its work in one long transaction (as the feed import does)
    job = Job.objects.create(kind=CASELOAD_SUMMARY_EXPORT, started_by=system_actor())
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    side.set_autocommit(True)

    # When it reports progress through its own connection, then its work rolls back
    try:
        with pytest.raises(_WorkFailed), transaction.atomic():
            job_progress_update(str(job.pk), done=15, total=12, connection=side)
            raise _WorkFailed
    finally:
        side.close()

    # Then the progress was written at once, outside that transaction (and never past
    # the total); on the job's own connection it rolls back with the work
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (12, 12)
    with pytest.raises(_WorkFailed), transaction.atomic():
        job_progress_update(str(job.pk), done=1, total=20)
        raise _WorkFailed
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (12, 12)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_export_button_runs_the_job_on_a_real_worker(celery_worker_thread: None) -> None:
    w = build_world()
    client = client_for(w.programme_manager)

    response = client.post(reverse("families:export"), {"idempotency_key": "abc"})

    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    # The worker is another thread: wait (at most 10 s) for it to record the end.
    poll = threading.Event()
    for _ in range(200):
        job.refresh_from_db()
        if job.is_finished:
            break
        poll.wait(0.05)
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert job.counts == {"lcgs": 3, "families": 3}
    assert job.result_file.name.endswith(".csv")


@pytest.mark.parametrize(
    ("kind", "persona"),
    [
        ("evaluation_extract", "programme_manager"),
        ("quarterly_progress_return", "programme_manager"),
        ("lcg_caseload_export", "coordinator"),
        ("subject_access_assembly", "dpo"),
    ],
)
def test_a_file_is_downloaded_only_while_the_role_that_made_it_lasts(
    world: World, kind: str, persona: str
) -> None:
    """The one who started a job may download its file while their role still lets them
    make that kind of file: a programme manager moved to another role keeps no extract."""
    from django.core.files.base import ContentFile

    from oneplan.jobs import _DOWNLOAD_RULES

    assert kind in _DOWNLOAD_RULES  # the kind's own app registered its rule
    staff = getattr(world, persona)
    job = Job.objects.create(kind=kind, started_by=staff.user, status=JobStatus.SUCCEEDED)
    job.result_file.save("file.csv", ContentFile(b"reference\n"), save=True)
    client = client_for(staff)
    url = reverse("jobs:download", args=[job.pk])

    allowed = client.get(url)
    staff.roles = ["family_support_worker"]
    staff.save(update_fields=["roles"])
    refused = client.get(url)

    assert (allowed.status_code, refused.status_code) == (200, 403)
