"""The LCG dashboard and the caseload list, pages and API, for a coordinator and for
the programme manager, in a number of queries that does not grow with the caseload."""

from __future__ import annotations

from typing import Any

import pytest

from agencies.services import system_actor
from conftest import World, client_for
from families.access.grants import grants_sync
from families.models import Track
from families.states import FamilyStatus
from tests.factories import FamilyFactory, MembershipFactory

DASHBOARD = "/lcg-dashboard/"
LIST = "/lcg-caseload/"


def _more_families(world: World, n: int) -> None:
    """``n`` more families in each LCG, at every point of the journey."""
    statuses = list(FamilyStatus)
    ids = []
    for i in range(n):
        for lcg in (world.winchester, world.havant):
            family = FamilyFactory(
                lcg=lcg,
                status=statuses[i % len(statuses)],
                lead_agency=world.council,
                lead_professional=world.keyworker if i % 2 else None,
                track=Track.LOCAL if i % 3 else "",
            )
            MembershipFactory(family=family)
            ids.append(family.pk)
    grants_sync(actor=system_actor(), family_ids=ids)


# The queries each page or route makes, whatever the size of the caseload. All start with
# the user and their staff profile and end with the session's savepoint and update; the
# pages' layout reads the user's agency. Between them:
# - the dashboard: five grouped counts (families by status, track and lead agency with
#   their late plans; the screening list and its waits; the later stages' waits; overdue
#   actions by agency; results), the LCGs of its columns, the agencies' names, the
#   framework periods (the screening rule) and the targets' progress (three);
# - the list: its filters' choices (LCGs, agencies, key workers), the count and the page's
#   ids, the framework periods and the page's rows, and the access event for the rows.
PINNED = {
    ("coordinator", DASHBOARD): 17,
    ("programme_manager", DASHBOARD): 17,
    ("coordinator", LIST): 14,
    ("programme_manager", LIST): 14,
    ("coordinator", "/api/lcg-dashboard/"): 16,
    ("coordinator", "/api/caseload/"): 13,
    ("programme_manager", "/api/caseload/"): 13,
}


@pytest.mark.parametrize(("persona", "path"), list(PINNED))
def test_the_same_number_of_queries_for_2_or_20_families(
    world: World, django_assert_num_queries: Any, persona: str, path: str
) -> None:
    client = client_for(getattr(world, persona))
    client.get(path)  # warm the session
    _more_families(world, 1)  # 2 families in each LCG
    with django_assert_num_queries(PINNED[(persona, path)]):
        assert client.get(path).status_code == 200
    _more_families(world, 18)  # 20 in each
    with django_assert_num_queries(PINNED[(persona, path)]):
        assert client.get(path).status_code == 200
