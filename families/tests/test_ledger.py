"""The grant ledger (issue 14): every grant ever opened on a family, beside who viewed it.

The allocation, the handover and the LCG meeting are made through the LCG's API (the
app above families), so this test drives the same services people do without the
families app importing the one above it.
"""

from __future__ import annotations

import datetime
import html as html_text

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import LCGMembership
from audit.models import AccessAction, AccessEvent
from conftest import World, client_for
from families.access import ledger_views
from families.access.ledger import LEDGER_OBJECT_TYPE, grant_ledger_for_family, ledger_entries
from families.access.services import break_glass_open, lawful_basis_record, team_member_add
from families.grants_models import Grant, GrantReason, LawfulBasisKind
from families.models import Family
from families.states import FamilyStatus
from tests.factories import AgencyFactory, FamilyFactory, MembershipFactory

ALLOCATION_REASON = "Worries at school and at home: the council's early help team"
HANDOVER_REASON = "The first key worker is moving to the Havant team"
GLASS_REASON = "Police called about a child left alone at the address tonight"


def _page(reference: str, **query: str) -> str:
    url = reverse("families:grant-ledger", args=[reference])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _api(reference: str) -> str:
    return f"/api/families/{reference}/grant-ledger/"


# --- Who may read it: one rule for the page and the API ------------------------------

# own: Winchester, led by the keyworker; other: Havant, the school its lead agency;
# unassigned: no LCG. The DPO reads every family's; an LCG's coordinators their own
# LCG's; anyone else who sees the family 403; a family outside scope 404.
ACCESS_TABLE = [
    # persona, family, page, api
    ("anonymous", "own_family", 302, 403),
    ("sysadmin", "own_family", 403, 403),
    ("keyworker", "own_family", 403, 403),
    ("keyworker", "other_lcg_family", 404, 404),
    ("practitioner", "own_family", 404, 404),
    ("coordinator", "own_family", 200, 200),
    ("coordinator", "other_lcg_family", 404, 404),
    ("coordinator", "unassigned_family", 404, 404),
    ("other_coordinator", "other_lcg_family", 200, 200),
    ("other_coordinator", "own_family", 404, 404),
    ("programme_manager", "own_family", 403, 403),
    ("auditor", "own_family", 403, 403),
    ("senior_officer", "own_family", 403, 403),
    ("dpo", "own_family", 200, 200),
    ("dpo", "other_lcg_family", 200, 200),
    ("dpo", "unassigned_family", 200, 200),
]


def _client(world: World, persona: str) -> Client:
    return Client() if persona == "anonymous" else client_for(getattr(world, persona))


def _shown_events() -> int:
    return AccessEvent.objects.exclude(action=AccessAction.REFUSED).count()


@pytest.mark.parametrize(("persona", "family_name", "page", "api"), ACCESS_TABLE)
def test_who_may_read_the_ledger(
    world: World, persona: str, family_name: str, page: int, api: int
) -> None:
    family: Family = getattr(world, family_name)
    client = _client(world, persona)
    grants_before = sorted(Grant.objects.values_list("pk", "ended_at"))

    for url, expected in ((_page(family.reference), page), (_api(family.reference), api)):
        before = _shown_events()
        response = client.get(url)

        assert response.status_code == expected, (url, response.content[:300])
        ledger_reads = AccessEvent.objects.filter(
            object_type=LEDGER_OBJECT_TYPE, family_id=family.pk
        )
        if expected == 200:
            # Reading the ledger is itself recorded, naming the family.
            assert _shown_events() == before + 1
            assert ledger_reads.filter(user=getattr(world, persona).user).exists()
        else:
            # A refusal shows nothing and records no read.
            assert _shown_events() == before
            assert not ledger_reads.exists()
    assert sorted(Grant.objects.values_list("pk", "ended_at")) == grants_before


def test_the_family_page_links_to_the_ledger_only_for_those_who_may_read_it(
    world: World,
) -> None:
    url = reverse("families:detail", args=[world.own_family.reference])
    ledger = _page(world.own_family.reference)

    assert ledger in client_for(world.coordinator).get(url).content.decode()
    assert ledger in client_for(world.dpo).get(url).content.decode()
    assert ledger not in client_for(world.keyworker).get(url).content.decode()


