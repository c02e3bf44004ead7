"""The screening list, where data-identified and nominated families meet, and the
screening decision. Scoped per LCG, constant queries. Who may see the list and decide,
and that denial changes nothing, is the authorisation table in lcgs/tests/matrix.py."""

from __future__ import annotations

import datetime
from html import unescape
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.services import system_actor
from audit.models import AccessAction, AccessEvent
from conftest import World, client_for
from families.access.grants import grants_sync
from families.models import Family, FamilyStatusChange
from families.states import FamilyStatus
from lcgs.screening import services
from lcgs.screening.selectors import screening_entries, screening_list_for_user
from oneplan.errors import ApplicationError
from outcomes.assessment.selectors import framework_for_family
from outcomes.models import FrameworkPeriod, Nomination, NominationStatus
from tests.factories import FamilyFactory, MembershipFactory
from tests.support.screening import assessment_add, nomination_add

LIST = "lcgs:screening-list"


def _html(response: Any) -> str:
    text: str = unescape(response.content.decode())
    return text


def _listed(world: World, persona: str, **filters: Any) -> set[str]:
    rows = screening_list_for_user(getattr(world, persona).user, **filters)
    return {family.reference for family in rows}


def _waiting_family(world: World, **kwargs: Any) -> Family:
    """Another identified Winchester family."""
    family = FamilyFactory(lcg=world.winchester, **kwargs)
    assert isinstance(family, Family)
    return family


def _decide_url(family: Family) -> str:
    return reverse("lcgs:screening-decide", args=[family.reference])


# -- who is on the list ------------------------------------------------------------


def test_data_identified_and_nominated_families_meet_on_one_list(world: World) -> None:
    data = world.own_family
    assessment_add(data, met=["crime", "housing", "health"])
    nominated = _waiting_family(world)
    nomination_add(nominated, world.keyworker)
    both = _waiting_family(world)
    assessment_add(both, met=["crime", "education", "housing"])
    nomination_add(both, world.practitioner, criteria=["domestic_abuse"])

    entries = {
        e.family.reference: e
        for e in screening_entries(screening_list_for_user(world.coordinator.user))
    }

    assert set(entries) == {data.reference, nominated.reference, both.reference}
    assert entries[data.reference].how_identified == ["Agency data: 3 of 10 problems"]
    assert entries[nominated.reference].how_identified == ["Nominated by Early Help Hampshire"]
    assert entries[both.reference].how_identified == [
        "Agency data: 3 of 10 problems",
        "Nominated by Hampshire Constabulary",
    ]
    marks = {(c.code, c.from_data, c.nominated) for c in entries[both.reference].criteria}
    assert marks == {
        ("education", True, False),
        ("crime", True, False),
        ("domestic_abuse", False, True),
        ("housing", True, False),
    }
    assert [e.source for e in entries.values()] == ["data", "nomination", "both"]


@pytest.mark.parametrize(
    "setup",
    [
        "not_eligible",
        "eligible_but_not_current",
        "eligible_under_an_earlier_framework",
        "already_screened",
        "only_a_withdrawn_nomination",
        "only_a_declined_nomination",
    ],
)
def test_families_not_waiting_for_screening_are_not_listed(world: World, setup: str) -> None:
    family = world.own_family
    if setup == "not_eligible":
        assessment_add(family, met=["crime"], eligible=False)
    elif setup == "eligible_but_not_current":
        assessment_add(family, met=["crime", "housing", "health"])
        assessment_add(family, met=["crime"], eligible=False)
    elif setup == "eligible_under_an_earlier_framework":
        assessment_add(family, met=["crime_asb", "education", "work"], framework="tf1")
    elif setup == "already_screened":
        assessment_add(family, met=["crime", "housing", "health"])
        nomination_add(family, world.keyworker)
        Family.objects.filter(pk=family.pk).update(status=FamilyStatus.SCREENED)
    else:
        nomination = nomination_add(family, world.keyworker)
        status = (
            NominationStatus.WITHDRAWN
            if setup == "only_a_withdrawn_nomination"
            else NominationStatus.DECLINED
        )
        Nomination.objects.filter(pk=nomination.pk).update(status=status)

    assert _listed(world, "coordinator") == set()


def test_each_coordinator_sees_their_lcgs_and_the_programme_manager_sees_all(
    world: World,
) -> None:
    for family in (world.own_family, world.other_lcg_family, world.unassigned_family):
        assessment_add(family, met=["crime", "housing", "health"])
    own, other, unassigned = (
        world.own_family.reference,
        world.other_lcg_family.reference,
        world.unassigned_family.reference,
    )

    assert _listed(world, "coordinator") == {own}
    assert _listed(world, "other_coordinator") == {other}
    assert _listed(world, "programme_manager") == {own, other, unassigned}
    assert _listed(world, "programme_manager", unassigned=True) == {unassigned}
    assert _listed(world, "programme_manager", lcg_id=world.havant.pk) == {other}
    # A coordinator asking for another LCG gets nothing, not that LCG's families.
    assert _listed(world, "coordinator", lcg_id=world.havant.pk) == set()


