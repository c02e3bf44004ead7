"""Recording access events: who, what, from where, in which request, and why."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone
from pytest_django.fixtures import SettingsWrapper

from audit.models import AccessAction, AccessEvent
from audit.services import (
    access_event_record,
    access_events_record_many,
    access_refused_record,
    client_ip,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _request(path: str = "/families/F-000017/", **meta: str) -> object:
    request = RequestFactory().get(path, {"from": "search"}, REMOTE_ADDR="10.1.2.3", **meta)
    request.request_id = "req-123"
    return request


def test_records_user_action_object_purpose_and_request() -> None:
    user = UserFactory()

    event = access_event_record(
        user=user,
        action=AccessAction.BREAK_GLASS,
        object_type="family",
        object_id=17,
        family_id=17,
        family_reference="F-000017",
        purpose="Police called about a child at the address",
        request=_request(),
        detail={"expires": datetime.date(2025, 3, 1), "job": uuid.UUID(int=1)},
    )

    stored = AccessEvent.objects.get(pk=event.pk)
    assert stored.user_id == user.pk
    assert stored.action == "break_glass"
    assert (stored.object_type, stored.object_id) == ("family", "17")
    assert (stored.family_id, stored.family_reference) == (17, "F-000017")
    assert stored.purpose == "Police called about a child at the address"
    assert stored.ip_address == "10.1.2.3"
    assert stored.request_id == "req-123"
    assert stored.path == "/families/F-000017/"  # no query string
    assert stored.detail == {
        "expires": "2025-03-01",
        "job": "00000000-0000-0000-0000-000000000001",
    }
    assert abs(stored.occurred_at - timezone.now()) < datetime.timedelta(seconds=5)


def test_system_and_anonymous_reads_have_no_user() -> None:
    for who in (None, AnonymousUser()):
        event = access_event_record(
            user=who, action="export", object_type="job", object_id="j1", request=None
        )
        assert event.user is None
        assert (event.ip_address, event.request_id, event.path) == (None, "", "")


def test_an_unknown_action_fails_loudly_and_writes_nothing() -> None:
    with pytest.raises(ValueError):
        access_event_record(user=None, action="peek", object_type="family", object_id="1")
    assert not AccessEvent.objects.exists()


def test_a_list_page_writes_one_event_naming_every_family_shown() -> None:
    user = UserFactory()

    event = access_events_record_many(
        user=user,
        family_ids=[3, 1, 2],
        family_references=["F-000003", "F-000001", "F-000002"],
        filters={"status": "open", "lcg_id": 4},
        request=_request("/families/"),
    )

    assert AccessEvent.objects.count() == 1
    assert event.action == AccessAction.LIST
    assert event.detail == {
        "families": [3, 1, 2],
        "family_references": ["F-000003", "F-000001", "F-000002"],
        "filters": {"status": "open", "lcg_id": 4},
    }
    assert event.what == "A list of 3 families"


def test_an_empty_search_is_recorded_too() -> None:
    event = access_events_record_many(user=UserFactory(), family_ids=[], filters={"query": "Ashby"})
    assert event.detail["families"] == []
    assert event.detail["filters"] == {"query": "Ashby"}


def test_a_very_long_path_is_cut_rather_than_failing_the_request() -> None:
    event = access_event_record(
        user=None,
        action="view",
        object_type="family",
        object_id="1",
        request=_request("/families/" + "x" * 3000 + "/"),
    )
    assert len(event.path) == 2000


# X-Forwarded-For is written by whoever sends the request; only our own proxies' entries
# count, and only when the deployment says how many there are.
@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "203.0.113.9", "10.1.2.3"),  # no proxies configured: the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # client-made entry on the left
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.5", "203.0.113.9"),
        (2, "203.0.113.9", "10.1.2.3"),  # fewer entries than proxies: not trusted
        (1, "not-an-address", "10.1.2.3"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_trusts_forwarded_for_only_from_our_proxies(
    settings: SettingsWrapper, proxies: int, forwarded_for: str, expected: str
) -> None:
    settings.ONEPLAN_TRUSTED_PROXY_COUNT = proxies
    request = _request(HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected


def test_no_valid_address_is_recorded_as_unknown() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="")
    assert client_ip(request) is None


@pytest.mark.parametrize(
    ("detail", "what", "references"),
    [
        (
            {"families": [1, 2, 3], "family_references": ["F-1", "F-2", "F-3"]},
            "A list of 3 families",
            ["F-1", "F-2", "F-3"],
        ),
        ({"families": ["F-000001"]}, "A list of 1 family", ["F-000001"]),  # references only
        ({"families": []}, "A list of 0 families", []),
        ({}, "A list of 0 families", []),
    ],
)
def test_list_events_describe_what_was_shown(
    detail: dict[str, object], what: str, references: list[str]
) -> None:
    event = access_event_record(
        user=None, action="list", object_type="family", object_id="", detail=detail
    )
    assert event.what == what
    assert event.listed_references == references


def test_single_reads_describe_the_object_and_its_family() -> None:
    def what(**kwargs: object) -> str:
        return AccessEvent(action="view", **kwargs).what

    assert what(object_type="family", object_id="5", family_reference="F-000005") == (
        "Family F-000005"
    )
    # Without the family's name (filled in only for a reader who may see it): no ids.
    assert what(object_type="person", object_id="9", family_reference="F-000005") == (
        "Person, F-000005"
    )
    assert what(object_type="caseload_summary", object_id="ab12") == (
        "Caseload summary export (counts only)"
    )


def test_a_refused_request_is_recorded_with_the_page_it_asked_for() -> None:
    from django.urls import resolve

    user = UserFactory()
    request = RequestFactory().post("/families/F-000005/notes/", REMOTE_ADDR="192.0.2.9")
    request.resolver_match = resolve("/families/F-000005/notes/")

    event = access_refused_record(
        user=user, family_id=5, family_reference="F-000005", request=request
    )

    event.refresh_from_db()
    assert event.action == AccessAction.REFUSED
    assert (event.user_id, event.family_id, event.family_reference) == (user.pk, 5, "F-000005")
    assert (event.object_type, event.object_id) == ("family", "5")
    assert event.detail == {"route": "plans:case-notes", "method": "POST"}
    assert (event.path, event.ip_address) == ("/families/F-000005/notes/", "192.0.2.9")
    assert event.purpose == ""
    assert event.what == "Case notes, F-000005"