# --- What it lists: each grant with what opened it ----------------------------------


def _screened_family(world: World) -> Family:
    family = FamilyFactory(lcg=world.winchester, status=FamilyStatus.SCREENED)
    MembershipFactory(family=family, person__given_name="Morgan", person__family_name="Dale")
    return family


def _allocate(world: World, family: Family, username: str, reason: str) -> None:
    response = client_for(world.coordinator).post(
        f"/api/families/{family.reference}/allocation/",
        {
            "track": "local",
            "lead_agency": world.council.code,
            "lead_professional": username,
            "reason": reason,
            "decision_source": "LCG meeting, 3 March",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def _meeting(world: World, family: Family) -> None:
    """A Winchester meeting with the police practitioner invited and ``family`` on its
    agenda: the police work with none of its families, so the attendee gets a grant."""
    LCGMembership.objects.create(
        lcg=world.winchester, staff=world.practitioner, is_coordinator=False
    )
    coordinator = client_for(world.coordinator)
    created = coordinator.post(
        "/api/lcg-meetings/",
        {
            "lcg": world.winchester.code,
            "starts_at": (timezone.now() - datetime.timedelta(minutes=5)).isoformat(),
            "location": "Winchester Guildhall",
            "attendees": [world.practitioner.user.username],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    added = coordinator.post(
        f"/api/lcg-meetings/{created.json()['meeting']['id']}/agenda/",
        {"reference": family.reference},
        content_type="application/json",
    )
    assert added.status_code == 201, added.content


@pytest.fixture
def ledger_family(world: World) -> Family:
    """A Winchester family allocated to the keyworker, handed over to the other
    keyworker, with the school on its team, on an LCG meeting's agenda with the police
    invited, and opened in an emergency by Havant's coordinator."""
    family = _screened_family(world)
    _allocate(world, family, world.keyworker.user.username, ALLOCATION_REASON)
    _allocate(world, family, world.other_keyworker.user.username, HANDOVER_REASON)
    lead = world.other_keyworker.user
    lawful_basis_record(
        actor=lead,
        family=family,
        kind=LawfulBasisKind.STATUTORY_GATEWAY,
        gateway="Children Act 1989 section 17",
        given_on=timezone.localdate(),
    )
    school = AgencyFactory(code="SCHOOL9", name="Kings School")
    team_member_add(actor=lead, family=family, agency=school)
    _meeting(world, family)
    break_glass_open(
        actor=world.other_coordinator.user,
        reference=family.reference,
        category="risk_to_child",
        reason=GLASS_REASON,
    )
    return family


def test_the_ledger_lists_every_grant_with_what_opened_it(
    world: World, ledger_family: Family
) -> None:
    # Given a family allocated, handed over, with a team, a meeting and an emergency
    entries = ledger_entries(ledger_family, list(grant_ledger_for_family(ledger_family)))
    by_reason: dict[str, list[str]] = {}
    for entry in entries:
        by_reason.setdefault(entry.grant.reason, []).append(entry.opened_by_event)

    # Then each grant names its grantee, why, and the event that opened it
    assert set(by_reason) == {
        GrantReason.LEAD_PROFESSIONAL,
        GrantReason.TEAM,
        GrantReason.MEETING,
        GrantReason.BREAK_GLASS,
    }
    allocation, handover = sorted(
        (e for e in entries if e.grant.reason == GrantReason.LEAD_PROFESSIONAL),
        key=lambda e: e.grant.pk,
    )
    assert allocation.opened_by_event.startswith(
        f"Allocation to {world.keyworker.display_name}, {world.council.name}"
    )
    assert ALLOCATION_REASON in allocation.opened_by_event
    assert "LCG meeting, 3 March" in allocation.opened_by_event
    assert allocation.grantee == world.keyworker.user.get_full_name()
    # The handover ended the first lead's grant and opened the new lead's.
    assert allocation.state == "ended"
    assert allocation.ended_why == "Lead changed"
    assert handover.opened_by_event.startswith(f"Handover to {world.other_keyworker.display_name}")
    assert HANDOVER_REASON in handover.opened_by_event
    assert handover.state == "in_force"
    assert handover.opened_by == world.coordinator.user.get_full_name()
    (team,) = by_reason[GrantReason.TEAM]
    assert "Kings School added to the team around the family" in team
    assert "Children Act 1989 section 17" in team
    (meeting,) = by_reason[GrantReason.MEETING]
    assert meeting.startswith("Invited to the Winchester LCG meeting on")
    (glass,) = by_reason[GrantReason.BREAK_GLASS]
    assert GLASS_REASON in glass
    assert "Waiting for review by the data protection officer" in glass
    meeting_entry = next(e for e in entries if e.grant.reason == GrantReason.MEETING)
    assert meeting_entry.grantee_kind == "user"
    assert meeting_entry.grantee_agency == world.police.name
    assert meeting_entry.ends_at is not None


def test_the_page_and_the_api_show_the_same_ledger(world: World, ledger_family: Family) -> None:
    client = client_for(world.dpo)

    page = client.get(_page(ledger_family.reference))
    api = client.get(_api(ledger_family.reference))

    assert page.status_code == 200
    html = html_text.unescape(page.content.decode())
    for words in (ALLOCATION_REASON, HANDOVER_REASON, GLASS_REASON, "Lead changed"):
        assert words in html
    for label in ("Lead professional", "Team around the family", "LCG meeting"):
        assert label in html
    assert api.status_code == 200
    rows = api.json()["results"]
    assert api.json()["count"] == len(rows) == 5
    assert {row["reason"] for row in rows} == {
        "lead_professional",
        "team",
        "meeting",
        "break_glass",
    }
    glass = next(row for row in rows if row["reason"] == "break_glass")
    assert glass["grantee_username"] == world.other_coordinator.user.username
    assert GLASS_REASON in glass["opened_by_event"]
    assert glass["state"] == "in_force"


def test_who_has_viewed_is_beside_the_grants(world: World, ledger_family: Family) -> None:
    # Given the family's page opened by its new lead
    client_for(world.other_keyworker).get(
        reverse("families:detail", args=[ledger_family.reference])
    )

    # When the coordinator opens the ledger's other list
    response = client_for(world.coordinator).get(_page(ledger_family.reference, show="viewers"))

    # Then it lists who viewed the family, and the grants are a link away
    assert response.status_code == 200
    html = response.content.decode()
    assert world.other_keyworker.user.get_full_name() in html
    assert "?show=grants" in html
    assert ALLOCATION_REASON not in html
    event = AccessEvent.objects.filter(
        object_type=LEDGER_OBJECT_TYPE, user=world.coordinator.user
    ).get()
    assert event.detail["show"] == "viewers"


def test_the_ledger_is_paged(
    world: World, ledger_family: Family, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_views, "PAGE_SIZE", 2)
    client = client_for(world.dpo)

    first = client.get(_page(ledger_family.reference)).content.decode()
    third = client.get(_page(ledger_family.reference, page="3")).content.decode()
    api = client.get(_api(ledger_family.reference) + "?page_size=2&page=3").json()

    assert "Showing 1 to 2 of 5 grants" in first
    assert "Showing 5 to 5 of 5 grants" in third
    assert api["count"] == 5
    assert len(api["results"]) == 1
    assert AccessEvent.objects.filter(object_type=LEDGER_OBJECT_TYPE).count() == 3


def test_reading_the_ledger_does_not_grow_in_queries_with_the_grants(world: World) -> None:
    family = world.own_family
    lead = world.keyworker.user
    lawful_basis_record(
        actor=lead,
        family=family,
        kind=LawfulBasisKind.STATUTORY_GATEWAY,
        gateway="Children Act 1989 section 17",
        given_on=timezone.localdate(),
    )
    client = client_for(world.dpo)
    client.get(_page(family.reference))  # warm the session and the caches
    with CaptureQueriesContext(connection) as few:
        client.get(_page(family.reference))
    for number in range(6):
        team_member_add(
            actor=lead,
            family=family,
            agency=AgencyFactory(code=f"AG{number}", name=f"Agency {number}"),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(_page(family.reference))

    assert response.status_code == 200
    assert "Agency 5 added to the team" in response.content.decode()
    # One more, for the team memberships, which the first page did not need; not one
    # more per grant.
    assert len(many) <= len(few) + 1
