"""The OpenAPI schema is complete, valid, and only for signed-in users."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from conftest import World, client_for


def test_schema_lists_every_api_route(world: World) -> None:
    response = client_for(world.programme_manager).get("/api/schema/?format=json")

    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert {
        "/api/families/",
        "/api/families/{reference}/",
        "/api/families/{reference}/transition/",
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
def test_schema_generates_without_warnings(tmp_path) -> None:  # type: ignore[no-untyped-def]
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
