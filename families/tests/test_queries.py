"""List pages keep a constant number of queries however many rows they show, and
writes through the site are captured by the history triggers with who made them."""

from __future__ import annotations

import pghistory.models
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.services import system_actor
from conftest import World, client_for
from families.access.grants import grants_sync
from tests.factories import FamilyFactory, MembershipFactory


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _more_families(world: World, n: int) -> None:
    ids = []
    for _ in range(n):
        family = FamilyFactory(
            lcg=world.winchester, lead_agency=world.council, lead_professional=world.keyworker
        )
        MembershipFactory(family=family)
        MembershipFactory(family=family, role="child")
        ids.append(family.pk)
    grants_sync(actor=system_actor(), family_ids=ids)


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("keyworker", "families:list"),
        ("coordinator", "families:list"),
        ("programme_manager", "families:list"),
        ("programme_manager", "families:overview"),
    ],
)
def test_list_pages_use_the_same_number_of_queries_for_3_or_30_families(
    world: World, persona: str, url_name: str
) -> None:
    client = client_for(getattr(world, persona))
    url = reverse(url_name)
    client.get(url)  # warm the session and caches
    few = _queries(client, url)
    _more_families(world, 27)
    many = _queries(client, url)
    assert many == few


def test_api_list_uses_the_same_number_of_queries_for_3_or_30_families(world: World) -> None:
    client = client_for(world.keyworker)
    client.get("/api/families/")
    few = _queries(client, "/api/families/")
    _more_families(world, 27)
    assert _queries(client, "/api/families/") == few


def test_a_status_change_through_the_site_is_in_the_history_with_its_user(
    world: World,
) -> None:
    client = client_for(world.keyworker)
    client.post(
        reverse("families:transition", args=[world.own_family.reference]),
        {"to_status": "moved_away", "reason": "Moved to Devon"},
    )
    event = (
        pghistory.models.Events.objects.filter(
            pgh_obj_model="families.Family",
            pgh_obj_id=str(world.own_family.pk),
            pgh_label="update",
        )
        .order_by("-pgh_created_at")
        .first()
    )
    assert event is not None
    assert event.pgh_data["status"] == "moved_away"
    assert event.pgh_context["user"] == world.keyworker.user.pk
    assert event.pgh_context["url"].endswith("/status/")


def test_bulk_updates_are_captured_too(world: World) -> None:
    from families.models import Family

    Family.objects.filter(pk=world.own_family.pk).update(status="screened")
    assert pghistory.models.Events.objects.filter(
        pgh_obj_model="families.Family", pgh_obj_id=str(world.own_family.pk), pgh_label="update"
    ).exists()
