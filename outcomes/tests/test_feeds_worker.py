"""A feed uploaded in the browser is imported by a real Celery worker."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import build_world, client_for
from oneplan.models import JobStatus
from outcomes.models import Evidence, FeedSubmission, SubmissionStatus

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "feeds"


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_an_uploaded_feed_is_imported_by_a_real_worker(celery_worker_thread: None) -> None:
    world = build_world()
    client = client_for(world.programme_manager)

    response = client.post(
        reverse("outcomes:feed-upload"),
        {
            "agency": str(world.police.pk),
            "kind": "school_attendance",
            "extract_date_day": "1",
            "extract_date_month": "9",
            "extract_date_year": "2025",
            "file": SimpleUploadedFile(
                "attendance.csv", (EXAMPLES / "school_attendance.csv").read_bytes()
            ),
        },
    )

    submission = FeedSubmission.objects.get()
    assert response.status_code == 302
    assert submission.job is not None
    job = submission.job
    # The worker is another thread: wait (at most 30 s) for it to record the end.
    poll = threading.Event()
    for _ in range(600):
        job.refresh_from_db()
        if job.is_finished:
            break
        poll.wait(0.05)
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert job.progress_done == job.progress_total == 12
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IMPORTED
    assert (submission.rows_read, submission.rows_accepted) == (4, 4)
    assert Evidence.objects.filter(kind="school_attendance").count() == 4
    page = client.get(reverse("outcomes:feed-detail", args=[submission.pk]))
    assert "File imported" in page.content.decode()
