"""GET /api/family-assessments/{reference}/: scoped like the family, restricted findings
withheld the same way as on the page, every read logged."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from agencies.services import system_actor
from audit.models import AccessEvent
from conftest import World, client_for
from outcomes.assessment import services
from tests.support.assessment import evidence_add


@pytest.fixture
def assessed(world: World) -> World:
    parent = world.own_family.memberships.get().person
    today = datetime.date.today()
    evidence_add(parent, "housing", today - datetime.timedelta(days=10), event="homeless")
    evidence_add(parent, "health", today - datetime.timedelta(days=20), need="mental_health")
    services.assessment_families_run(
        actor=system_actor(), family_ids=[world.own_family.pk], as_of=today
    )
    return world


def _url(world: World) -> str:
    return f"/api/family-assessments/{world.own_family.reference}/"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 403),
        ("sysadmin", 403),
        ("other_practitioner", 404),
        ("other_coordinator", 404),
        ("keyworker", 200),
        ("coordinator", 200),
        ("programme_manager", 200),
    ],
)
def test_who_may_read_a_familys_assessment(assessed: World, who: str, status: int) -> None:
    client = Client() if who == "anonymous" else client_for(getattr(assessed, who))

    response = client.get(_url(assessed))

    assert response.status_code == status
    logged = AccessEvent.objects.filter(object_type="assessment").count()
    assert logged == (1 if status == 200 else 0)


def test_lead_professional_gets_every_finding(assessed: World) -> None:
    body = client_for(assessed.keyworker).get(_url(assessed)).json()

    assert body["family"] == assessed.own_family.reference
    assert body["framework"] == "sf2022"
    assert body["version"] == 1
    health = next(c for c in body["criteria"] if c["code"] == "health")
    assert health["status"] == "Met"
    assert health["reasons"][0].endswith("mental health need since " + _long(20))
    assert health["evidence"][0]["kind"] == "health"


def test_programme_manager_gets_restricted_findings_withheld(assessed: World) -> None:
    body = client_for(assessed.programme_manager).get(_url(assessed)).json()

    health = next(c for c in body["criteria"] if c["code"] == "health")
    assert health == {
        "code": "health",
        "name": "Improved mental and physical health",
        "met": True,
        "status": "Met (restricted information)",
        "restricted": True,
        "withheld": True,
        "reasons": [],
        "evidence": [],
    }
    housing = next(c for c in body["criteria"] if c["code"] == "housing")
    assert housing["reasons"] and housing["evidence"]


def test_not_yet_assessed_answers_404_with_a_reason(world: World) -> None:
    response = client_for(world.keyworker).get(_url(world))

    assert response.status_code == 404
    assert response.json()["detail"] == "This family has not been assessed yet"


def test_unknown_framework_is_a_clear_400(assessed: World) -> None:
    response = client_for(assessed.keyworker).get(_url(assessed) + "?framework=tf9")

    assert response.status_code == 400
    assert response.json() == {"framework": ["Unknown framework 'tf9'"]}


def test_an_empty_framework_is_a_400_not_the_default(assessed: World) -> None:
    before = AccessEvent.objects.count()

    response = client_for(assessed.keyworker).get(_url(assessed) + "?framework=")

    assert response.status_code == 400
    assert response.json() == {
        "framework": ["Choose a framework, or leave framework out for the family's own"]
    }
    assert AccessEvent.objects.count() == before


def test_a_framework_is_checked_after_who_is_asking(assessed: World) -> None:
    # A role without families is refused before its parameters are looked at.
    response = client_for(assessed.sysadmin).get(_url(assessed) + "?framework=tf9")

    assert response.status_code == 403


def test_the_schema_documents_the_framework_parameter(assessed: World) -> None:
    schema = client_for(assessed.programme_manager).get("/api/schema/?format=json").json()

    operation = schema["paths"]["/api/family-assessments/{reference}/"]["get"]
    framework = next(p for p in operation["parameters"] if p["name"] == "framework")
    assert framework["in"] == "query"
    assert sorted(framework["schema"]["enum"]) == ["sf2022", "tf1", "tf2"]


def _long(days_ago: int) -> str:
    day = datetime.date.today() - datetime.timedelta(days=days_ago)
    return f"{day.day} {day:%B %Y}"
