"""Submitting and importing feeds: all or nothing, re-sends update, counts add up.

Real PostgreSQL; matching is the real ``outcomes.matching`` service.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from agencies.services import system_actor
from conftest import World
from families.models import HouseholdMembership, Person
from oneplan.errors import ApplicationError
from oneplan.jobs import job_run
from oneplan.models import Job, JobStatus
from outcomes.feeds import services
from outcomes.feeds.services import (
    ALL_ROWS_BAD,
    FAILED_MESSAGE,
    FEED_IMPORT_JOB,
    feed_submission_create,
    feed_submission_import,
)
from outcomes.models import (
    AssessmentQueue,
    Evidence,
    FeedSubmission,
    SourcePerson,
    SubmissionStatus,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "feeds"
EXTRACT = datetime.date(2025, 9, 1)

ASB_HEADER = (
    "record_id,person_id,given_name,family_name,date_of_birth,sex,address_line_1,postcode,"
    "upn,nhs_number,ni_number,incident_date,intervention"
)


def _csv(*rows: str, header: str = ASB_HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def _row(record: str, person: str, given: str, **extra: str) -> str:
    values = {
        "family_name": "Ashby",
        "date_of_birth": "1984-09-30",
        "sex": "M",
        "address_line_1": "14 Stanmore Lane",
        "postcode": "SO22 4BL",
        "upn": "",
        "nhs_number": "",
        "ni_number": "",
        "incident_date": "2025-02-11",
        "intervention": "warning",
        **extra,
    }
    return ",".join([record, person, given, *values.values()])


def _submit(
    world: World, content: bytes, *, kind: str = "asb", valid_rows_only: bool = False
) -> FeedSubmission:
    return feed_submission_create(
        actor=world.programme_manager.user,
        agency=world.police,
        kind=kind,
        extract_date=EXTRACT,
        filename="feed.csv",
        content=content,
        valid_rows_only=valid_rows_only,
        start_job=False,
    )


def _import(world: World, content: bytes, **options: Any) -> FeedSubmission:
    submission = feed_submission_import(submission=_submit(world, content, **options))
    submission.refresh_from_db()
    return submission


def _nothing_written() -> None:
    assert not Evidence.objects.exists()
    assert not SourcePerson.objects.exists()
    assert not AssessmentQueue.objects.exists()


def test_a_good_file_becomes_evidence_on_matched_people(world: World) -> None:
    people_before = Person.objects.count()
    content = (EXAMPLES / "asb.csv").read_bytes()

    submission = _import(world, content)

    assert submission.status == SubmissionStatus.IMPORTED
    assert submission.file_error == ""
    assert submission.row_errors == []
    assert (submission.rows_read, submission.rows_accepted, submission.rows_updated) == (3, 3, 0)
    assert submission.rows_rejected == 0
    # Two agency people (HSG-77 twice, HSG-91): both new to OnePlan.
    assert (submission.people_matched, submission.people_review, submission.people_created) == (
        0,
        0,
        2,
    )
    assert Person.objects.count() == people_before + 2
    assert submission.finished_at is not None
    evidence = {e.record_id: e for e in Evidence.objects.select_related("source")}
    assert set(evidence) == {"ASB-2201", "ASB-2245", "ASB-2290"}
    first = evidence["ASB-2201"]
    assert first.kind == "asb"
    assert first.agency_id == world.police.pk
    assert first.date == datetime.date(2025, 2, 11)
    assert first.end_date is None
    assert first.data == {"incident_date": "2025-02-11", "intervention": "warning"}
    assert first.is_restricted is False
    assert first.submission_id == submission.pk
    assert first.extract_date == EXTRACT
    assert first.source.source_person_id == "HSG-77"
    assert first.person_id == first.source.person_id is not None
    families = set(
        HouseholdMembership.objects.filter(
            person_id__in=[e.person_id for e in evidence.values()]
        ).values_list("family_id", flat=True)
    )
    assert submission.families_touched == len(families) >= 1
    assert set(AssessmentQueue.objects.values_list("family_id", flat=True)) >= families


def test_sending_the_same_rows_again_updates_them_and_never_duplicates(world: World) -> None:
    content = (EXAMPLES / "asb.csv").read_bytes()
    first = _import(world, content)
    before = {e.record_id: e.updated_at for e in Evidence.objects.all()}
    changed = content.replace(b"2025-05-09,abc", b"2025-05-09,injunction")

    second = _import(world, changed)

    assert second.status == SubmissionStatus.IMPORTED
    assert (second.rows_accepted, second.rows_updated) == (0, 3)
    assert (second.people_matched, second.people_created) == (2, 0)
    assert Evidence.objects.count() == 3
    after = {e.record_id: e for e in Evidence.objects.all()}
    assert after["ASB-2245"].data["intervention"] == "injunction"
    assert after["ASB-2245"].updated_at > before["ASB-2245"]
    # Unchanged rows keep their time, so assessments that saw them need not be redone.
    assert after["ASB-2201"].updated_at == before["ASB-2201"]
    assert {e.submission_id for e in after.values()} == {second.pk}
    assert first.pk != second.pk


def test_restricted_kinds_are_marked_restricted(world: World) -> None:
    submission = _import(
        world, (EXAMPLES / "domestic_abuse.csv").read_bytes(), kind="domestic_abuse"
    )

    assert submission.status == SubmissionStatus.IMPORTED
    assert list(Evidence.objects.values_list("is_restricted", flat=True)) == [True, True]
    assert Evidence.objects.get(record_id="DA-9001").data == {
        "incident_date": "2025-03-22",
        "role": "victim",
        "marac": True,
    }


def test_one_bad_row_rejects_the_whole_file(world: World) -> None:
    content = _csv(
        _row("A1", "P1", "Dean"),
        _row("A2", "P2", "Kelly", date_of_birth="31/02/1986"),
        _row("A3", "P3", "Sam", intervention="asbo"),
    )

    submission = _import(world, content)

    assert submission.status == SubmissionStatus.REJECTED
    assert submission.row_errors == [
        {
            "row": 3,
            "column": "date_of_birth",
            "message": "Enter date_of_birth as YYYY-MM-DD or DD/MM/YYYY, not 31/02/1986",
        },
        {
            "row": 4,
            "column": "intervention",
            "message": "Enter intervention as warning, abc, injunction, order, "
            "notice_seeking_possession, eviction or incident, not asbo",
        },
    ]
    assert (submission.rows_read, submission.rows_rejected, submission.rows_accepted) == (3, 2, 0)
    assert submission.finished_at is not None
    _nothing_written()


def test_valid_rows_only_imports_the_good_rows_and_records_the_choice(world: World) -> None:
    content = _csv(
        _row("A1", "P1", "Dean"),
        _row("A2", "P2", "Kelly", date_of_birth="31/02/1986"),
        _row("A3", "P3", "Sam", family_name="Price", postcode="PO9 1AB"),
    )

    submission = _import(world, content, valid_rows_only=True)

    assert submission.status == SubmissionStatus.IMPORTED
    assert (submission.rows_read, submission.rows_accepted, submission.rows_rejected) == (3, 2, 1)
    assert [e["row"] for e in submission.row_errors] == [3]
    assert set(Evidence.objects.values_list("record_id", flat=True)) == {"A1", "A3"}
    assert submission.valid_rows_only is True
    assert submission.submitted_by == world.programme_manager.user
    notes = list(
        LogEntry.objects.filter(object_id=str(submission.pk)).values_list(
            "user_id", "change_message"
        )
    )
    assert notes == [
        (
            world.programme_manager.user.pk,
            "Imported the valid rows only: 2 imported, 1 with errors skipped",
        ),
        (
            world.programme_manager.user.pk,
            "Chose to import the valid rows only: rows with errors are skipped",
        ),
    ]


def test_valid_rows_only_with_no_good_row_imports_nothing(world: World) -> None:
    content = _csv(_row("A1", "P1", "Dean", postcode=""))

    submission = _import(world, content, valid_rows_only=True)

    assert submission.status == SubmissionStatus.REJECTED
    assert submission.file_error == ALL_ROWS_BAD
    _nothing_written()


def test_a_bad_file_is_rejected_with_its_message(world: World) -> None:
    submission = _import(world, "record_id,given_name\r\nR1,Zo\u00eb\r\n".encode("cp1252"))

    assert submission.status == SubmissionStatus.REJECTED
    assert submission.file_error.startswith("The file is not saved as UTF-8 text.")
    assert submission.rows_read == 0
    _nothing_written()


def test_missing_columns_reject_the_file(world: World) -> None:
    submission = _import(world, b"record_id,person_id\r\nR1,P1\r\n")

    assert submission.status == SubmissionStatus.REJECTED
    assert "given_name, family_name, date_of_birth, incident_date, intervention and postcode" in (
        submission.file_error
    )


def test_the_last_row_for_a_person_gives_their_identity(world: World) -> None:
    content = _csv(
        _row("A1", "P1", "Dean", address_line_1="1 Old Road"),
        _row("A2", "P1", "Dean", address_line_1="14 Stanmore Lane", incident_date="2025-03-01"),
    )

    submission = _import(world, content)

    assert submission.status == SubmissionStatus.IMPORTED
    source = SourcePerson.objects.get()
    assert source.address_line_1 == "14 Stanmore Lane"
    assert Evidence.objects.filter(source=source).count() == 2
    assert submission.people_created == 1


def test_an_existing_person_is_matched_on_an_identifier(world: World) -> None:
    person = Person.objects.get(given_name="Jordan", family_name="Ashby")
    content = _csv(
        _row(
            "A1",
            "P1",
            "Jordan",
            date_of_birth=person.date_of_birth.isoformat(),
            nhs_number=person.nhs_number,
        )
    )

    submission = _import(world, content)

    assert (submission.people_matched, submission.people_created) == (1, 0)
    assert Evidence.objects.get().person == person
    assert submission.families_touched >= 1
    assert AssessmentQueue.objects.filter(family=world.own_family).exists()


def test_evidence_of_a_person_waiting_in_review_has_no_person_yet(world: World) -> None:
    # A twin of someone already known: same surname, date of birth and address, another
    # given name. Matching cannot be sure, so a person decides later.
    known = Person.objects.get(given_name="Jordan", family_name="Ashby")
    address = world.own_family.address
    content = _csv(
        _row(
            "A1",
            "P1",
            "Casey",
            sex="",
            date_of_birth=known.date_of_birth.isoformat(),
            address_line_1=f'"{address.line_1}"',
            postcode=address.postcode,
        )
    )

    submission = _import(world, content)

    assert (submission.people_review, submission.people_matched, submission.people_created) == (
        1,
        0,
        0,
    )
    evidence = Evidence.objects.select_related("source").get()
    assert evidence.source.source_person_id == "P1"
    assert evidence.person is None


def test_a_failure_while_importing_leaves_nothing_half_written(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    submission = _submit(world, (EXAMPLES / "asb.csv").read_bytes())

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_evidence_upsert", broken)
    with pytest.raises(RuntimeError, match="database went away"):
        feed_submission_import(submission=submission)

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.FAILED
    assert submission.file_error == FAILED_MESSAGE
    _nothing_written()
    assert Person.objects.count() == 3  # only the world's own people


def test_importing_a_finished_submission_again_does_nothing(world: World) -> None:
    submission = _import(world, (EXAMPLES / "asb.csv").read_bytes())
    finished_at = submission.finished_at

    again = feed_submission_import(submission=submission)

    assert again.finished_at == finished_at
    assert Evidence.objects.count() == 3


def test_the_job_runs_the_import_and_reports_counts(world: World) -> None:
    submission = feed_submission_create(
        actor=world.programme_manager.user,
        agency=world.police,
        kind="asb",
        extract_date=EXTRACT,
        filename="C:\\Users\\me\\Desktop\\asb.csv",
        content=(EXAMPLES / "asb.csv").read_bytes(),
        valid_rows_only=False,
    )
    assert submission.job is not None
    assert submission.job.kind == FEED_IMPORT_JOB
    assert submission.job.parameters == {"submission_id": submission.pk}
    assert submission.filename == "asb.csv"

    job = job_run(job_id=str(submission.job.pk))

    assert job is not None and job.status == JobStatus.SUCCEEDED, job and job.errors
    assert job.counts["rows read"] == 3
    assert job.counts["new records"] == 3
    assert job.counts["people created"] == 2
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IMPORTED


def test_a_failing_job_shows_failed_on_the_submission(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    submission = feed_submission_create(
        actor=world.programme_manager.user,
        agency=world.police,
        kind="asb",
        extract_date=EXTRACT,
        filename="asb.csv",
        content=(EXAMPLES / "asb.csv").read_bytes(),
        valid_rows_only=False,
    )

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("matching fell over")

    monkeypatch.setattr(services, "sources_match", broken)
    assert submission.job is not None
    job = job_run(job_id=str(submission.job.pk))

    assert job is not None and job.status == JobStatus.FAILED
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.FAILED
    _nothing_written()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"kind": "gossip"}, "kind", "gossip is not a feed kind"),
        ({"content": b""}, "file", "The selected file is empty"),
        (
            {"extract_date": datetime.date(2099, 1, 1)},
            "extract_date",
            "The extract date must be today or in the past",
        ),
    ],
)
def test_submissions_that_cannot_be_accepted_are_refused(
    world: World, change: dict[str, Any], field: str, message: str
) -> None:
    arguments: dict[str, Any] = {
        "actor": world.programme_manager.user,
        "agency": world.police,
        "kind": "asb",
        "extract_date": EXTRACT,
        "filename": "asb.csv",
        "content": b"record_id\r\nR1\r\n",
        "valid_rows_only": False,
        **change,
    }

    with pytest.raises(ApplicationError) as caught:
        feed_submission_create(**arguments)

    assert (caught.value.field, caught.value.message) == (field, message)
    assert not FeedSubmission.objects.exists()


def test_an_inactive_agency_cannot_be_submitted_for(world: World) -> None:
    world.police.is_active = False
    world.police.save()

    with pytest.raises(ApplicationError, match="no longer active"):
        _submit(world, b"record_id\r\nR1\r\n")


@pytest.mark.parametrize(
    "who", ["keyworker", "practitioner", "coordinator", "auditor", "dpo", "sysadmin"]
)
def test_only_programme_managers_and_the_system_submit(world: World, who: str) -> None:
    with pytest.raises(ApplicationError, match="Only programme managers"):
        feed_submission_create(
            actor=getattr(world, who).user,
            agency=world.police,
            kind="asb",
            extract_date=EXTRACT,
            filename="asb.csv",
            content=b"record_id\r\nR1\r\n",
            valid_rows_only=False,
        )
    assert not FeedSubmission.objects.exists()
    assert not Job.objects.exists()

    by_system = feed_submission_create(
        actor=system_actor(),
        agency=world.police,
        kind="asb",
        extract_date=timezone.localdate(),
        filename="asb.csv",
        content=b"record_id\r\nR1\r\n",
        valid_rows_only=False,
        start_job=False,
    )
    assert by_system.submitted_by.username == "oneplan-system"
