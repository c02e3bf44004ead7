"""Exporting the caseload list (docs/caseload.md): the file's rows and columns in both
formats, restricted information left out, the access log, access asked again when the
job runs, and who may start an export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]
from pytest_django import DjangoDbBlocker

from audit.models import AccessAction, AccessEvent
from conftest import build_world, built_once, client_for, shared_data
from lcgs.caseload.export import (
    CASELOAD_EXPORT_JOB,
    COLUMNS,
    RESTRICTED_FILTER,
    caseload_export_start,
)
from lcgs.caseload.selectors import CaseloadQuery
from lcgs.tests.caseload_support import Caseload, build_caseload
from oneplan.errors import ApplicationError
from oneplan.jobs import job_run
from oneplan.models import Job, JobStatus

HEADINGS = [column.heading for column in COLUMNS]


@pytest.fixture(scope="module")
def caseload_once(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Caseload]:
    yield from built_once(django_db_blocker, lambda: build_caseload(build_world()))


@pytest.fixture
def caseload(request: pytest.FixtureRequest, caseload_once: Caseload, db: None) -> Caseload:
    return shared_data(request, caseload_once)


def _export(caseload: Caseload, persona: str, file_format: str, **filters: str) -> Job:
    user = getattr(caseload.world, persona).user
    job = caseload_export_start(actor=user, query=CaseloadQuery(**filters), file_format=file_format)
    finished = job_run(job_id=str(job.pk))
    assert finished is not None
    return finished


def _csv_rows(job: Job) -> list[list[str]]:
    with job.result_file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_holds_the_lists_families_in_its_order(caseload: Caseload) -> None:
    job = _export(caseload, "coordinator", "csv", status="plan_active", sort="-reference")

    assert job.status == JobStatus.SUCCEEDED, job.errors
    header, *rows = _csv_rows(job)
    assert header == HEADINGS
    assert [row[0] for row in rows] == [caseload.ref("active"), caseload.ref("drifting")]
    drifting = dict(zip(header, rows[1], strict=True))
    assert drifting["LCG"] == "Winchester LCG"
    assert drifting["Status"] == "Plan active"
    assert drifting["Track"] == "Local"
    assert drifting["Results"] == "At risk"
    assert drifting["Overdue actions"] == "1"
    assert drifting["Problems"] == "Getting a good education"
    assert "Review overdue" in drifting["Needs chasing"]
    assert job.counts == {"families": 2}
    assert job.progress_done == job.progress_total == 2


def test_restricted_information_is_never_in_the_file(caseload: Caseload) -> None:
    """The coordinator sees the domestic abuse need on the page; the file leaves it out,
    and holds no address at all."""
    job = _export(caseload, "coordinator", "csv")

    with job.result_file.open("rb") as handle:
        content = handle.read().decode("utf-8-sig")
    assert caseload.ref("drifting") in content
    assert "domestic" not in content.lower()
    address = caseload.families["drifting"].address
    assert address is not None
    assert address.postcode not in content and address.line_1 not in content


def test_a_list_filtered_by_a_restricted_need_is_not_exported(caseload: Caseload) -> None:
    user = caseload.world.coordinator.user
    jobs = Job.objects.count()

    with pytest.raises(ApplicationError) as refused:
        caseload_export_start(
            actor=user, query=CaseloadQuery(problem="domestic_abuse"), file_format="csv"
        )

    assert refused.value.message == RESTRICTED_FILTER
    assert Job.objects.count() == jobs


def test_the_xlsx_has_the_same_rows(caseload: Caseload) -> None:
    job = _export(caseload, "programme_manager", "xlsx", concern="overdue_actions")

    with job.result_file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADINGS
    assert sorted(r[0] for r in rows[1:]) == sorted(
        [caseload.ref("drifting"), caseload.ref("havant")]
    )
    assert all(isinstance(r[11], int) for r in rows[1:])  # overdue actions, a number


def test_the_export_is_in_the_access_log_with_every_family_in_the_file(
    caseload: Caseload,
) -> None:
    before = AccessEvent.objects.count()

    job = _export(caseload, "coordinator", "csv", concern="drift")

    started, listed = AccessEvent.objects.order_by("pk")[before:]
    assert started.action == AccessAction.EXPORT
    assert started.object_type == "lcg_caseload"
    assert started.detail["filters"] == {"concern": "drift"}
    assert listed.action == AccessAction.LIST
    assert listed.object_type == "lcg_caseload_export"
    assert listed.detail["families"] == [caseload.families["drifting"].pk]
    assert listed.detail["job"] == str(job.pk)


def test_the_job_lists_only_the_caseload_of_whoever_started_it(caseload: Caseload) -> None:
    job = _export(caseload, "other_coordinator", "csv")

    references = {row[0] for row in _csv_rows(job)[1:]}
    assert references == {caseload.world.other_lcg_family.reference, caseload.ref("havant")}


def test_a_role_taken_away_before_the_job_runs_stops_it(caseload: Caseload) -> None:
    staff = caseload.world.coordinator
    job = caseload_export_start(actor=staff.user, query=CaseloadQuery(), file_format="csv")
    staff.roles = ["family_support_worker"]
    staff.save(update_fields=["roles"])

    finished = job_run(job_id=str(job.pk))

    assert finished is not None and finished.status == JobStatus.FAILED
    assert not finished.result_file


def test_the_export_button_starts_the_job_and_leads_to_its_page(caseload: Caseload) -> None:
    client = client_for(caseload.world.coordinator)

    response = client.post(
        reverse("lcgs:caseload-export"),
        {"format": "xlsx", "status": "open", "idempotency_key": "twice"},
    )
    again = client.post(
        reverse("lcgs:caseload-export"),
        {"format": "xlsx", "status": "open", "idempotency_key": "twice"},
    )

    job = Job.objects.get(kind=CASELOAD_EXPORT_JOB, started_by=caseload.world.coordinator.user)
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert again["Location"] == response["Location"]
    assert job.parameters == {"format": "xlsx", "filters": {"status": "open"}}


def test_the_export_button_says_why_a_restricted_filter_is_refused(caseload: Caseload) -> None:
    client = client_for(caseload.world.coordinator)

    response = client.post(
        reverse("lcgs:caseload-export"), {"format": "csv", "problem": "health"}, follow=True
    )

    assert response.redirect_chain[0][0] == f"{reverse('lcgs:caseload-list')}?problem=health"
    assert "Exports never hold restricted information" in response.content.decode()
    assert not Job.objects.filter(kind=CASELOAD_EXPORT_JOB).exists()


@pytest.mark.parametrize("persona", ["keyworker", "practitioner", "auditor", "dpo"])
def test_other_roles_cannot_export(caseload: Caseload, persona: str) -> None:
    client: Client = client_for(getattr(caseload.world, persona))

    page = client.post(reverse("lcgs:caseload-export"), {"format": "csv"})
    api = client.post("/api/caseload/exports/", {"format": "csv"}, content_type="application/json")

    assert (page.status_code, api.status_code) == (403, 403)
    assert not Job.objects.filter(kind=CASELOAD_EXPORT_JOB).exists()
