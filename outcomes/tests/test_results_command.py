"""``manage.py attach`` and ``manage.py results`` (FEEDS.md "Command line"): the stable
interface and the exact JSON shape, on real PostgreSQL."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import World
from outcomes.models import Attachment
from tests.support.assessment import evidence_add


@pytest.fixture
def tf1_family(world: World) -> World:
    """Jordan (40), on ESA since January 2024, with an acceptable behaviour contract in
    June 2024 and a domestic abuse incident in May 2024: crime/ASB, work and a local
    criterion on 1 September 2024, so eligible at entry under tf1. Off ESA on 5 January
    2025 and in work from 6 January 2025."""
    parent = world.own_family.memberships.get().person
    evidence_add(
        parent,
        "benefits",
        "2024-01-01",
        "2025-01-05",
        agency_code="DWP",
        source_person_id="D-1",
        benefit="ESA",
    )
    evidence_add(parent, "asb", "2024-06-01", agency_code="POLICE", intervention="abc")
    evidence_add(parent, "domestic_abuse", "2024-05-01", agency_code="POLICE", role="victim")
    evidence_add(parent, "employment", "2025-01-06", agency_code="DWP", hours_per_week="30")
    return world


def _run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def _results(*args: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(_run("results", "--person", "DWP:D-1", *args, "--json"))
    return result


def test_attach_records_the_entry_assessment_once(tf1_family: World) -> None:
    said = _run("attach", "--person", "DWP:D-1", "--framework", "tf1", "--on", "2024-09-01")
    assert said.startswith(f"Attached: {tf1_family.own_family.reference} on 1 September 2024")
    attachment = Attachment.objects.get(family=tf1_family.own_family)
    assert attachment.eligible_at_entry is True
    assert {c for c, v in attachment.entry_criteria.items() if v["met"]} == {
        "crime_asb",
        "work",
        "local",
    }
    tf1_family.own_family.refresh_from_db()
    assert str(tf1_family.own_family.attached_on) == "2024-09-01"

    # The same call again changes nothing.
    again = _run("attach", "--person", "DWP:D-1", "--framework", "tf1", "--on", "2024-09-01")
    assert again.startswith("Already attached:")
    assert Attachment.objects.get().pk == attachment.pk

    # Another date is refused, and changes nothing.
    with pytest.raises(CommandError, match="was attached on 1 September 2024"):
        _run("attach", "--person", "DWP:D-1", "--framework", "tf1", "--on", "2024-10-01")
    assert list(Attachment.objects.values_list("attached_on", flat=True)) == [
        attachment.attached_on
    ]


def test_results_print_the_feeds_json_shape(tf1_family: World) -> None:
    _run("attach", "--person", "DWP:D-1", "--framework", "tf1", "--on", "2024-09-01")
    result = _results("--as-of", "2025-09-01")
    assert list(result) == [
        "family",
        "framework",
        "attached",
        "as_of",
        "eligible_at_entry",
        "results",
        "route",
        "readiness",
    ]
    assert result["family"] == tf1_family.own_family.reference
    assert (result["framework"], result["attached"], result["as_of"]) == (
        "tf1",
        "2024-09-01",
        "2025-09-01",
    )
    assert result["eligible_at_entry"] is True
    assert list(result["results"]) == ["R1", "R2", "R3"]
    for check in result["results"].values():
        assert set(check) == {"met", "reasons"}
        assert check["reasons"]
    # ASB down from 1 to none; the youth offending part has a zero baseline.
    assert result["results"]["R1"]["met"] is True
    assert result["results"]["R2"]["met"] is False
    # 13 weeks from 6 January 2025 is 7 April 2025.
    assert result["results"]["R3"]["met"] is True
    assert result["route"] == "R3"
    assert result["readiness"]["status"] == "claimable"


def test_before_the_employment_is_long_enough_the_route_is_r1(tf1_family: World) -> None:
    _run("attach", "--person", "DWP:D-1", "--framework", "tf1", "--on", "2024-09-01")
    # 6 April 2025: 90 days of work, not 91.
    result = _results("--as-of", "2025-04-06")
    assert result["results"]["R3"]["met"] is False
    assert result["route"] == "R1"
    assert _results("--as-of", "2025-04-07")["route"] == "R3"


def test_results_need_an_attachment_and_a_date_after_it(tf1_family: World) -> None:
    with pytest.raises(CommandError, match="is not attached to the programme"):
        _results("--as-of", "2025-09-01")
    _run("attach", "--person", "DWP:D-1", "--framework", "tf1", "--on", "2024-09-01")
    with pytest.raises(CommandError, match="there are no results on 1 August 2024"):
        _results("--as-of", "2024-08-01")
    with pytest.raises(CommandError, match="--as-of must be a date"):
        _results("--as-of", "01/09/2025x")


def test_an_unknown_person_is_refused(tf1_family: World) -> None:
    with pytest.raises(CommandError, match="has sent no person"):
        _run("attach", "--person", "DWP:NOPE", "--framework", "tf1", "--on", "2024-09-01")
    with pytest.raises(CommandError, match="--person must be"):
        _run("results", "--person", "DWP", "--json")


@pytest.fixture
def with_child(tf1_family: World) -> World:
    """Sam, 11 in September 2024, joins the household: a dependent child."""
    from families.models import MemberRole
    from tests.factories import MembershipFactory, PersonFactory

    MembershipFactory(
        family=tf1_family.own_family,
        person=PersonFactory(given_name="Sam", date_of_birth="2013-05-05"),
        role=MemberRole.CHILD,
        start_date="2024-01-01",
    )
    return tf1_family


@pytest.mark.parametrize(
    ("framework", "keys", "route", "status"),
    [
        # tf2: the problems met at entry, then employment. Every problem improved, but
        # without a whole-family assessment, plan or key worker progress cannot be
        # claimed; 13 weeks in work can.
        (
            "tf2",
            ["crime", "worklessness", "domestic_abuse", "employment"],
            "employment",
            "claimable",
        ),
        # sf2022: the needs met at entry, then sustained: the case is still open.
        (
            "sf2022",
            ["crime", "domestic_abuse", "financial_stability", "sustained"],
            None,
            "not_yet",
        ),
    ],
)
def test_results_are_keyed_as_each_framework_says(
    with_child: World, framework: str, keys: list[str], route: str | None, status: str
) -> None:
    _run("attach", "--person", "DWP:D-1", "--framework", framework, "--on", "2024-09-01")
    result = _results("--as-of", "2025-09-01")
    assert result["framework"] == framework
    assert result["eligible_at_entry"] is True
    assert list(result["results"]) == keys
    assert all(check["met"] for code, check in result["results"].items() if code in keys[:3])
    assert (result["route"], result["readiness"]["status"]) == (route, status)
    assert result["readiness"]["reasons"]
