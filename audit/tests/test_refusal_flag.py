"""Refused requests on the user activity page, and the flag for a user with many."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import SettingsWrapper

from agencies.models import User
from audit.models import AccessAction, AccessEvent
from audit.selectors import RefusalFlag, users_refused_since
from audit.services import access_event_record
from conftest import World, client_for
from tests.factories import StaffFactory
from tests.support.html import kept

pytestmark = pytest.mark.django_db

URL = "/audit/users/"
NOW = datetime.datetime(2025, 6, 10, 12, 0, tzinfo=datetime.UTC)
FLAG = '<strong class="govuk-tag govuk-tag--red">Many refusals</strong>'


def _refused(user: User, reference: str, *, hours_ago: float, family_id: int = 7) -> AccessEvent:
    with time_machine.travel(NOW - datetime.timedelta(hours=hours_ago), tick=False):
        return access_event_record(
            user=user,
            action=AccessAction.REFUSED,
            object_type="family",
            object_id=family_id,
            family_id=family_id,
            family_reference=reference,
            detail={"route": "plans:case-notes", "method": "GET"},
        )


@pytest.fixture
def flag_at_three(settings: SettingsWrapper) -> None:
    settings.ONEPLAN_REFUSAL_FLAG_COUNT = 3
    settings.ONEPLAN_REFUSAL_FLAG_HOURS = 24


def _get(world: World, params: dict[str, str] | None = None) -> str:
    with time_machine.travel(NOW, tick=False):
        response = client_for(world.dpo).get(URL, params or {})
    assert response.status_code == 200
    return response.content.decode()


def test_a_refused_request_shows_in_the_users_activity_as_refused(world: World) -> None:
    other = world.other_lcg_family
    _refused(world.keyworker.user, other.reference, hours_ago=1, family_id=other.pk)

    html = _get(world, {"username": "keyworker"})

    assert '<strong class="govuk-tag govuk-tag--red">Refused</strong>' in html
    assert "Asked for a family outside their access: nothing was shown" in html
    assert f"Case notes for Brook family, {kept(other.reference)}" in html


def test_many_refusals_in_the_window_flag_the_user_on_the_list_and_their_page(
    world: World, flag_at_three: None
) -> None:
    for hours in (1, 5, 23):
        _refused(world.keyworker.user, "F-000101", hours_ago=hours)
    _refused(world.practitioner.user, "F-000102", hours_ago=2)

    listing = _get(world)
    page = _get(world, {"username": "keyworker"})

    assert "Refused access in the last 24 hours" in listing
    keyworker_row, practitioner_row = _rows(listing)
    assert "keyworker" in keyworker_row and FLAG in keyworker_row
    assert ">3</td>" in keyworker_row
    assert "practitioner" in practitioner_row and FLAG not in practitioner_row
    assert 'href="/audit/users/?username=keyworker"' in keyworker_row
    assert FLAG in page
    assert "3 requests for a family outside their access refused in the last 24 hours" in page


def test_one_fewer_than_the_threshold_is_not_flagged(world: World, flag_at_three: None) -> None:
    for hours in (1, 2):
        _refused(world.keyworker.user, "F-000101", hours_ago=hours)

    listing = _get(world)
    page = _get(world, {"username": "keyworker"})

    assert "keyworker" in listing
    assert FLAG not in listing and FLAG not in page
    assert "2 requests for a family outside their access refused" in page


def test_refusals_before_the_window_do_not_count(world: World, flag_at_three: None) -> None:
    for hours in (1, 2, 24.5, 30):
        _refused(world.keyworker.user, "F-000101", hours_ago=hours)

    page = _get(world, {"username": "keyworker"})

    assert FLAG not in page
    assert "2 requests for a family outside their access refused" in page


def test_the_threshold_and_window_come_from_settings(
    world: World, settings: SettingsWrapper
) -> None:
    settings.ONEPLAN_REFUSAL_FLAG_COUNT = 2
    settings.ONEPLAN_REFUSAL_FLAG_HOURS = 48
    for hours in (1, 30):
        _refused(world.keyworker.user, "F-000101", hours_ago=hours)

    page = _get(world, {"username": "keyworker"})

    assert FLAG in page
    assert "in the last 48 hours" in page


@pytest.mark.parametrize("setting", ["ONEPLAN_REFUSAL_FLAG_COUNT", "ONEPLAN_REFUSAL_FLAG_HOURS"])
def test_zero_turns_the_flag_off(world: World, settings: SettingsWrapper, setting: str) -> None:
    settings.ONEPLAN_REFUSAL_FLAG_COUNT = 1
    setattr(settings, setting, 0)
    for hours in (1, 2, 3):
        _refused(world.keyworker.user, "F-000101", hours_ago=hours)

    listing, page = _get(world), _get(world, {"username": "keyworker"})

    assert FLAG not in listing and FLAG not in page
    # Still counted, over the default 24 hours.
    assert "Refused access in the last 24 hours" in listing
    assert "3 requests for a family outside their access refused in the last 24 hours" in page


def test_the_default_is_ten_in_24_hours(settings: SettingsWrapper) -> None:
    from audit.selectors import refusal_flag

    assert refusal_flag() == RefusalFlag(threshold=10, hours=24)
    assert not refusal_flag().raised_by(9)
    assert refusal_flag().raised_by(10)


def test_nobody_refused_says_so(world: World) -> None:
    access_event_record(
        user=world.keyworker.user, action="view", object_type="family", object_id="1"
    )

    html = _get(world)

    assert "No one has been refused access to a family in the last 24 hours" in html
    assert FLAG not in html


def test_the_list_costs_two_queries_however_many_are_refused(world: World) -> None:
    flag = RefusalFlag(threshold=3, hours=24)
    since = NOW - datetime.timedelta(hours=24)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows = users_refused_since(since=since, flag=flag)
            for row in rows:
                assert row.user.staff.agency.name
        return len(captured)

    _refused(StaffFactory().user, "F-000101", hours_ago=1)
    few = queries()
    for _ in range(6):
        _refused(StaffFactory().user, "F-000101", hours_ago=1)
    many = queries()

    assert few == many == 2


def _rows(html: str) -> list[str]:
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return [row for row in body.split("</tr>") if "govuk-table__row" in row]
