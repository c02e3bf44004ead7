"""The feeds API: submit a file (202 with its job), list submissions, read every error a
page at a time."""

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
    assert body["row_errors_count"] == 1
    assert body["row_errors_url"] == f"/api/feeds/{submission.pk}/errors/"


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
    assert client.get(f"/api/feeds/{submission.pk}/errors/").status_code == 403
    assert client.post("/api/feeds/", _payload()).status_code == 403
    assert FeedSubmission.objects.count() == 1
    assert Job.objects.count() == 1


def test_an_unknown_submission_is_not_found(world: World) -> None:
    client = client_for(world.programme_manager)

    assert client.get("/api/feeds/424242/").status_code == 404


def test_the_feeds_api_is_in_the_schema(world: World) -> None:
    schema = client_for(world.programme_manager).get("/api/schema/?format=json").json()

    assert {"/api/feeds/", "/api/feeds/{id}/", "/api/feeds/{id}/errors/"} <= set(schema["paths"])
    post = schema["paths"]["/api/feeds/"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert "202" in post["responses"]


def _rejected_with_errors(world: World, how_many: int) -> FeedSubmission:
    submission = feed_submission_create(
        actor=world.programme_manager.user,
        agency=world.police,
        kind="asb",
        extract_date=datetime.date(2025, 9, 1),
        filename="asb.csv",
        content=(EXAMPLES / "asb.csv").read_bytes(),
        valid_rows_only=False,
    )
    # As the import stores them: one error per bad cell, in the file's order.
    submission.row_errors = [
        {"row": n + 2, "column": "incident_date", "message": f"Error {n}"} for n in range(how_many)
    ]
    submission.status = "rejected"
    submission.save(update_fields=["row_errors", "status"])
    return submission


def test_the_detail_gives_the_count_the_first_page_and_where_the_rest_are(world: World) -> None:
    submission = _rejected_with_errors(world, 250)

    body = client_for(world.programme_manager).get(f"/api/feeds/{submission.pk}/").json()

    assert body["row_errors_count"] == 250
    assert [e["message"] for e in body["row_errors"]] == [f"Error {n}" for n in range(100)]
    assert body["row_errors_url"] == f"/api/feeds/{submission.pk}/errors/"


def test_every_row_error_can_be_read_a_page_at_a_time(world: World) -> None:
    submission = _rejected_with_errors(world, 250)
    client = client_for(world.programme_manager)

    first = client.get(f"/api/feeds/{submission.pk}/errors/").json()
    last = client.get(f"/api/feeds/{submission.pk}/errors/?page=3").json()
    whole = client.get(f"/api/feeds/{submission.pk}/errors/?page_size=1000").json()

    assert first["count"] == 250
    assert [e["row"] for e in first["results"]] == list(range(2, 102))
    assert first["next"].endswith(f"/api/feeds/{submission.pk}/errors/?page=2")
    assert first["previous"] is None
    assert [e["message"] for e in last["results"]] == [f"Error {n}" for n in range(200, 250)]
    assert last["next"] is None
    assert len(whole["results"]) == 250
    assert whole["results"][0] == {"row": 2, "column": "incident_date", "message": "Error 0"}
    assert client.get(f"/api/feeds/{submission.pk}/errors/?page=4").status_code == 404


def test_a_submission_without_errors_has_an_empty_first_page(world: World) -> None:
    submission = _rejected_with_errors(world, 0)
    client = client_for(world.programme_manager)

    detail = client.get(f"/api/feeds/{submission.pk}/").json()
    errors = client.get(f"/api/feeds/{submission.pk}/errors/").json()

    assert (detail["row_errors_count"], detail["row_errors"]) == (0, [])
    assert (errors["count"], errors["results"]) == (0, [])


def test_reading_the_errors_is_recorded(world: World) -> None:
    from audit.models import AccessEvent

    submission = _rejected_with_errors(world, 3)

    client_for(world.programme_manager).get(f"/api/feeds/{submission.pk}/errors/")

    event = AccessEvent.objects.get(object_type="feed_submission")
    assert (event.object_id, event.detail) == (str(submission.pk), {"what": "row errors"})


@pytest.mark.parametrize(
    "who", ["anonymous", "keyworker", "practitioner", "coordinator", "auditor", "dpo", "sysadmin"]
)
def test_only_programme_managers_read_the_row_errors(world: World, who: str) -> None:
    from audit.models import AccessEvent

    submission = _rejected_with_errors(world, 3)
    client = Client() if who == "anonymous" else client_for(getattr(world, who))

    response = client.get(f"/api/feeds/{submission.pk}/errors/")

    assert response.status_code == 403
    assert "Error" not in response.content.decode()
    assert not AccessEvent.objects.filter(object_type="feed_submission").exists()


def test_the_errors_of_an_unknown_submission_are_not_found(world: World) -> None:
    client = client_for(world.programme_manager)

    assert client.get("/api/feeds/424242/errors/").status_code == 404
    not_an_id = client.get("/api/feeds/abc/errors/")
    assert (not_an_id.status_code, not_an_id.json()) == (404, {"detail": "Not found."})


def test_the_row_errors_page_is_in_the_schema(world: World) -> None:
    schema = client_for(world.programme_manager).get("/api/schema/?format=json").json()

    get = schema["paths"]["/api/feeds/{id}/errors/"]["get"]
    assert {p["name"] for p in get["parameters"]} >= {"id", "page", "page_size"}
    page = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page == "#/components/schemas/PaginatedRowErrorList"
