"""The "who has viewed this family" selector and table partial the families app includes."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.paginator import Page, Paginator
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from agencies.models import User
from audit.models import AccessEvent
from audit.selectors import access_events_for_family, user_get_by_username
from audit.services import access_event_record, access_events_record_many
from tests.factories import StaffFactory, UserFactory
from tests.support.html import kept

pytestmark = pytest.mark.django_db

FAMILY = 41


BASE = datetime.datetime(2025, 5, 1, 12, 0, tzinfo=datetime.UTC)


def _ago(minutes: int) -> time_machine.travel:
    return time_machine.travel(BASE - datetime.timedelta(minutes=minutes), tick=False)


def _view(
    family_id: int,
    *,
    minutes_ago: int,
    action: str = "view",
    user: User | None = None,
    purpose: str = "",
) -> AccessEvent:
    with _ago(minutes_ago):
        return access_event_record(
            user=user or StaffFactory().user,
            action=action,
            object_type="family",
            object_id=str(family_id),
            family_id=family_id,
            family_reference=f"F-{family_id:06d}",
            purpose=purpose,
        )


def _listed(family_ids: list[int], *, minutes_ago: int) -> AccessEvent:
    with _ago(minutes_ago):
        return access_events_record_many(user=UserFactory(), family_ids=family_ids)


def test_finds_every_read_of_the_family_and_the_lists_that_showed_it() -> None:
    viewed = _view(FAMILY, minutes_ago=30)
    broke_glass = _view(FAMILY, minutes_ago=20, action="break_glass", purpose="Out of hours")
    listed = _listed([FAMILY, 7], minutes_ago=10)
    _listed([7, 8], minutes_ago=5)
    _view(7, minutes_ago=1)

    found = list(access_events_for_family(family_id=FAMILY))

    assert [e.pk for e in found] == [listed.pk, broke_glass.pk, viewed.pk]
    without_lists = access_events_for_family(family_id=FAMILY, include_lists=False)
    assert [e.pk for e in without_lists] == [broke_glass.pk, viewed.pk]


def test_limit_and_offset_slice_newest_first() -> None:
    events = [_view(FAMILY, minutes_ago=m) for m in (50, 40, 30, 20, 10)]
    newest_first = [e.pk for e in reversed(events)]

    assert [e.pk for e in access_events_for_family(family_id=FAMILY)] == newest_first
    window = access_events_for_family(family_id=FAMILY, limit=2, offset=1)
    assert [e.pk for e in window] == newest_first[1:3]
    rest = access_events_for_family(family_id=FAMILY, offset=3)
    assert [e.pk for e in rest] == newest_first[3:]


def _render(page: Page[AccessEvent]) -> str:
    request = RequestFactory().get("/families/F-000041/viewers/", {"page": page.number})
    return render_to_string(
        "audit/_family_access_events.html", {"events_page": page}, request=request
    )


def _page(number: int = 1, per_page: int = 50) -> Page[AccessEvent]:
    return Paginator(access_events_for_family(family_id=FAMILY), per_page).get_page(number)


def test_the_partial_shows_who_when_what_and_why() -> None:
    staff = StaffFactory(user__first_name="Ada", user__last_name="Lovelace", agency__name="Police")
    _view(FAMILY, minutes_ago=5, user=staff.user, action="break_glass", purpose="Safeguarding")

    html = _render(_page())

    assert "Ada Lovelace" in html
    assert "Police" in html
    assert "Emergency access (break glass)" in html
    assert f"Family {kept('F-000041')}" in html
    assert "Safeguarding" in html
    assert "<caption" in html and 'scope="col"' in html


def test_the_partial_paginates() -> None:
    for m in range(7):
        _view(FAMILY, minutes_ago=m)
    html = _render(_page(number=2, per_page=5))
    assert 'aria-label="Access history pages"' in html
    assert "Showing 6 to" in html


def test_the_partial_says_when_nothing_is_recorded() -> None:
    html = _render(_page())
    assert "No access to this family has been recorded." in html
    assert "<table" not in html


@pytest.mark.parametrize("events", [3, 30])
def test_rendering_a_page_costs_the_same_queries_however_many_rows(events: int) -> None:
    for m in range(events):
        _view(FAMILY, minutes_ago=m)  # each by a different member of staff and agency

    with CaptureQueriesContext(connection) as queries:
        _render(_page())

    assert len(queries) == 2  # the count and the rows, with users, staff and agencies


def test_usernames_match_exactly_or_ignoring_case_when_unambiguous() -> None:
    user = UserFactory(username="jsmith")
    assert getattr(user_get_by_username("jsmith"), "pk", None) == user.pk
    assert getattr(user_get_by_username(" JSmith "), "pk", None) == user.pk
    UserFactory(username="JSMITH")
    assert user_get_by_username("Jsmith") is None  # two accounts match: say none
    assert user_get_by_username("") is None
