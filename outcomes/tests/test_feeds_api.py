"""The feeds API: submit a file (202 with its job), list submissions, read every error."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import World, client_for
from oneplan.models import Job
from outcomes.feeds.services import feed_submission_create, feed_submission_import
from outcomes.models import FeedSubmission

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "feeds"


def _payload(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "agency": "POLICE",
        "kind": "asb",
        "extract_date": "2025-09-01",
        "file": SimpleUploadedFile("asb.csv", (EXAMPLES / "asb.csv").read_bytes()),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_submitting_a_file_answers_202_with_the_submission_and_its_job(world: World) -> None:
    client = client_for(world.programme_manager)

    response = client.post("/api/feeds/", _payload(valid_rows_only="true"))

    assert response.status_code == 202, response.content
    body = response.json()
    submission = FeedSubmission.objects.get()
    assert submission.job is not None
    assert body["id"] == submission.pk
    assert body["agency"] == "POLICE"
    assert body["kind"] == "asb"
    assert body["extract_date"] == "2025-09-01"
    assert body["status"] == "received"
    assert body["valid_rows_only"] is True
    assert body["job"] == {
        "id": str(submission.job.pk),
        "status": "queued",
        "percent": 0,
        "url": f"/api/jobs/{submission.job.pk}/",
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"agency": "NOPE"}, "agency"),
        ({"kind": "gossip"}, "kind"),
        ({"extract_date": "01/09/2025"}, "extract_date"),
        ({"file": None}, "file"),
        ({"extract_date": "2099-01-01"}, "extract_date"),
    ],
)
def test_a_bad_submission_gets_400_naming_the_field(
    world: World, changes: dict[str, object], field: str
) -> None:
    response = client_for(world.programme_manager).post("/api/feeds/", _payload(**changes))

    assert response.status_code == 400
    assert field in response.json()
    assert not FeedSubmission.objects.exists()


def test_the_list_and_detail_report_counts_and_every_error(world: World) -> None:
    submission = feed_submission_create(
        actor=world.programme_manager.user,
        agency=world.police,
        kind="asb",
        extract_date=datetime.date(2025, 9, 1),
        filename="asb.csv",
        content=(EXAMPLES / "asb.csv").read_bytes().replace(b"2025-05-09", b"09/13/2025"),
        valid_rows_only=False,
    )
    feed_submission_import(submission=submission)
    client = client_for(world.programme_manager)

    listing = client.get("/api/feeds/")
    detail = client.get(f"/api/feeds/{submission.pk}/")

    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()["results"]] == [submission.pk]
    assert "row_errors" not in listing.json()["results"][0]
    body = detail.json()
    assert body["status"] == "rejected"
    assert (body["rows_read"], body["rows_rejected"], body["rows_accepted"]) == (3, 1, 0)
    assert body["row_errors"] == [
        {
            "row": 3,
            "column": "incident_date",
            "message": "Enter incident_date as YYYY-MM-DD or DD/MM/YYYY, not 09/13/2025",
        }
    ]
    assert body["warnings"] == []


@pytest.mark.parametrize(
    "who", ["anonymous", "keyworker", "practitioner", "coordinator", "auditor", "dpo", "sysadmin"]
)
def test_only_programme_managers_use_the_feeds_api(world: World, who: str) -> None:
    submission = feed_submission_create(
        actor=world.programme_manager.user,
        agency=world.police,
        kind="asb",
        extract_date=datetime.date(2025, 9, 1),
        filename="asb.csv",
        content=(EXAMPLES / "asb.csv").read_bytes(),
        valid_rows_only=False,
    )
    client = Client() if who == "anonymous" else client_for(getattr(world, who))

    assert client.get("/api/feeds/").status_code == 403
    assert client.get(f"/api/feeds/{submission.pk}/").status_code == 403
    assert client.post("/api/feeds/", _payload()).status_code == 403
    assert FeedSubmission.objects.count() == 1
    assert Job.objects.count() == 1


def test_an_unknown_submission_is_not_found(world: World) -> None:
    client = client_for(world.programme_manager)

    assert client.get("/api/feeds/424242/").status_code == 404


def test_the_feeds_api_is_in_the_schema(world: World) -> None:
    schema = client_for(world.programme_manager).get("/api/schema/?format=json").json()

    assert {"/api/feeds/", "/api/feeds/{id}/"} <= set(schema["paths"])
    post = schema["paths"]["/api/feeds/"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert "202" in post["responses"]
