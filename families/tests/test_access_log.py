"""What the access log learns from the family access policy: refused requests for a
family outside the user's access (recorded once, for every page and API route), and the
names of families a reader of the log may see."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessAction, AccessEvent
from audit.services import access_event_record
from conftest import World, client_for
from families.access.access_log import family_names_for_user
from tests.support.html import kept

pytestmark = pytest.mark.django_db


def _refusals() -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(action=AccessAction.REFUSED).order_by("pk"))


@pytest.mark.parametrize(
    ("route", "words"),
    [
        ("families:detail", ""),
        ("families:team", "Team around the family"),
        ("plans:plan", "Plan"),
        ("plans:case-notes", "Case notes"),
        ("plans:chronology", "Chronology"),
    ],
)
def test_a_page_of_a_family_outside_the_users_access_is_recorded_as_refused(
    world: World, route: str, words: str
) -> None:
    family = world.other_lcg_family
    url = reverse(route, args=[family.reference])

    response = client_for(world.keyworker).get(url, REMOTE_ADDR="192.0.2.7")

    assert response.status_code == 404
    [event] = _refusals()
    assert event.user_id == world.keyworker.user_id
    assert (event.family_id, event.family_reference) == (family.pk, family.reference)
    assert event.detail == {"route": route, "method": "GET"}
    assert (event.path, event.ip_address) == (url, "192.0.2.7")
    assert event.what == (f"{words}, {family.reference}" if words else f"Family {family.reference}")


def test_an_api_request_for_a_family_outside_the_users_access_is_recorded(world: World) -> None:
    family = world.unassigned_family

    response = client_for(world.practitioner).get(f"/api/families/{family.reference}/")

    assert response.status_code == 404
    [event] = _refusals()
    assert (event.user_id, event.family_id) == (world.practitioner.user_id, family.pk)
    assert event.detail == {"route": "family-detail", "method": "GET"}


def test_a_refused_change_is_recorded_with_its_method(world: World) -> None:
    family = world.other_lcg_family

    response = client_for(world.coordinator).post(
        reverse("families:transition", args=[family.reference]),
        {"to_status": "declined", "reason": "The family said no"},
    )

    assert response.status_code == 404
    [event] = _refusals()
    assert event.detail["method"] == "POST"
    family.refresh_from_db()
    assert family.status != "screened"


def test_a_reference_that_names_no_family_is_not_a_refusal(world: World) -> None:
    response = client_for(world.keyworker).get(reverse("families:detail", args=["F-999999"]))

    assert response.status_code == 404
    assert _refusals() == []


def test_a_404_about_something_else_of_a_family_in_scope_is_not_a_refusal(
    world: World,
) -> None:
    # The keyworker leads this family; the review does not exist.
    url = reverse("plans:review-detail", args=[world.own_family.reference, 999999])

    response = client_for(world.keyworker).get(url)

    assert response.status_code == 404
    assert _refusals() == []


def test_an_allowed_page_and_an_anonymous_request_record_no_refusal(world: World) -> None:
    family = world.own_family

    allowed = client_for(world.keyworker).get(reverse("families:detail", args=[family.reference]))
    anonymous = Client().get(reverse("families:detail", args=[family.reference]))

    assert allowed.status_code == 200
    assert anonymous.status_code == 302
    assert _refusals() == []


def test_each_refused_request_is_its_own_record(world: World) -> None:
    client = client_for(world.keyworker)
    for family in (world.other_lcg_family, world.unassigned_family, world.other_lcg_family):
        assert client.get(reverse("families:detail", args=[family.reference])).status_code == 404

    assert [e.family_id for e in _refusals()] == [
        world.other_lcg_family.pk,
        world.unassigned_family.pk,
        world.other_lcg_family.pk,
    ]


def test_names_only_of_the_families_the_reader_may_see(world: World) -> None:
    own, other, unassigned = world.own_family, world.other_lcg_family, world.unassigned_family
    ids = [own.pk, other.pk, unassigned.pk, 999999]

    assert family_names_for_user(world.keyworker.user, ids) == {own.pk: "Ashby"}
    assert family_names_for_user(world.dpo.user, ids) == {
        own.pk: "Ashby",
        other.pk: "Brook",
        unassigned.pk: "Cole",
    }
    assert family_names_for_user(world.sysadmin.user, ids) == {}
    assert family_names_for_user(world.dpo.user, []) == {}


def test_who_has_viewed_this_family_names_the_pages_and_the_people(world: World) -> None:
    family = world.own_family
    for who, what, object_id in (
        (world.keyworker.user, "plan", "282"),
        (world.dpo.user, "user_activity", str(world.keyworker.user_id)),
    ):
        access_event_record(
            user=who,
            action=AccessAction.VIEW,
            object_type=what,
            object_id=object_id,
            family_id=family.pk,
            family_reference=family.reference,
        )

    response = client_for(world.coordinator).get(
        reverse("families:viewers", args=[family.reference])
    )

    html = unescape(response.content.decode())  # a made-up name may have an apostrophe
    assert f"Plan for Ashby family, {kept(family.reference)}" in html
    keyworker = world.keyworker.user
    name = keyworker.get_full_name() or keyworker.username
    assert f"Activity of {name} (keyworker) with Ashby family, {kept(family.reference)}" in html
    assert "Plan 282" not in html and f"user {keyworker.pk}" not in html
