"""The pseudonymised evaluation extract (issue 14, "Done when"): a seeded canary family's
name, address, date of birth and free text are nowhere in the file; pseudonyms are
stable with the same key and differ with another key; age bands; the log, the download
and who may do what."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from conftest import World, client_for
from oneplan.jobs import job_run
from oneplan.models import Job, JobStatus
from outcomes.assessment.services import framework_versions_ensure
from outcomes.extracts.models import ExtractLog
from outcomes.extracts.rules import FIELD_CODES, age_band, pseudonym
from outcomes.extracts.services import evaluation_extract_start
from outcomes.models import Attachment, FrameworkVersion
from tests.factories import FamilyFactory, MembershipFactory

D = datetime.date.fromisoformat
REFERENCE = D("2025-03-31")
CANARY = {
    "given_name": "Zebediah",
    "family_name": "Quillfeather",
    "line_1": "17 Canarywharf Lane",
    "town": "Kingsworthyton",
    "postcode": "SO22 9ZQ",
    "summary": "Canary free text: the family met at the Bellweather cafe",
}
BORN = D("1984-07-14")


@pytest.mark.parametrize(
    ("born", "on", "band"),
    [
        ("2025-03-31", "2025-03-31", "0-4"),
        ("2020-04-01", "2025-03-31", "0-4"),  # 4 until the day before their fifth birthday
        ("2020-03-31", "2025-03-31", "5-10"),
        ("2014-04-01", "2025-03-31", "5-10"),
        ("2014-03-31", "2025-03-31", "11-15"),
        ("2009-03-31", "2025-03-31", "16-17"),
        ("2007-03-31", "2025-03-31", "18-24"),
        ("2000-03-31", "2025-03-31", "25-34"),
        ("1990-03-31", "2025-03-31", "35-49"),
        ("1975-03-31", "2025-03-31", "50-64"),
        ("1960-03-31", "2025-03-31", "65+"),
        ("2008-02-29", "2025-02-28", "16-17"),  # born on 29 February: 17 on 1 March
        ("2008-02-29", "2026-03-01", "18-24"),
        ("2026-01-01", "2025-03-31", ""),
    ],
)
def test_age_bands(born: str, on: str, band: str) -> None:
    assert age_band(D(born), D(on)) == band


def _canary(world: World) -> Any:
    framework_versions_ensure()
    family = FamilyFactory(
        lcg=world.winchester,
        address__line_1=CANARY["line_1"],
        address__town=CANARY["town"],
        address__postcode=CANARY["postcode"],
    )
    MembershipFactory(
        family=family,
        role="parent_carer",
        person__given_name=CANARY["given_name"],
        person__family_name=CANARY["family_name"],
        person__date_of_birth=BORN,
        person__sex="F",
        start_date=D("2024-01-01"),
    )
    Attachment.objects.create(
        family=family,
        framework="tf2",
        framework_version=FrameworkVersion.objects.filter(framework="tf2").order_by("version")[0],
        attached_on=D("2024-09-02"),
        eligible_at_entry=True,
        entry_criteria={
            "crime": {"met": True, "reasons": [CANARY["summary"]]},
            "domestic_abuse": {"met": True, "reasons": ["restricted"]},
            "education": {"met": False, "reasons": []},
        },
        entry_summary=CANARY["summary"],
        created_by=world.programme_manager.user,
        created_at=timezone.now(),
    )
    return family


def _extract(world: World, partner: str = "Evaluators Ltd") -> tuple[ExtractLog, str]:
    log = evaluation_extract_start(
        actor=world.programme_manager.user,
        partner=partner,
        fields=list(FIELD_CODES),
        reference_date=REFERENCE,
    )
    job = job_run(job_id=str(log.job_id))
    assert job is not None and job.status == JobStatus.SUCCEEDED, job and job.errors
    log.refresh_from_db()
    with job.result_file.open("rb") as handle:
        return log, handle.read().decode("utf-8-sig")


def test_the_canary_familys_identity_and_free_text_are_not_in_the_file(world: World) -> None:
    family = _canary(world)
    log, text = _extract(world)

    lowered = text.lower()
    for value in (
        CANARY["given_name"],
        CANARY["family_name"],
        CANARY["line_1"],
        "canarywharf",
        CANARY["town"],
        CANARY["postcode"],
        CANARY["postcode"].replace(" ", ""),
        "bellweather",
        BORN.isoformat(),
        f"{BORN.day:02d}/{BORN.month:02d}/{BORN.year}",
        "1984-07",
        family.reference,
        "domestic_abuse",
    ):
        assert value.lower() not in lowered, value
    key_row = [line for line in text.splitlines() if "Winchester LCG" in line and "35-49" in line]
    assert len(key_row) == 1
    assert "2024-09" in key_row[0] and "crime" in key_row[0]
    assert log.row_count == len(text.splitlines()) - 1 >= 1


def test_pseudonyms_are_stable_with_the_same_key_and_differ_with_another(world: World) -> None:
    _canary(world)
    with override_settings(ONEPLAN_EXTRACT_KEY="first-key-for-tests"):
        first, text_1 = _extract(world)
        second, text_2 = _extract(world)
        _other_partner, text_3 = _extract(world, partner="Another University")
    with override_settings(ONEPLAN_EXTRACT_KEY="second-key-for-tests"):
        rotated, text_4 = _extract(world)

    def hashes(text: str) -> set[str]:
        return {line.split(",")[0] for line in text.splitlines()[1:]}

    assert first.key_id == second.key_id and hashes(text_1) == hashes(text_2)
    assert hashes(text_1) and hashes(text_1).isdisjoint(hashes(text_3))
    assert rotated.key_id != first.key_id and hashes(text_1).isdisjoint(hashes(text_4))


def test_pseudonym_is_the_keyed_hash() -> None:
    assert pseudonym(b"k", "family", 1) != pseudonym(b"k", "person", 1)
    assert pseudonym(b"k", "family", 1) == pseudonym(b"k", "family", 1)
    assert len(pseudonym(b"k", "family", 1)) == 64


def test_only_chosen_fields_are_written(world: World) -> None:
    _canary(world)
    log = evaluation_extract_start(
        actor=world.programme_manager.user,
        partner="Evaluators Ltd",
        fields=["age_band", "family"],
        reference_date=REFERENCE,
    )
    job = job_run(job_id=str(log.job_id))
    assert job is not None
    with job.result_file.open("rb") as handle:
        header = handle.read().decode("utf-8-sig").splitlines()[0]
    assert header == "Family pseudonym,Age band at the reference date"


def test_download_is_logged_and_only_programme_managers_download(world: World) -> None:
    _canary(world)
    log, _text = _extract(world)
    url = reverse("outcomes:evaluation-extract-download", args=[log.pk])

    assert client_for(world.dpo).get(url).status_code == 403
    assert client_for(world.dpo).get(reverse("outcomes:evaluation-extracts")).status_code == 200
    response = client_for(world.programme_manager).get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = AccessEvent.objects.get(object_type="evaluation_extract", action="download")
    assert event.user == world.programme_manager.user
    assert event.detail["key_id"] == log.key_id


def test_the_form_asks_again_with_what_was_typed(world: World) -> None:
    client = client_for(world.programme_manager)
    jobs = Job.objects.count()
    response = client.post(
        reverse("outcomes:evaluation-extract-new"),
        {
            "partner": "Typed Partner Name",
            "reference_date_day": "1",
            "reference_date_month": "1",
            "reference_date_year": "2025",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Typed Partner Name" in body and "Select at least one field" in body
    assert Job.objects.count() == jobs and not ExtractLog.objects.exists()


def test_the_page_starts_the_job_and_logs_it(world: World) -> None:
    client = client_for(world.programme_manager)
    response = client.post(
        reverse("outcomes:evaluation-extract-new"),
        {
            "partner": "Evaluators Ltd",
            "reference_date_day": "31",
            "reference_date_month": "3",
            "reference_date_year": "2025",
            "columns": ["family", "age_band"],
        },
    )
    log = ExtractLog.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outcomes:evaluation-extract", args=[log.pk])
    assert (log.created_by, log.fields) == (world.programme_manager.user, ["family", "age_band"])
    assert AccessEvent.objects.filter(object_type="evaluation_extract", action="export").exists()