def test_the_source_filter_picks_data_nominations_or_both(world: World) -> None:
    data = world.own_family
    assessment_add(data, met=["crime", "housing", "health"])
    nominated = _waiting_family(world)
    nomination_add(nominated, world.keyworker)
    both = _waiting_family(world)
    assessment_add(both, met=["crime", "housing", "health"])
    nomination_add(both, world.keyworker)

    assert _listed(world, "coordinator", source="data") == {data.reference, both.reference}
    assert _listed(world, "coordinator", source="nomination") == {
        nominated.reference,
        both.reference,
    }
    assert _listed(world, "coordinator", source="both") == {both.reference}


def test_the_longest_waiting_family_comes_first(world: World) -> None:
    now = timezone.now()
    later = _waiting_family(world, status_changed_at=now - datetime.timedelta(days=40))
    nomination_add(later, world.keyworker, created_at=now - datetime.timedelta(days=2))
    earlier = _waiting_family(world, status_changed_at=now - datetime.timedelta(days=40))
    assessment_add(earlier, met=["crime", "housing", "health"], assessed_at=now)
    assessment_add(
        earlier,
        met=["crime", "housing", "health"],
        assessed_at=now - datetime.timedelta(days=9),
    )

    entries = screening_entries(screening_list_for_user(world.coordinator.user))

    assert [e.family for e in entries] == [earlier, later]
    assert entries[0].since == now - datetime.timedelta(days=9)
    assert entries[1].since == now - datetime.timedelta(days=2)


# -- the page ----------------------------------------------------------------------


def test_the_page_shows_each_family_with_how_it_was_identified(world: World) -> None:
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)):
        assessment_add(world.own_family, met=["crime", "housing", "health"])
        nomination_add(world.own_family, world.practitioner, criteria=["education"])
    client = client_for(world.coordinator)

    html = _html(client.get(reverse(LIST)))

    assert _decide_url(world.own_family) in html
    assert "Jordan Ashby" in html
    assert "Winchester LCG" in html
    assert "Agency data: 3 of 10 problems" in html
    assert "Nominated by Hampshire Constabulary" in html
    assert "Crime prevention and tackling crime (data)" in html
    assert "Getting a good education (nomination)" in html
    assert "2 March 2026" in html
    event = AccessEvent.objects.get(user=world.coordinator.user, action=AccessAction.LIST)
    assert event.detail["families"] == [world.own_family.pk]
    assert event.detail["screening"] is True


def test_the_page_has_an_empty_state_and_a_no_match_state(world: World) -> None:
    client = client_for(world.programme_manager)

    empty = _html(client.get(reverse(LIST)))
    assessment_add(world.own_family, met=["crime", "housing", "health"])
    filtered = _html(client.get(reverse(LIST), {"source": "nomination"}))

    assert "No families are waiting for screening" in empty
    assert "No families match your filters" in filtered
    assert "Unassigned (outside every LCG)" in filtered


def test_a_coordinators_filter_offers_only_their_lcgs(world: World) -> None:
    html = _html(client_for(world.coordinator).get(reverse(LIST)))

    assert "Winchester LCG" in html
    assert "Havant LCG" not in html
    assert "Unassigned (outside every LCG)" not in html


# -- performance -------------------------------------------------------------------


def _more_families(world: World, n: int) -> None:
    ids = []
    for i in range(n):
        family = FamilyFactory(lcg=world.winchester)
        MembershipFactory(family=family)
        if i % 2:
            assessment_add(family, met=["crime", "housing", "health"])
        else:
            nomination_add(family, world.keyworker)
            nomination_add(family, world.practitioner)
        ids.append(family.pk)
    grants_sync(actor=system_actor(), family_ids=ids)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", ["/screening/", "/api/screening/"])
def test_the_list_uses_the_same_queries_for_3_or_30_families(world: World, url: str) -> None:
    client = client_for(world.coordinator)
    _more_families(world, 3)
    client.get(url)  # warm the session
    few = _queries(client, url)
    _more_families(world, 27)

    many = _queries(client, url)

    assert many == few
    # Sign-in (2), the filter's LCGs, the framework periods (the assessment's chooser),
    # count, rows, two prefetches, the access event, the header's agency, the session's
    # save (3).
    assert few <= 13


# -- the decision ------------------------------------------------------------------


