"""The data protection officer's user activity page."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import User
from audit.models import AccessAction, AccessEvent
from audit.services import access_event_record, access_events_record_many
from audit.views import PAGE_SIZE
from conftest import World, client_for
from tests.support.html import kept

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
URL = "/audit/users/"

NOT_DPO = [
    "keyworker",
    "other_keyworker",
    "practitioner",
    "other_practitioner",
    "coordinator",
    "other_coordinator",
    "programme_manager",
    "auditor",
    "sysadmin",  # a superuser, but no case data
]


def _at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def _read(user: User | None, when: datetime.datetime, reference: str) -> AccessEvent:
    with time_machine.travel(when, tick=False):
        return access_event_record(
            user=user,
            action=AccessAction.VIEW,
            object_type="family",
            object_id=reference[-3:],
            family_id=int(reference[-3:]),
            family_reference=reference,
        )


def _shown(response: object) -> list[int]:
    return [event.pk for event in response.context["events_page"]]


def test_the_url_is_named() -> None:
    assert reverse("audit:user-activity") == URL


def test_anonymous_visitors_are_sent_to_sign_in(world: World) -> None:
    response = Client().get(URL, {"username": "keyworker"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize("persona", NOT_DPO)
def test_everyone_but_the_dpo_is_refused(world: World, persona: str) -> None:
    _read(world.keyworker.user, _at(2025, 3, 3), "F-000101")
    before = list(AccessEvent.objects.values_list("pk", flat=True))

    response = client_for(getattr(world, persona)).get(URL, {"username": "keyworker"})

    assert response.status_code == 403
    assert "F-000101" not in response.content.decode()
    # Denied: nothing written, nothing shown.
    assert list(AccessEvent.objects.values_list("pk", flat=True)) == before


def test_the_dpo_sees_the_form_first(world: World) -> None:
    response = client_for(world.dpo).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">User activity</h1>' in html
    assert 'name="username"' in html
    assert 'name="date_from_day"' in html and 'name="date_to_year"' in html
    assert "There is a problem" not in html
    assert not AccessEvent.objects.exists()


def test_lists_only_the_chosen_users_events_in_the_dates(world: World) -> None:
    keyworker = world.keyworker.user
    before = _read(keyworker, _at(2025, 5, 31, 23, 59), "F-000001")
    first = _read(keyworker, _at(2025, 6, 1, 0, 0), "F-000002")  # 23:00 UTC on 31 May
    middle = _read(keyworker, _at(2025, 6, 15), "F-000003")
    last = _read(keyworker, _at(2025, 6, 30, 23, 59), "F-000004")
    after = _read(keyworker, _at(2025, 7, 1, 0, 0), "F-000005")
    someone_else = _read(world.other_keyworker.user, _at(2025, 6, 15), "F-000006")
    system = _read(None, _at(2025, 6, 15), "F-000007")

    response = client_for(world.dpo).get(
        URL,
        {
            "username": "keyworker",
            "date_from_day": "1",
            "date_from_month": "6",
            "date_from_year": "2025",
            "date_to_day": "30",
            "date_to_month": "jun",
            "date_to_year": "2025",
        },
    )

    assert response.status_code == 200
    assert _shown(response) == [last.pk, middle.pk, first.pk]  # newest first
    html = response.content.decode()
    for shown in ("F-000002", "F-000003", "F-000004"):
        assert f"Family {kept(shown)}" in html
    for hidden in (before, after, someone_else, system):
        assert hidden.family_reference not in html
    assert "From 1 June 2025 to 30 June 2025" in html
    assert "Showing 1 to 3 of 3 access events" in html


def test_without_dates_every_event_of_the_user_is_listed(world: World) -> None:
    old = _read(world.keyworker.user, _at(2019, 1, 1), "F-000011")
    new = _read(world.keyworker.user, _at(2025, 1, 1), "F-000012")

    response = client_for(world.dpo).get(URL, {"username": "KEYWORKER"})

    assert _shown(response) == [new.pk, old.pk]
    assert "All dates" in response.content.decode()


def test_the_table_shows_when_action_what_purpose_and_ip(world: World) -> None:
    with time_machine.travel(_at(2025, 2, 3, 9, 5), tick=False):
        access_event_record(
            user=world.keyworker.user,
            action=AccessAction.BREAK_GLASS,
            object_type="family",
            object_id="9",
            family_id=9,
            family_reference="F-000009",
            purpose="Safeguarding call out of hours",
        )
    response = client_for(world.dpo).get(URL, {"username": "keyworker"})

    html = response.content.decode()
    for header in ("When", "Action", "What", "Purpose", "IP address"):
        assert f'<th scope="col" class="govuk-table__header">{header}</th>' in html
    assert "3 February 2025 at 9:05am" in html
    assert "Emergency access (break glass)" in html
    assert f"Family {kept('F-000009')}" in html
    assert "Safeguarding call out of hours" in html
    assert "Not recorded" in html  # no IP: the event came from no request


def test_the_list_is_paginated_and_links_keep_the_search(world: World) -> None:
    user = world.keyworker.user
    AccessEvent.objects.bulk_create(
        AccessEvent(
            user=user,
            action=AccessAction.VIEW,
            object_type="family",
            object_id=str(n),
            family_reference=f"F-{n:06d}",
            occurred_at=_at(2025, 4, 1) + datetime.timedelta(minutes=n),
        )
        for n in range(PAGE_SIZE + 10)
    )
    client = client_for(world.dpo)

    first = client.get(URL, {"username": "keyworker"})
    second = client.get(URL, {"username": "keyworker", "page": "2"})

    assert len(_shown(first)) == PAGE_SIZE
    assert len(_shown(second)) == 10
    assert set(_shown(first)).isdisjoint(_shown(second))
    assert 'href="?username=keyworker&amp;page=2"' in first.content.decode()
    assert "Showing 51 to 60 of 60 access events" in second.content.decode()


def test_nothing_found_says_so(world: World) -> None:
    _read(world.keyworker.user, _at(2025, 1, 10), "F-000021")

    response = client_for(world.dpo).get(
        URL,
        {
            "username": "keyworker",
            "date_from_day": "1",
            "date_from_month": "2",
            "date_from_year": "2025",
        },
    )

    assert _shown(response) == []
    html = response.content.decode()
    assert "No access has been recorded for this user in these dates" in html
    assert "<table" not in html


def test_an_end_date_before_the_start_date_is_an_error(world: World) -> None:
    _read(world.keyworker.user, _at(2025, 1, 10), "F-000031")

    response = client_for(world.dpo).get(
        URL,
        {
            "username": "keyworker",
            "date_from_day": "10",
            "date_from_month": "1",
            "date_from_year": "2025",
            "date_to_day": "9",
            "date_to_month": "1",
            "date_to_year": "2025",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: User activity" in html
    assert "There is a problem" in html
    assert (
        '<a href="#id_date_to_day">The end date must be the same as or after the start date</a>'
        in html
    )
    assert "F-000031" not in html
    assert "events_page" not in response.context
    # The DPO's own log records only searches that showed something.
    assert AccessEvent.objects.filter(user=world.dpo.user).count() == 0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"username": ""}, "Enter a username"),
        ({"username": "nobody-here"}, "There is no user with that username"),
        (
            {
                "username": "keyworker",
                "date_from_day": "31",
                "date_from_month": "2",
                "date_from_year": "2025",
            },
            "Start date must be a real date",
        ),
        (
            {"username": "keyworker", "date_to_day": "1", "date_to_year": "2025"},
            "End date must include a month",
        ),
    ],
)
def test_bad_input_gets_a_gov_uk_error(world: World, params: dict[str, str], message: str) -> None:
    response = client_for(world.dpo).get(URL, params)

    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert message in html
    assert "events_page" not in response.context


def test_looking_at_someones_activity_is_itself_recorded(world: World) -> None:
    response = client_for(world.dpo).get(URL, {"username": "keyworker"}, REMOTE_ADDR="192.0.2.44")

    assert response.status_code == 200
    own = AccessEvent.objects.get(user=world.dpo.user)
    assert own.action == AccessAction.VIEW
    assert (own.object_type, own.object_id) == ("user_activity", str(world.keyworker.user.pk))
    assert own.ip_address == "192.0.2.44"
    assert own.path == URL
    assert own.detail == {"date_from": None, "date_to": None, "page": 1}


def test_the_request_id_reaches_the_record_and_the_response(world: World, settings) -> None:
    settings.MIDDLEWARE = ["audit.middleware.RequestIdMiddleware", *settings.MIDDLEWARE]

    response = client_for(world.dpo).get(
        URL, {"username": "keyworker"}, HTTP_X_REQUEST_ID="lb-7f3a"
    )

    assert response["X-Request-ID"] == "lb-7f3a"
    assert AccessEvent.objects.get(user=world.dpo.user).request_id == "lb-7f3a"


def _queries(client: Client, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


# Beyond what the bare form page costs (session, user, staff and whatever project-wide
# middleware does), less the list of refused staff only the bare page shows (one query
# while nobody was refused): the chosen user, the count, the rows, the families' names,
# the user's recent refusals, and the DPO's own access event.
QUERIES_FOR_RESULTS = 6 - 1


def test_the_query_count_does_not_grow_with_the_events(world: World) -> None:
    client = client_for(world.dpo)
    client.get(URL)  # the first request of a session does one-off work
    bare = _queries(client, {})
    counts = {}
    for events in (5, 60):
        AccessEvent.objects.bulk_create(
            AccessEvent(
                user=world.keyworker.user,
                action=AccessAction.VIEW if n % 3 else AccessAction.LIST,
                object_type="family",
                object_id=str(n),
                family_id=n,
                family_reference=f"F-{n:06d}",
                detail={"families": [n, n + 1]} if n % 3 == 0 else {},
            )
            for n in range(events - AccessEvent.objects.filter(user=world.keyworker.user).count())
        )
        counts[events] = _queries(client, {"username": "keyworker"})

    assert counts[5] == counts[60] == bare + QUERIES_FOR_RESULTS


def test_a_list_row_says_which_families_were_shown(world: World) -> None:
    access_events_record_many(
        user=world.keyworker.user,
        family_ids=[1, 2],
        family_references=["F-000001", "F-000002"],
        filters={"status": "open"},
    )

    html = client_for(world.dpo).get(URL, {"username": "keyworker"}).content.decode()

    assert "Saw in a list" in html
    assert "A list of 2 families" in html
    assert "Which families" in html
    assert f"{kept('F-000001')}, {kept('F-000002')}" in html


def test_events_name_the_family_and_the_page_not_internal_ids(world: World) -> None:
    own, other = world.own_family, world.other_lcg_family
    access_event_record(
        user=world.keyworker.user,
        action=AccessAction.VIEW,
        object_type="plan",
        object_id="282",
        family_id=own.pk,
        family_reference=own.reference,
    )
    access_event_record(
        user=world.keyworker.user,
        action=AccessAction.API_READ,
        object_type="case_notes",
        object_id="666",
        family_id=other.pk,
        family_reference=other.reference,
    )

    html = client_for(world.dpo).get(URL, {"username": "keyworker"}).content.decode()

    # The data protection officer sees every family (read only), names included.
    assert f"Plan for Ashby family, {kept(own.reference)}" in html
    assert f"Case notes for Brook family, {kept(other.reference)}" in html
    assert "Plan 282" not in html and "Case notes 666" not in html
