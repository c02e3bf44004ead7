"""The stable command line (FEEDS.md "Command line"): agency_add and import_feed."""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.models import Agency
from conftest import World
from outcomes.models import Evidence, FeedSubmission, SubmissionStatus

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "feeds"


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_agency_add_creates_then_updates_by_code() -> None:
    added = _run("agency_add", "HCP-POLICE", "Hampshire Police", "--kind", "police")
    updated = _run(
        "agency_add", "HCP-POLICE", "Hampshire and Isle of Wight Constabulary", "--kind", "other"
    )

    agency = Agency.objects.get(code="HCP-POLICE")
    assert added == "Added agency HCP-POLICE: Hampshire Police (police)\n"
    assert updated.startswith("Updated agency HCP-POLICE")
    assert (agency.name, agency.kind) == ("Hampshire and Isle of Wight Constabulary", "other")
    assert Agency.objects.filter(code="HCP-POLICE").count() == 1
    assert LogEntry.objects.filter(object_id=str(agency.pk)).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("agency_add", "x", "Name", "--kind", "police"), "Enter a code of 2 to 32"),
        (("agency_add", "GOOD", "  ", "--kind", "police"), "Enter the agency's name"),
    ],
)
def test_agency_add_refuses_bad_input(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not Agency.objects.filter(code__in=["X", "GOOD"]).exists()


@pytest.mark.django_db
def test_agency_add_needs_a_known_kind() -> None:
    with pytest.raises(CommandError, match="invalid choice: 'army'"):
        _run("agency_add", "ARMY", "Army", "--kind", "army")


def test_import_feed_imports_in_process_and_prints_the_summary(world: World) -> None:
    out = _run(
        "import_feed",
        "asb",
        str(EXAMPLES / "asb.csv"),
        "--agency",
        "police",
        "--extract-date",
        "2025-09-01",
    )

    submission = FeedSubmission.objects.get()
    assert submission.status == SubmissionStatus.IMPORTED
    assert submission.job is None
    assert submission.submitted_by.username == "oneplan-system"
    assert submission.extract_date == datetime.date(2025, 9, 1)
    assert Evidence.objects.count() == 3
    assert "Imported" in out.splitlines()[0]
    assert "Rows read: 3\nNew records: 3\nRecords updated: 0\nRows with errors: 0\n" in out
    assert "People created: 2" in out


def test_import_feed_exits_non_zero_and_prints_every_row_error(
    world: World, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes((EXAMPLES / "asb.csv").read_bytes().replace(b",warning", b",telling off"))
    out = StringIO()

    with pytest.raises(CommandError, match="The file was rejected: nothing imported"):
        call_command(
            "import_feed",
            "asb",
            str(bad),
            "--agency",
            "POLICE",
            "--extract-date",
            "2025-09-01",
            stdout=out,
        )

    assert "Row 2, intervention: Enter intervention as warning, abc" in out.getvalue()
    assert not Evidence.objects.exists()


def test_import_feed_valid_rows_only_imports_the_rest(world: World, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes((EXAMPLES / "asb.csv").read_bytes().replace(b",warning", b",telling off"))

    out = _run(
        "import_feed",
        "asb",
        str(bad),
        "--agency",
        "POLICE",
        "--extract-date",
        "2025-09-01",
        "--valid-rows-only",
    )

    assert "Rows with errors: 1" in out
    assert "Row 2, intervention:" in out
    assert Evidence.objects.count() == 2
    assert FeedSubmission.objects.get().valid_rows_only is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--agency", "NOBODY", "--extract-date", "2025-09-01"), "No agency has the code NOBODY"),
        (
            ("--agency", "POLICE", "--extract-date", "1/9/2025"),
            "Enter --extract-date as YYYY-MM-DD",
        ),
        (("--agency", "POLICE", "--extract-date", "2099-01-01"), "today or in the past"),
    ],
)
def test_import_feed_refuses_bad_arguments(
    world: World, args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        _run("import_feed", "asb", str(EXAMPLES / "asb.csv"), *args)
    assert not FeedSubmission.objects.exists()


def test_import_feed_refuses_a_missing_file(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        _run(
            "import_feed",
            "asb",
            str(tmp_path / "nope.csv"),
            "--agency",
            "POLICE",
            "--extract-date",
            "2025-09-01",
        )
