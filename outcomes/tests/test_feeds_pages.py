"""Feed pages: who may use them, the upload form, the result page and its error report."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent
from conftest import World, client_for
from oneplan.models import Job, JobStatus
from outcomes.feeds.services import feed_submission_create, feed_submission_import
from outcomes.models import FeedSubmission, SubmissionStatus

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "feeds"
EXTRACT = datetime.date(2025, 9, 1)

BAD_ROWS = (
    b"record_id,person_id,given_name,family_name,date_of_birth,postcode,incident_date,"
    b"intervention,notes\r\n"
    b"A1,P1,Dean,Ashby,31/02/2010,SO22 4BL,2025-01-01,warning,\r\n"
    b"A2,P2,Kelly,Ashby,1986-04-12,,2025-01-01,=cmd(),\r\n"
)


def _submission(world: World, content: bytes = BAD_ROWS, *, run: bool = True) -> FeedSubmission:
    submission = feed_submission_create(
        actor=world.programme_manager.user,
        agency=world.police,
        kind="asb",
        extract_date=EXTRACT,
        filename="police-asb.csv",
        content=content,
        valid_rows_only=False,
    )
    if run:
        feed_submission_import(submission=submission)
    return submission


def _upload_data(world: World, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "agency": str(world.police.pk),
        "kind": "asb",
        "extract_date_day": "1",
        "extract_date_month": "9",
        "extract_date_year": "2025",
        "file": SimpleUploadedFile("asb.csv", (EXAMPLES / "asb.csv").read_bytes()),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --------------------------------------------------------------------------
# Who may use the pages
# --------------------------------------------------------------------------

DENIED = ["keyworker", "practitioner", "coordinator", "auditor", "dpo", "sysadmin"]


@pytest.mark.parametrize("who", ["anonymous", *DENIED])
def test_only_programme_managers_reach_any_feed_page(world: World, who: str) -> None:
    submission = _submission(world)
    client = Client() if who == "anonymous" else client_for(getattr(world, who))
    submissions_before = FeedSubmission.objects.count()
    jobs_before = Job.objects.count()
    urls = [
        reverse("outcomes:feed-list"),
        reverse("outcomes:feed-upload"),
        reverse("outcomes:feed-detail", args=[submission.pk]),
        reverse("outcomes:feed-errors", args=[submission.pk]),
    ]

    for url in urls:
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))
        else:
            assert response.status_code == 403, url
    # The police's own practitioner cannot send the police's feed either.
    posted = client.post(reverse("outcomes:feed-upload"), _upload_data(world))

    assert posted.status_code == (302 if who == "anonymous" else 403)
    assert FeedSubmission.objects.count() == submissions_before
    assert Job.objects.count() == jobs_before


def test_a_programme_manager_of_any_agency_may_submit_for_any_agency(world: World) -> None:
    # Programme managers' work spans the programme, whichever agency employs them.
    from tests.factories import StaffFactory

    manager = StaffFactory(agency=world.police, roles=["programme_manager"])
    client = client_for(manager)

    response = client.post(
        reverse("outcomes:feed-upload"), _upload_data(world, agency=str(world.council.pk))
    )

    assert response.status_code == 302
    submission = FeedSubmission.objects.get()
    assert submission.agency == world.council
    assert submission.submitted_by_id == manager.user.pk


# --------------------------------------------------------------------------
# List
# --------------------------------------------------------------------------


def test_the_list_says_when_nothing_was_submitted(world: World) -> None:
    response = client_for(world.programme_manager).get(reverse("outcomes:feed-list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "No feeds have been submitted yet" in html
    assert reverse("outcomes:feed-upload") in html


def test_the_list_shows_each_submission_with_status_and_counts(world: World) -> None:
    rejected = _submission(world)
    imported = _submission(world, (EXAMPLES / "asb.csv").read_bytes())

    response = client_for(world.programme_manager).get(reverse("outcomes:feed-list"))

    html = response.content.decode()
    assert reverse("outcomes:feed-detail", args=[rejected.pk]) in html
    assert reverse("outcomes:feed-detail", args=[imported.pk]) in html
    assert "Rejected: nothing imported" in html
    assert '<strong class="govuk-tag govuk-tag--green">Imported</strong>' in html
    assert html.count("Hampshire Constabulary") == 2


def test_the_list_runs_the_same_queries_however_many_submissions(
    world: World, django_assert_max_num_queries: object
) -> None:
    client = client_for(world.programme_manager)
    _submission(world)
    client.get(reverse("outcomes:feed-list"))
    for _ in range(5):
        _submission(world, run=False)

    with django_assert_max_num_queries(8):  # type: ignore[operator]
        response = client.get(reverse("outcomes:feed-list"))

    assert response.status_code == 200


# --------------------------------------------------------------------------
# Upload
# --------------------------------------------------------------------------


def test_uploading_a_file_starts_the_import_and_shows_its_page(world: World) -> None:
    client = client_for(world.programme_manager)

    response = client.post(
        reverse("outcomes:feed-upload"), _upload_data(world, valid_rows_only="on")
    )

    submission = FeedSubmission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outcomes:feed-detail", args=[submission.pk])
    assert (submission.agency, submission.kind, submission.extract_date) == (
        world.police,
        "asb",
        EXTRACT,
    )
    assert submission.filename == "asb.csv"
    assert submission.valid_rows_only is True
    assert submission.job is not None and submission.job.status == JobStatus.QUEUED
    assert submission.status == SubmissionStatus.RECEIVED


def test_the_form_says_what_is_missing_and_keeps_what_was_typed(world: World) -> None:
    client = client_for(world.programme_manager)

    response = client.post(
        reverse("outcomes:feed-upload"),
        _upload_data(world, agency="", file=None, extract_date_day="31", extract_date_month="2"),
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert '<h2 class="govuk-error-summary__title">' in html
    assert "Select the agency the data comes from" in html
    assert "Extract date must be a real date" in html
    assert "Select a file" in html
    assert '<option value="asb" selected>' in html
    assert 'value="31"' in html
    assert not FeedSubmission.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"extract_date_year": "2099"}, "Extract date must be today or in the past"),
        ({"kind": "gossip"}, "Select a valid choice"),
        ({"file": SimpleUploadedFile("empty.csv", b"")}, "The selected file is empty"),
    ],
)
def test_the_form_refuses_what_cannot_be_imported(
    world: World, changes: dict[str, object], message: str
) -> None:
    response = client_for(world.programme_manager).post(
        reverse("outcomes:feed-upload"), _upload_data(world, **changes)
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FeedSubmission.objects.exists()


def test_fix_and_upload_again_fills_in_agency_kind_and_date(world: World) -> None:
    submission = _submission(world)
    page = client_for(world.programme_manager).get(
        reverse("outcomes:feed-detail", args=[submission.pk])
    )
    again = (
        reverse("outcomes:feed-upload") + "?agency=POLICE&amp;kind=asb&amp;extract_date=2025-09-01"
    )
    assert again in page.content.decode()

    form = client_for(world.programme_manager).get(
        reverse("outcomes:feed-upload"),
        {"agency": "POLICE", "kind": "asb", "extract_date": "2025-09-01"},
    )

    html = form.content.decode()
    assert f'<option value="{world.police.pk}" selected>' in html
    assert '<option value="asb" selected>' in html
    for name, value in (
        ("extract_date_day", "1"),
        ("extract_date_month", "9"),
        ("extract_date_year", "2025"),
    ):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"', html), name


# --------------------------------------------------------------------------
# Result page
# --------------------------------------------------------------------------


def test_a_waiting_import_shows_progress_and_refreshes_itself(world: World) -> None:
    submission = _submission(world, run=False)
    assert submission.job is not None
    Job.objects.filter(pk=submission.job.pk).update(
        status=JobStatus.RUNNING, progress_done=3, progress_total=12
    )
    client = client_for(world.programme_manager)

    page = client.get(reverse("outcomes:feed-detail", args=[submission.pk]))
    fragment = client.get(
        reverse("outcomes:feed-detail", args=[submission.pk]), HTTP_HX_REQUEST="true"
    )

    html = page.content.decode()
    assert '<progress id="feed-progress-bar" class="app-progress" max="100" value="25">' in html
    assert 'hx-trigger="every 2s"' in html
    assert '<meta http-equiv="refresh" content="5">' in html
    assert "<html" not in fragment.content.decode()
    assert 'id="feed-result"' in fragment.content.decode()


def test_a_rejected_file_lists_every_row_error(world: World) -> None:
    submission = _submission(world)
    client = client_for(world.programme_manager)

    response = client.get(reverse("outcomes:feed-detail", args=[submission.pk]))

    html = response.content.decode()
    assert "Nothing from this file was imported" in html
    assert "hx-trigger" not in html
    assert "Enter date_of_birth as YYYY-MM-DD or DD/MM/YYYY, not 31/02/2010" in html
    assert "Enter postcode, or a uprn or household_id" in html
    assert "Cell H3 starts with" in html
    assert "These columns are not part of the asb feed and were ignored: notes." in html
    assert reverse("outcomes:feed-errors", args=[submission.pk]) in html
    assert AccessEvent.objects.filter(
        object_type="feed_submission", object_id=str(submission.pk), action="view"
    ).exists()


def test_an_imported_file_shows_its_counts(world: World) -> None:
    submission = _submission(world, (EXAMPLES / "asb.csv").read_bytes())

    html = (
        client_for(world.programme_manager)
        .get(reverse("outcomes:feed-detail", args=[submission.pk]))
        .content.decode()
    )

    assert "File imported" in html
    assert "3 records imported" in html
    assert "Fix the file and upload it again" not in html


def test_row_errors_are_shown_a_page_at_a_time(world: World) -> None:
    header = (
        b"record_id,person_id,given_name,family_name,date_of_birth,postcode,incident_date,"
        b"intervention\r\n"
    )
    rows = b"".join(
        f"A{i},P{i},Dean,Ashby,1984-01-01,SO22 4BL,2025-01-01,nope\r\n".encode() for i in range(150)
    )
    submission = _submission(world, header + rows)
    client = client_for(world.programme_manager)

    first = client.get(reverse("outcomes:feed-detail", args=[submission.pk])).content.decode()
    second = client.get(
        reverse("outcomes:feed-detail", args=[submission.pk]), {"page": 2}
    ).content.decode()

    assert first.count("Enter intervention as") == 100
    assert second.count("Enter intervention as") == 50
    assert 'aria-label="Row error pages"' in first


def test_the_error_report_downloads_as_csv_without_formulas(world: World) -> None:
    submission = _submission(world)

    response = client_for(world.programme_manager).get(
        reverse("outcomes:feed-errors", args=[submission.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="police-asb-errors-' in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "row,column,message"
    assert (
        lines[1]
        == '2,date_of_birth,"Enter date_of_birth as YYYY-MM-DD or DD/MM/YYYY, not 31/02/2010"'
    )
    assert len(lines) == 4
    assert AccessEvent.objects.filter(
        object_type="feed_submission", object_id=str(submission.pk), action="download"
    ).exists()


def test_a_missing_submission_is_not_found(world: World) -> None:
    client = client_for(world.programme_manager)

    assert client.get(reverse("outcomes:feed-detail", args=[999999])).status_code == 404
    assert client.get(reverse("outcomes:feed-errors", args=[999999])).status_code == 404
