"""``manage.py assess --person CODE:PERSON_ID [--framework] [--as-of] --json`` (FEEDS.md)."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import World
from outcomes.models import Assessment
from tests.support.assessment import evidence_add


@pytest.fixture
def police_person(world: World) -> World:
    parent = world.own_family.memberships.get().person
    evidence_add(
        parent,
        "offences",
        "2025-03-01",
        agency_code="POLICE",
        source_person_id="P-77",
        offence_date="2025-03-01",
        outcome_date="2025-04-01",
        outcome="proven",
        offence_type="theft",
    )
    evidence_add(parent, "benefits", "2024-01-01", agency_code="DWP", benefit="ESA")
    return world


def _assess(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("assess", *args, stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def test_prints_the_feeds_json_shape(police_person: World) -> None:
    result = _assess(
        "--person", "POLICE:P-77", "--framework", "tf1", "--as-of", "2025-09-01", "--json"
    )

    assert list(result) == ["family", "framework", "as_of", "eligible", "criteria"]
    assert result["family"] == police_person.own_family.reference
    assert (result["framework"], result["as_of"], result["eligible"]) == (
        "tf1",
        "2025-09-01",
        False,
    )
    assert list(result["criteria"]) == ["crime_asb", "education", "work", "local"]
    assert result["criteria"]["work"] == {
        "met": True,
        "reasons": [
            "Jordan (40) has been on Employment and Support Allowance since 1 January 2024"
        ],
    }
    assert result["criteria"]["crime_asb"]["met"] is False  # an adult's offence
    # Another date or framework only prints.
    assert not Assessment.objects.exists()


@time_machine.travel(datetime.datetime(2025, 9, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_for_today_under_the_familys_framework_it_also_records(police_person: World) -> None:
    result = _assess("--person", "police:P-77", "--json")

    assert (result["framework"], result["as_of"]) == ("sf2022", "2025-09-01")
    stored = Assessment.objects.get(family=police_person.own_family, is_current=True)
    assert stored.as_of == datetime.date(2025, 9, 1)
    assert stored.eligible is result["eligible"]


@pytest.mark.parametrize(
    ("person", "extra", "message"),
    [
        ("POLICE:nobody", [], "Agency POLICE has sent no person with id nobody"),
        ("NOPE:P-77", [], "Agency NOPE has sent no person with id P-77"),
        ("P-77", [], "--person must be the agency code and person id"),
        ("POLICE:P-77", ["--as-of", "1/9/2025"], "--as-of must be a date as YYYY-MM-DD"),
    ],
)
def test_bad_input_fails_with_a_clear_message(
    police_person: World, person: str, extra: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("assess", "--person", person, *extra, "--json", stdout=StringIO())


def test_unknown_person_exits_non_zero(db: None) -> None:
    completed = subprocess.run(
        [sys.executable, "manage.py", "assess", "--person", "POLICE:nobody", "--json"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DATABASE_URL": _test_database_url()},
    )

    assert completed.returncode != 0
    assert "has sent no person with id nobody" in completed.stderr


def _test_database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    return f"postgresql://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
