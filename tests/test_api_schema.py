"""The OpenAPI schema is complete, valid, and only for signed-in users."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import get_resolver

from conftest import World, client_for
from tests.test_routes import _walk


def test_schema_lists_every_api_route(world: World) -> None:
    response = client_for(world.programme_manager).get("/api/schema/?format=json")

    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert {
        "/api/families/",
        "/api/families/{reference}/",
        "/api/families/{reference}/transition/",
        "/api/families/{reference}/allocation/",
        "/api/key-workers/",
        "/api/agencies/",
        "/api/agencies/{code}/",
        "/api/lcgs/",
        "/api/lcgs/{code}/",
        "/api/jobs/{job_id}/",
        "/api/auth/token/",
    } <= paths


@pytest.mark.django_db
def test_schema_and_docs_need_sign_in() -> None:
    client = Client()
    assert client.get("/api/schema/").status_code == 403
    assert client.get("/api/docs/").status_code == 403


@pytest.mark.django_db
def test_schema_generates_without_warnings(tmp_path) -> None:
    # --fail-on-warn turns drf-spectacular's guesses (an untyped field, say) into errors.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").read_text().startswith("openapi: 3")


def test_token_authentication_works_for_the_api(world: World) -> None:
    client = Client()
    token = client.post(
        "/api/auth/token/", {"username": "keyworker", "password": "correct-horse-battery"}
    )
    assert token.status_code == 200
    response = client.get("/api/families/", HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == [world.own_family.reference]


def _api_routes() -> set[str]:
    """Every API address the URL configuration serves, in the schema's spelling."""
    routes = set()
    for route, name, _ in _walk(get_resolver().url_patterns):
        if not route.startswith(("api/", "^api/")) or name in NOT_IN_SCHEMA:
            continue
        if "(?P<format>" in route:
            continue  # the router's ".json" twin of each route
        path = route.replace("^", "").replace("$", "")
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", path)
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
        routes.add("/" + path.replace("{pk}", "{id}"))
    return routes


# Routes of the API that are not operations: the schema itself, its docs page, DRF's
# list of endpoints, and the JSON 404 for addresses that name no endpoint.
NOT_IN_SCHEMA = {"api-schema", "api-docs", "api-root", "api-not-found"}


def test_the_schema_has_every_api_route_and_no_other(world: World) -> None:
    schema = client_for(world.programme_manager).get("/api/schema/?format=json").json()

    assert set(schema["paths"]) == _api_routes()


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_every_operation_says_what_it_does_and_every_answer_it_gives(world: World) -> None:
    schema = client_for(world.programme_manager).get("/api/schema/?format=json").json()
    problems = []

    for method, path, operation in _operations(schema):
        where = f"{method} {path}"
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        if not (operation.get("summary") or operation.get("description")):
            problems.append(f"{where}: no summary or description")
        if not any(code.startswith("2") for code in responses):
            problems.append(f"{where}: no success response")
        if "403" not in responses:
            problems.append(f"{where}: 403 not documented")
        if any(p["in"] == "path" for p in parameters) and "404" not in responses:
            problems.append(f"{where}: names an object but 404 is not documented")
        reads_input = "requestBody" in operation or any(p["in"] == "query" for p in parameters)
        if reads_input and "400" not in responses:
            problems.append(f"{where}: reads input but 400 is not documented")
        for code, response in responses.items():
            if code.startswith("2"):
                continue
            if not response.get("description"):
                problems.append(f"{where}: {code} does not say when it is answered")
            if "content" not in response:
                problems.append(f"{where}: {code} has no body schema")

    assert len(_operations(schema)) > 50
    assert problems == []


def test_patch_needs_if_match_and_documents_the_conflict(world: World) -> None:
    schema = client_for(world.programme_manager).get("/api/schema/?format=json").json()

    for method, path, operation in _operations(schema):
        if method != "PATCH":
            continue
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        assert headers["If-Match"]["required"] is True, path
        assert {"412", "428"} <= set(operation["responses"]), path


def test_rules_the_server_enforces_are_in_the_schema(world: World) -> None:
    schema = client_for(world.programme_manager).get("/api/schema/?format=json").json()

    def parameter(path: str, method: str, name: str) -> dict[str, Any]:
        found: list[dict[str, Any]] = [
            p for p in schema["paths"][path][method]["parameters"] if p["name"] == name
        ]
        return found[0]

    assert parameter("/api/search/", "get", "q")["schema"]["minLength"] == 1
    for path in ("/api/plan-needs/", "/api/plan-goals/", "/api/plan-actions/"):
        assert parameter(path, "get", "family")["required"] is True
    errors = schema["components"]["schemas"]["ValidationErrors"]
    assert errors["type"] == "object"
    detail = schema["components"]["schemas"]["ErrorDetail"]
    assert detail["required"] == ["detail"]