def test_an_eligible_family_moves_to_screened_and_its_nominations_are_accepted(
    world: World,
) -> None:
    assessment_add(world.own_family, met=["crime", "housing", "health"])
    first = nomination_add(world.own_family, world.keyworker)
    second = nomination_add(world.own_family, world.practitioner)
    client = client_for(world.coordinator)

    page = client.get(_decide_url(world.own_family))
    response = client.post(_decide_url(world.own_family), {"decision": "eligible"})

    html = _html(page)
    assert "Police call-outs every week" in html
    assert "crime found" in html  # the assessment's reasons
    assert response.status_code == 302
    world.own_family.refresh_from_db()
    assert world.own_family.status == FamilyStatus.SCREENED
    change = FamilyStatusChange.objects.get(family=world.own_family)
    assert change.actor == world.coordinator.user
    assert change.reason == "Screened: eligible for the programme"
    for nomination in (first, second):
        nomination.refresh_from_db()
        assert nomination.status == NominationStatus.ACCEPTED
        assert nomination.decided_by == world.coordinator.user
        assert nomination.decided_at is not None
    assert AccessEvent.objects.filter(
        user=world.coordinator.user, action=AccessAction.VIEW, family_id=world.own_family.pk
    ).exists()
    assert _decide_url(world.own_family) not in _html(client.get(reverse(LIST)))


def test_a_family_that_is_not_eligible_needs_a_reason_and_is_closed(world: World) -> None:
    nomination = nomination_add(world.own_family, world.keyworker)
    client = client_for(world.coordinator)

    refused = client.post(_decide_url(world.own_family), {"decision": "not_eligible"})
    world.own_family.refresh_from_db()
    assert refused.status_code == 400
    assert "Enter why the family is not eligible" in _html(refused)
    assert world.own_family.status == FamilyStatus.IDENTIFIED

    done = client.post(
        _decide_url(world.own_family),
        {"decision": "not_eligible", "reason": "Only one need; early help instead"},
    )

    assert done.status_code == 302
    world.own_family.refresh_from_db()
    assert world.own_family.status == FamilyStatus.CLOSED_NO_OUTCOME
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.DECLINED
    assert nomination.decision_note == "Only one need; early help instead"
    listing = _html(client_for(world.keyworker).get(reverse("lcgs:nomination-list")))
    assert "Only one need; early help instead" in listing


def test_no_decision_chosen_is_shown_again_with_the_reason_typed(world: World) -> None:
    nomination_add(world.own_family, world.keyworker)

    response = client_for(world.coordinator).post(
        _decide_url(world.own_family), {"reason": "Thinking about it"}
    )

    html = _html(response)
    assert response.status_code == 400
    assert "Select whether the family is eligible" in html
    assert "Thinking about it" in html
    world.own_family.refresh_from_db()
    assert world.own_family.status == FamilyStatus.IDENTIFIED


def test_a_second_decision_on_the_same_family_is_refused(world: World) -> None:
    nomination_add(world.own_family, world.keyworker)
    services.screening_decide(
        actor=world.coordinator.user, family=world.own_family, eligible=True, reason=""
    )

    with pytest.raises(ApplicationError, match="already been screened"):
        services.screening_decide(
            actor=world.programme_manager.user,
            family=world.own_family,
            eligible=False,
            reason="Too late",
        )
    world.own_family.refresh_from_db()
    assert world.own_family.status == FamilyStatus.SCREENED
    # Off the list, so the page answers as for any family not waiting.
    page = client_for(world.programme_manager).get(_decide_url(world.own_family))
    assert page.status_code == 404


def test_a_family_on_no_list_cannot_be_screened_here(world: World) -> None:
    with pytest.raises(ApplicationError, match="not waiting for screening"):
        services.screening_decide(
            actor=world.coordinator.user, family=world.own_family, eligible=True, reason=""
        )


# Who may decide, and that every refusal changes nothing, is the authorisation table in
# lcgs/tests/matrix.py; here, what a decision by each who may decide does.
DECIDERS = ["coordinator", "programme_manager"]


@pytest.mark.parametrize("persona", DECIDERS)
def test_the_lcgs_coordinators_and_programme_managers_decide(world: World, persona: str) -> None:
    nomination = nomination_add(world.own_family, world.keyworker)
    client = client_for(getattr(world, persona))

    page = client.get(_decide_url(world.own_family))
    response = client.post(
        _decide_url(world.own_family), {"decision": "not_eligible", "reason": "No"}
    )

    assert page.status_code == 200
    assert response.status_code == 302
    world.own_family.refresh_from_db()
    nomination.refresh_from_db()
    assert world.own_family.status == FamilyStatus.CLOSED_NO_OUTCOME
    assert nomination.status == NominationStatus.DECLINED


