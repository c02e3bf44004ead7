"""Exporting a claim batch (docs/results.md, "Exporting a claim batch"): the layout of the
CSV and the XLSX, cells a spreadsheet would run as formulas, the lead adult's identifiers
by role, the access log, the job's progress, the idempotency key and who may start or
download an export."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

from agencies.services import system_actor
from audit.models import AccessAction, AccessEvent
from conftest import World, client_for
from families.models import Family, MemberRole
from oneplan.jobs import job_run
from oneplan.models import Job, JobStatus
from oneplan.spreadsheets import spreadsheet_text
from outcomes.assessment.services import framework_versions_ensure
from outcomes.claims import export
from outcomes.claims.access import can_export_claims, can_see_claim_identifiers
from outcomes.claims.export import CLAIM_BATCH_EXPORT_JOB, claim_batch_export_job
from outcomes.models import Claim, ClaimAudit, ClaimBatch
from outcomes.results.services import family_attach
from tests.factories import MembershipFactory

LAYOUT = [
    "Council code",
    "Family reference",
    "Framework",
    "Route",
    "Attachment date",
    "Claim date",
    "Amount",
    "Audit result",
    "Claim status",
    "Status reason",
]
IDENTIFIERS = ["Lead adult name", "Lead adult date of birth"]
FORMULA = '=HYPERLINK("http://evil.example","Click")'


@dataclass
class Exported:
    world: World
    batch: ClaimBatch


def _claim(
    batch: ClaimBatch,
    family: Family,
    *,
    attached_on: datetime.date,
    route: str,
    amount: str,
    claim_date: datetime.date,
    status: str = "proposed",
    reason: str = "",
) -> Claim:
    attachment, _ = family_attach(
        actor=system_actor(), family=family, framework="tf1", attached_on=attached_on
    )
    return Claim.objects.create(
        batch=batch,
        family=family,
        framework="tf1",
        framework_version=attachment.framework_version,
        route=route,
        claim_date=claim_date,
        amount=Decimal(amount),
        snapshot={},
        snapshot_sha256="0" * 64,
        status=status,
        status_reason=reason,
        created_at=timezone.now(),
    )


@pytest.fixture
def exported(world: World) -> Exported:
    """A batch of three claims: passed, awaiting audit (clawed back), not sampled
    (removed with a reason that looks like a formula)."""
    framework_versions_ensure()
    batch = ClaimBatch.objects.create(
        window_start=datetime.date(2025, 4, 1),
        window_end=datetime.date(2025, 9, 30),
        created_by=world.programme_manager.user,
        created_at=timezone.now(),
    )
    passed = _claim(
        batch,
        world.own_family,
        attached_on=datetime.date(2024, 9, 1),
        route="R3",
        amount="800.00",
        claim_date=datetime.date(2025, 4, 7),
    )
    ClaimAudit.objects.create(claim=passed, sampled_because="random", decision="pass")
    clawed = _claim(
        batch,
        world.other_lcg_family,
        attached_on=datetime.date(2024, 10, 15),
        route="R1+R2",
        amount="800.00",
        claim_date=datetime.date(2025, 5, 1),
        status="clawed_back",
        reason="Found invalid",
    )
    ClaimAudit.objects.create(claim=clawed, sampled_because="recorded")
    _claim(
        batch,
        world.unassigned_family,
        attached_on=datetime.date(2024, 11, 30),
        route="R1",
        amount="700.00",
        claim_date=datetime.date(2025, 6, 2),
        status="removed",
        reason=FORMULA,
    )
    return Exported(world, batch)


def _export(client: Client, batch: ClaimBatch, file_format: str, key: str = "k1") -> Job:
    response = client.post(
        reverse("outcomes:claim-batch-export", args=[batch.pk]),
        {"format": file_format, "idempotency_key": key},
    )
    assert response.status_code == 302
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert response["Location"] == reverse("jobs:detail", args=[job_id])
    return Job.objects.get(pk=job_id, kind=CLAIM_BATCH_EXPORT_JOB)


def _run_and_download(client: Client, job: Job) -> bytes:
    job_run(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.errors
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    return b"".join(download.streaming_content)


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # a byte order mark: spreadsheets read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- The one neutralising function --------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+44 1962 000000", "'+44 1962 000000"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        (FORMULA, "'" + FORMULA),
        # Anything else is left as it is, a formula character later in the text too.
        ("F-000123", "F-000123"),
        ("R1+R2", "R1+R2"),
        ("a=b", "a=b"),
        (" =1", " =1"),
        ("'=1", "'=1"),
        ("", ""),
        ("£800", "£800"),
    ],
)
def test_text_a_spreadsheet_would_run_gets_a_quote_in_front(value: str, written: str) -> None:
    assert spreadsheet_text(value) == written


# --- Who may export, and who sees identifiers -----------------------------------------


@pytest.mark.parametrize(
    ("persona", "exports", "identifiers"),
    [
        ("programme_manager", True, True),
        ("auditor", True, False),  # verifies evidence: the family reference is enough
        ("senior_officer", True, False),  # reads claims; no identifiers
        ("keyworker", False, False),
        ("coordinator", False, False),
        ("practitioner", False, False),
        ("dpo", False, False),
        ("sysadmin", False, False),
    ],
)
def test_who_exports_claims_and_who_sees_the_lead_adult(
    world: World, persona: str, exports: bool, identifiers: bool
) -> None:
    user = getattr(world, persona).user
    assert can_export_claims(user) is exports
    assert can_see_claim_identifiers(user) is identifiers


# --- The files ------------------------------------------------------------------------


def test_csv_layout_one_row_per_claim_for_a_programme_manager(
    exported: Exported, settings: Any
) -> None:
    settings.ONEPLAN_COUNCIL_CODE = "E10000014"
    client = client_for(exported.world.programme_manager)
    job = _export(client, exported.batch, "csv")

    rows = _csv_rows(_run_and_download(client, job))

    w = exported.world
    assert rows[0] == LAYOUT + IDENTIFIERS
    by_reference = {row[1]: row for row in rows[1:]}
    assert len(rows) == 4 and len(by_reference) == 3
    assert [row[1] for row in rows[1:]] == sorted(by_reference)
    own = w.own_family.memberships.get().person
    assert by_reference[w.own_family.reference] == [
        "E10000014",
        w.own_family.reference,
        "tf1",
        "R3",
        "2024-09-01",
        "2025-04-07",
        "800.00",
        "passed",
        "proposed",
        "",
        "Jordan Ashby",
        own.date_of_birth.isoformat(),
    ]
    clawed = by_reference[w.other_lcg_family.reference]
    assert clawed[2:10] == [
        "tf1",
        "R1+R2",
        "2024-10-15",
        "2025-05-01",
        "800.00",
        "awaiting audit",
        "clawed back",
        "Found invalid",
    ]
    removed = by_reference[w.unassigned_family.reference]
    assert removed[6:10] == ["700.00", "not sampled", "removed", "'" + FORMULA]
    assert removed[10] == "Riley Cole"
    job.refresh_from_db()
    assert job.counts == {"claims": 3}
    assert job.result_file.name.endswith(".csv")


def test_xlsx_layout_typed_cells_and_no_formula_for_an_auditor(exported: Exported) -> None:
    client = client_for(exported.world.auditor)
    job = _export(client, exported.batch, "xlsx")

    content = _run_and_download(client, job)

    rows = _xlsx_rows(content)
    # No identifiers for the internal auditor: the family reference only.
    assert rows[0] == LAYOUT
    w = exported.world
    by_reference = {row[1]: row for row in rows[1:]}
    assert by_reference[w.own_family.reference] == [
        "E10000014",
        w.own_family.reference,
        "tf1",
        "R3",
        datetime.datetime(2024, 9, 1),
        datetime.datetime(2025, 4, 7),
        800,
        "passed",
        "proposed",
        None,
    ]
    removed = by_reference[w.unassigned_family.reference]
    assert removed[6:10] == [700, "not sampled", "removed", "'" + FORMULA]
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    amount = sheet.cell(row=2, column=7)
    assert amount.data_type == "n" and "£" in amount.number_format
    assert sheet.cell(row=2, column=5).number_format == "yyyy-mm-dd"
    # Text, never a formula: no cell of the workbook is a formula.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert "Jordan" not in str(rows)


def test_a_council_code_that_looks_like_a_formula_is_written_as_text(
    exported: Exported, settings: Any
) -> None:
    settings.ONEPLAN_COUNCIL_CODE = "@cmd|' /C calc'!A0"
    client = client_for(exported.world.programme_manager)

    csv_rows = _csv_rows(_run_and_download(client, _export(client, exported.batch, "csv")))
    xlsx_rows = _xlsx_rows(
        _run_and_download(client, _export(client, exported.batch, "xlsx", key="k2"))
    )

    assert {row[0] for row in csv_rows[1:]} == {"'@cmd|' /C calc'!A0"}
    assert {row[0] for row in xlsx_rows[1:]} == {"'@cmd|' /C calc'!A0"}


def test_the_lead_adult_is_the_first_parent_or_carer_else_another_adult(
    exported: Exported,
) -> None:
    w = exported.world
    # A child who joined before the parent does not lead the family.
    MembershipFactory(
        family=w.own_family, role=MemberRole.CHILD, start_date=datetime.date(2020, 1, 1)
    )
    # No current parent or carer: the other adult leads, not the child who came first.
    w.other_lcg_family.memberships.update(end_date=datetime.date(2025, 2, 1))
    MembershipFactory(
        family=w.other_lcg_family, role=MemberRole.CHILD, start_date=datetime.date(2019, 1, 1)
    )
    MembershipFactory(
        family=w.other_lcg_family,
        role=MemberRole.OTHER_ADULT,
        start_date=datetime.date(2024, 1, 1),
        person__given_name="Sam",
        person__family_name="Dale",
    )
    client = client_for(w.programme_manager)

    rows = _csv_rows(_run_and_download(client, _export(client, exported.batch, "csv")))

    leads = {row[1]: row[10] for row in rows[1:]}
    assert leads[w.own_family.reference] == "Jordan Ashby"
    assert leads[w.other_lcg_family.reference] == "Sam Dale"


# --- The job: progress, the access log, the key ---------------------------------------


def test_the_job_reads_in_chunks_and_its_progress_reaches_the_total(
    exported: Exported, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "CHUNK", 2)
    job = Job.objects.create(
        kind=CLAIM_BATCH_EXPORT_JOB,
        started_by=exported.world.programme_manager.user,
        parameters={"batch": exported.batch.pk, "format": "csv", "identifiers": True},
    )
    reported: list[tuple[int, int]] = []

    outcome = claim_batch_export_job(job, lambda done, total: reported.append((done, total)))

    assert reported == [(0, 3), (2, 3), (3, 3)]
    assert outcome.counts == {"claims": 3}
    # Run as the worker runs it: the progress is on the job, complete.
    ran = Job.objects.create(
        kind=CLAIM_BATCH_EXPORT_JOB,
        started_by=exported.world.programme_manager.user,
        parameters={"batch": exported.batch.pk, "format": "xlsx", "identifiers": True},
    )
    job_run(job_id=str(ran.pk))
    ran.refresh_from_db()
    assert (ran.progress_done, ran.progress_total, ran.percent) == (3, 3, 100)


def test_starting_an_export_is_recorded_and_the_file_names_each_family(
    exported: Exported,
) -> None:
    w = exported.world
    client = client_for(w.programme_manager)

    job = _export(client, exported.batch, "xlsx")

    started = AccessEvent.objects.get(action=AccessAction.EXPORT)
    assert (started.user_id, started.object_type, started.object_id) == (
        w.programme_manager.user.pk,
        "claim_batch",
        str(exported.batch.pk),
    )
    assert started.detail == {"format": "xlsx", "job": str(job.pk), "identifiers": True}
    assert started.path == reverse("outcomes:claim-batch-export", args=[exported.batch.pk])
    _run_and_download(client, job)
    listed = AccessEvent.objects.get(action=AccessAction.LIST, object_type="claim_batch_export")
    assert listed.user_id == w.programme_manager.user.pk
    assert sorted(listed.detail["families"]) == sorted(
        [w.own_family.pk, w.other_lcg_family.pk, w.unassigned_family.pk]
    )
    assert listed.detail["identifiers"] is True


def test_a_double_click_starts_one_job_and_a_new_page_another(exported: Exported) -> None:
    client = client_for(exported.world.programme_manager)

    first = _export(client, exported.batch, "csv", key="1700000000123456")
    again = _export(client, exported.batch, "csv", key="1700000000123456")
    other_format = _export(client, exported.batch, "xlsx", key="1700000000123456")

    assert first.pk == again.pk
    assert other_format.pk != first.pk
    assert Job.objects.filter(kind=CLAIM_BATCH_EXPORT_JOB).count() == 2


def test_someone_elses_key_does_not_return_their_job(exported: Exported) -> None:
    w = exported.world
    mine = _export(client_for(w.programme_manager), exported.batch, "csv", key="same")

    theirs = _export(client_for(w.auditor), exported.batch, "csv", key="same")

    assert theirs.pk != mine.pk
    assert theirs.started_by_id == w.auditor.user.pk


def test_a_role_taken_away_before_the_job_runs_stops_the_export(exported: Exported) -> None:
    w = exported.world
    client = client_for(w.auditor)
    job = _export(client, exported.batch, "csv")
    w.auditor.roles = []
    w.auditor.save()

    job_run(job_id=str(job.pk))

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert not job.result_file
    assert job.errors[0]["message"] == "Your role does not let you export claims"
    assert not AccessEvent.objects.filter(object_type="claim_batch_export").exists()


def test_an_unknown_format_is_refused_with_a_message_and_starts_nothing(
    exported: Exported,
) -> None:
    client = client_for(exported.world.programme_manager)
    page = reverse("outcomes:claim-batch", args=[exported.batch.pk])

    response = client.post(
        reverse("outcomes:claim-batch-export", args=[exported.batch.pk]),
        {"format": "pdf"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == page
    assert "Choose CSV or XLSX" in response.content.decode()
    assert not Job.objects.exists()
    assert not AccessEvent.objects.filter(action=AccessAction.EXPORT).exists()


# --- Who may start and download -------------------------------------------------------


@pytest.mark.parametrize("persona", ["keyworker", "coordinator", "dpo", "sysadmin"])
def test_other_roles_are_refused_and_nothing_starts(exported: Exported, persona: str) -> None:
    client = client_for(getattr(exported.world, persona))

    page = client.post(
        reverse("outcomes:claim-batch-export", args=[exported.batch.pk]), {"format": "csv"}
    )
    api = client.post(
        f"/api/claim-batches/{exported.batch.pk}/exports/",
        {"format": "csv"},
        content_type="application/json",
    )

    assert (page.status_code, api.status_code) == (403, 403)
    assert not Job.objects.exists()
    assert not AccessEvent.objects.exclude(action=AccessAction.REFUSED).exists()


def test_only_the_person_who_started_an_export_downloads_it(exported: Exported) -> None:
    w = exported.world
    job = _export(client_for(w.programme_manager), exported.batch, "csv")
    job_run(job_id=str(job.pk))

    auditor = client_for(w.auditor)

    assert auditor.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert auditor.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert auditor.get(f"/api/jobs/{job.pk}/").status_code == 404


def test_the_batch_page_offers_both_exports_to_those_who_may(exported: Exported) -> None:
    page = reverse("outcomes:claim-batch", args=[exported.batch.pk])
    for persona in ("programme_manager", "auditor"):
        html = client_for(getattr(exported.world, persona)).get(page).content.decode()
        assert "Export as CSV" in html and "Export as XLSX" in html
        assert reverse("outcomes:claim-batch-export", args=[exported.batch.pk]) in html
    assert client_for(exported.world.keyworker).get(page).status_code == 403


# --- The API --------------------------------------------------------------------------


def test_the_api_starts_an_export_and_answers_with_the_job(exported: Exported) -> None:
    client = client_for(exported.world.auditor)
    url = f"/api/claim-batches/{exported.batch.pk}/exports/"

    response = client.post(
        url, {"format": "xlsx", "idempotency_key": "a"}, content_type="application/json"
    )
    again = client.post(
        url, {"format": "xlsx", "idempotency_key": "a"}, content_type="application/json"
    )

    assert response.status_code == 202
    job = Job.objects.get(kind=CLAIM_BATCH_EXPORT_JOB)
    assert response.json() == {
        "id": str(job.pk),
        "status": "queued",
        "percent": 0,
        "url": f"/api/jobs/{job.pk}/",
        "page_url": f"/jobs/{job.pk}/",
    }
    assert again.json()["id"] == str(job.pk)
    assert job.parameters == {"batch": exported.batch.pk, "format": "xlsx", "identifiers": False}


def test_the_api_refuses_a_bad_format_and_a_missing_batch(exported: Exported) -> None:
    client = client_for(exported.world.programme_manager)

    bad = client.post(
        f"/api/claim-batches/{exported.batch.pk}/exports/",
        {"format": "pdf"},
        content_type="application/json",
    )
    missing = client.post(
        f"/api/claim-batches/{exported.batch.pk + 1000}/exports/",
        {"format": "csv"},
        content_type="application/json",
    )

    assert bad.status_code == 400
    assert bad.json() == {"format": ["Choose csv or xlsx"]}
    assert missing.status_code == 404
    assert not Job.objects.exists()


def test_the_export_route_is_in_the_openapi_schema(world: World) -> None:
    schema = client_for(world.programme_manager).get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/claim-batches/{batch_id}/exports/"]["post"]

    assert "202" in operation["responses"]
