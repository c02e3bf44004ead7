"""Access events in the admin: read-only, for the data protection officer only."""

from __future__ import annotations

import pytest

from audit.models import AccessEvent
from audit.services import access_event_record
from conftest import World, client_for

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/audit/accessevent/"


@pytest.fixture
def event(world: World) -> AccessEvent:
    return access_event_record(
        user=world.keyworker.user,
        action="view",
        object_type="family",
        object_id="1",
        family_id=1,
        family_reference="F-000001",
    )


@pytest.mark.parametrize("persona", ["sysadmin", "programme_manager", "auditor", "keyworker"])
def test_only_the_dpo_sees_access_events_in_the_admin(
    world: World, event: AccessEvent, persona: str
) -> None:
    staff = getattr(world, persona)
    staff.user.is_staff = True  # an admin account, even a superuser, is not enough
    staff.user.save()

    response = client_for(staff).get(LIST_URL)

    assert response.status_code == 403
    assert "F-000001" not in response.content.decode()


def test_the_dpo_can_read_but_not_change(world: World, event: AccessEvent) -> None:
    world.dpo.user.is_staff = True
    world.dpo.user.save()
    client = client_for(world.dpo)

    listing = client.get(LIST_URL)
    detail = client.get(f"{LIST_URL}{event.pk}/change/")
    delete = client.post(f"{LIST_URL}{event.pk}/delete/", {"post": "yes"})
    add = client.get(f"{LIST_URL}add/")

    assert listing.status_code == 200
    assert "F-000001" in listing.content.decode()
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert delete.status_code == 403
    assert add.status_code == 403
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_the_dpo_needs_an_admin_account_for_the_admin(world: World, event: AccessEvent) -> None:
    response = client_for(world.dpo).get(LIST_URL)
    assert response.status_code == 302  # to the admin's sign-in