@pytest.mark.parametrize("persona", DECIDERS)
def test_the_api_decision_by_those_who_decide(world: World, persona: str) -> None:
    nomination = nomination_add(world.own_family, world.keyworker)
    client = client_for(getattr(world, persona))

    response = client.post(
        f"/api/screening/{world.own_family.reference}/decide/",
        {"decision": "eligible"},
        content_type="application/json",
    )

    world.own_family.refresh_from_db()
    nomination.refresh_from_db()
    assert response.status_code == 200
    assert response.json() == {
        "reference": world.own_family.reference,
        "status": "screened",
        "eligible": True,
        "nominations_decided": 1,
    }
    assert nomination.status == NominationStatus.ACCEPTED


# -- the API -----------------------------------------------------------------------


def test_the_api_lists_and_reads_the_screening_list(world: World) -> None:
    assessment_add(world.own_family, met=["crime", "housing", "health"])
    nomination_add(world.own_family, world.practitioner, criteria=["education"])
    client = client_for(world.coordinator)

    listed = client.get("/api/screening/")
    detail = client.get(f"/api/screening/{world.own_family.reference}/")
    hidden = client.get(f"/api/screening/{world.other_lcg_family.reference}/")

    row = listed.json()["results"][0]
    assert listed.json()["count"] == 1
    assert row["reference"] == world.own_family.reference
    assert row["lcg"] == "WINCHESTER"
    assert row["main_carer"] == "Jordan Ashby"
    assert row["identified_by"] == "both"
    assert row["met_count"] == 3
    assert row["problem_count"] == 10
    assert row["how_identified"] == [
        "Agency data: 3 of 10 problems",
        "Nominated by Hampshire Constabulary",
    ]
    assert {c["code"] for c in row["criteria"]} == {"crime", "housing", "health", "education"}
    assert detail.json()["nominations"][0]["agency"] == "POLICE"
    assert hidden.status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [({"source": "gossip"}, "source"), ({"lcg": "winchester"}, "lcg")],
)
def test_the_api_refuses_bad_filters(world: World, params: dict[str, str], field: str) -> None:
    response = client_for(world.programme_manager).get("/api/screening/", params)

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"source": "gossip"}, "source", "Enter data, nomination or both"),
        ({"lcg": "0"}, "lcg", "Enter an LCG id as a whole number"),
        ({"unassigned": "perhaps"}, "unassigned", "Enter true or false"),
    ],
)
def test_the_api_names_the_bad_filter_and_records_nothing(
    world: World, params: dict[str, str], field: str, message: str
) -> None:
    assessment_add(world.own_family, met=["crime", "housing", "health"])
    before = AccessEvent.objects.count()

    response = client_for(world.programme_manager).get("/api/screening/", params)

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert AccessEvent.objects.count() == before


def test_the_api_filters_by_source_and_lcg(world: World) -> None:
    assessment_add(world.own_family, met=["crime", "housing", "health"])
    nomination_add(world.unassigned_family, world.keyworker, criteria=["education"])
    client = client_for(world.programme_manager)

    def listed(params: dict[str, str]) -> list[str]:
        response = client.get("/api/screening/", params)
        assert response.status_code == 200
        return [row["reference"] for row in response.json()["results"]]

    own, unassigned = world.own_family.reference, world.unassigned_family.reference
    assert sorted(listed({})) == sorted([own, unassigned])
    assert listed({"source": "data"}) == [own]
    assert listed({"source": "nomination"}) == [unassigned]
    assert listed({"source": "both"}) == []
    assert listed({"lcg": str(world.winchester.pk)}) == [own]
    assert listed({"unassigned": "true"}) == [unassigned]


def test_the_api_refuses_a_not_eligible_decision_without_a_reason(world: World) -> None:
    nomination_add(world.own_family, world.keyworker)

    response = client_for(world.coordinator).post(
        f"/api/screening/{world.own_family.reference}/decide/",
        {"decision": "not_eligible"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"reason": ["Enter why the family is not eligible"]}
    world.own_family.refresh_from_db()
    assert world.own_family.status == FamilyStatus.IDENTIFIED


@pytest.mark.parametrize("periods_stored", [True, False], ids=["stored", "defaults"])
def test_the_list_and_the_assessment_agree_on_the_framework(
    world: World, periods_stored: bool
) -> None:
    """The screening list asks the framework of each family in SQL; it must be the
    assessment's own answer (``FrameworkChooser``), also when no periods are stored and
    the chooser falls back to the default ones."""
    if not periods_stored:
        FrameworkPeriod.objects.all().delete()
    family = _waiting_family(world)
    assessment_add(family, met=["crime", "education", "housing"])

    assert framework_for_family(family) == "sf2022"
    assert _listed(world, "coordinator") == {family.reference}
