"""Words that must agree with what they describe: the police call-outs indicator in the
singular and plural, and a feed's status beside its progress bar."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from conftest import World, client_for
from oneplan.models import Job, JobStatus
from outcomes.feeds.services import feed_submission_create
from outcomes.frameworks.checks import callouts_describe
from outcomes.frameworks.indicators import KINDS, Indicator
from outcomes.models import FeedSubmission

AS_OF = datetime.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("count", "as_of", "words"),
    [
        (1, None, "At least 1 police call-out (domestic abuse) in the last 12 months"),
        (2, None, "At least 2 police call-outs (domestic abuse) in the last 12 months"),
        (1, AS_OF, "No police call-outs (domestic abuse) in the last 12 months"),
        (3, AS_OF, "Fewer than 3 police call-outs (domestic abuse) in the last 12 months"),
    ],
)
def test_police_call_outs_are_counted_in_the_singular_and_plural(
    count: int, as_of: datetime.date | None, words: str
) -> None:
    indicator = Indicator(kind="police_callouts", count=count, codes=("domestic_abuse",))

    assert callouts_describe(indicator, as_of) == words


def test_the_indicator_menu_describes_one_call_out_in_the_singular() -> None:
    indicator = Indicator(kind="police_callouts", count=1, months=6, codes=("asb", "welfare"))

    assert KINDS["police_callouts"].describe(indicator) == (
        "At least 1 police call-out (anti-social behaviour or welfare) in the last 6 months"
    )


def _submission(world: World, *, status: str, done: int) -> FeedSubmission:
    submission = feed_submission_create(
        actor=world.programme_manager.user,
        agency=world.police,
        kind="asb",
        extract_date=datetime.date(2025, 9, 1),
        filename="police-asb.csv",
        content=b"record_id,person_id\r\n",
        valid_rows_only=False,
    )
    # The import job as a worker leaves it part of the way through.
    Job.objects.filter(pk=submission.job_id).update(
        status=status, progress_done=done, progress_total=100
    )
    submission.refresh_from_db()
    return submission


def test_a_feed_being_imported_says_so_beside_its_progress_bar(world: World) -> None:
    submission = _submission(world, status=JobStatus.RUNNING, done=61)
    client = client_for(world.programme_manager)

    detail = client.get(reverse("outcomes:feed-detail", args=[submission.pk])).content.decode()
    listed = client.get(reverse("outcomes:feed-list")).content.decode()

    assert "Progress: 61%" in detail
    assert "Being checked" in detail
    assert "The file is being checked and imported." in detail
    assert "Being checked" in listed
    assert "Waiting to be checked" not in detail + listed


def test_a_feed_not_started_yet_is_waiting_to_be_checked(world: World) -> None:
    submission = _submission(world, status=JobStatus.QUEUED, done=0)

    detail = client_for(world.programme_manager).get(
        reverse("outcomes:feed-detail", args=[submission.pk])
    )

    html = detail.content.decode()
    assert "Waiting to be checked" in html
    assert "The file will be checked and imported." in html
    assert "being checked" not in html
    assert submission.status_label == "Waiting to be checked"
