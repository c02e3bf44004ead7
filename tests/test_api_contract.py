"""The API keeps the contract its OpenAPI schema states, for every operation.

Schemathesis reads the schema from the running app and generates requests for each
operation (a few, always the same ones), sent as two people: a programme manager, who
reaches the programme's endpoints, and a police practitioner, who reaches a case
worker's. Each answer must not be a server error, must have a status code the schema
lists for the operation, and must match the schema for that code.

Each request runs in a savepoint that is rolled back, so every request sees the same
small world and a write (even a delete) cannot change what the next request finds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from agencies.api_tokens import api_token_issue
from agencies.models import Staff
from conftest import World, client_for
from plans.tests.test_plan_support import started_plan

EXAMPLES_PER_OPERATION = 4
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Operations left out of the run, each with why. (None today: every request is rolled
# back, so even a delete cannot spoil the run.)
EXCLUDED: dict[tuple[str, str], str] = {}

# Requests are generated twice over for operations on one object: with any value in
# the path, and with a real object's (below), so they reach past the 404 too.


@contextmanager
def _in_process_requests() -> Iterator[WSGIHandler]:
    """Django's WSGI app, called in the test's thread and transaction. Like Django's
    test client, it keeps the request signals from closing the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _token(staff: Staff) -> dict[str, str]:
    issued = api_token_issue(actor=staff.user, user=staff.user)
    return {"Authorization": f"Token {issued.secret}"}


def _known_path_values(world: World) -> dict[str, dict[str, Any]]:
    """Path parameters that name real objects, by the first part of the path: the
    family's plan, with a need, a goal and an action."""
    plan = started_plan(world)
    family = {"reference": world.own_family.reference}
    return {
        "families": family,
        "plans": family,
        "screening": family,
        "family-assessments": family,
        "agencies": {"code": world.police.code},
        "lcgs": {"code": world.winchester.code},
        "plan-needs": {"id": plan.education.pk},
        "plan-goals": {"id": plan.goal.pk},
        "plan-actions": {"id": plan.police_action.pk},
    }


def _run(
    operation: Any, app: WSGIHandler, headers: dict[str, str], known: dict[str, dict[str, Any]]
) -> None:
    path_names = {p.name for p in operation.path_parameters}
    values = known.get(operation.path.split("/")[2], {})
    fixed = {name: value for name, value in values.items() if name in path_names}
    strategies = [operation.as_strategy()]
    if fixed:
        strategies.append(operation.as_strategy(path_parameters=fixed))

    @settings(
        max_examples=EXAMPLES_PER_OPERATION * len(strategies),
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(*strategies))
    def check(case: Any) -> None:
        with transaction.atomic():
            try:
                response = case.call(app=app, headers=headers)
                case.validate_response(response, checks=CHECKS, headers=headers)
            finally:
                transaction.set_rollback(True)

    check()


@pytest.mark.parametrize("who", ["programme_manager", "practitioner"])
def test_every_operation_keeps_the_schema_contract(world: World, who: str) -> None:
    headers = _token(getattr(world, who))
    known = _known_path_values(world)
    failures: list[str] = []
    with _in_process_requests() as app:
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, headers=headers)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) > 50
        for operation in operations:
            key = (operation.method.upper(), operation.path)
            if key in EXCLUDED:
                continue
            try:
                _run(operation, app, headers, known)
            except Exception as exc:  # noqa: BLE001 - every operation's failure is reported
                failures.append(f"{key[0]} {key[1]}:\n{exc}")
    assert failures == [], f"{len(failures)} operations broke the contract:\n\n" + "\n\n".join(
        failures
    )


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete", "options"])
def test_an_address_under_api_that_names_nothing_answers_a_json_404(method: str) -> None:
    response = getattr(Client(), method)("/api/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_an_address_without_its_slash_is_still_redirected(world: World) -> None:
    response = client_for(world.keyworker).get("/api/families?page=1")

    assert response.status_code == 301
    assert response["Location"] == "/api/families/?page=1"
