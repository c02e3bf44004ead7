"""The review queue and a person's sources, in the browser and through the API.

Programme managers only. Everyone else signed in gets 403 and changes nothing;
anonymous visitors are sent to sign in (pages) or refused (API).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Staff
from audit.models import AccessEvent
from conftest import World, client_for
from families.models import Family, Person
from outcomes.models import (
    MatchDecision,
    MatchDecisionKind,
    MatchMethod,
    MatchReview,
    MatchReviewStatus,
    SourcePerson,
)
from outcomes.tests import test_matching_services as given
from outcomes.tests.test_matching_services import OLIVER_BORN, identity, match

# The same families and waiting record as the service tests.
ashbys = given.ashbys
waiting = given.waiting

DENIED = ("keyworker", "coordinator", "practitioner", "auditor", "dpo", "sysadmin")


def staff(world: World, name: str) -> Staff:
    member: Staff = getattr(world, name)
    return member


@pytest.fixture
def linked_twice(world: World, ashbys: Family) -> SourcePerson:
    """Robert has a council record and a police record (the police one is "Bob")."""
    match(world.council, identity("C1"))
    return match(world.police, identity("P2", given_name="Bob")).sources["P2"]


def _unchanged(source: SourcePerson, person: Person | None, decisions: int) -> None:
    source.refresh_from_db()
    assert source.person == person
    assert MatchDecision.objects.filter(source=source).count() == decisions


# -- authorisation -------------------------------------------------------------------------


@pytest.mark.parametrize("name", DENIED)
def test_only_programme_managers_see_the_queue(
    world: World, waiting: SourcePerson, name: str
) -> None:
    client = client_for(staff(world, name))
    for url in (
        reverse("outcomes:match-review-list"),
        reverse("outcomes:match-review-detail", args=[waiting.pk]),
    ):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("name", DENIED)
def test_others_cannot_decide_and_nothing_changes(
    world: World,
    waiting: SourcePerson,
    name: str,
) -> None:
    review = MatchReview.objects.get(source=waiting)

    response = client_for(staff(world, name)).post(
        reverse("outcomes:match-review-detail", args=[waiting.pk]), {"decision": str(review.pk)}
    )

    assert response.status_code == 403
    _unchanged(waiting, None, 1)
    review.refresh_from_db()
    assert review.status == MatchReviewStatus.PENDING


@pytest.mark.parametrize("name", DENIED)
def test_others_cannot_see_sources_or_undo_links_and_nothing_changes(
    world: World, linked_twice: SourcePerson, name: str
) -> None:
    robert = linked_twice.person
    client = client_for(staff(world, name))

    assert client.get(reverse("outcomes:person-sources", args=[robert.pk])).status_code == 403
    unlink = reverse("outcomes:source-unlink", args=[linked_twice.pk])
    assert client.get(unlink).status_code == 403
    assert client.post(unlink, {"reason": "Wrong"}).status_code == 403
    _unchanged(linked_twice, robert, 1)


def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(
    world: World,
    waiting: SourcePerson,
    linked_twice: SourcePerson,
) -> None:
    client = Client()
    review = MatchReview.objects.get(source=waiting)
    for url in (
        reverse("outcomes:match-review-list"),
        reverse("outcomes:match-review-detail", args=[waiting.pk]),
        reverse("outcomes:person-sources", args=[linked_twice.person_id]),
        reverse("outcomes:source-unlink", args=[linked_twice.pk]),
    ):
        response = client.post(url, {"decision": str(review.pk), "reason": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    _unchanged(waiting, None, 1)
    _unchanged(linked_twice, linked_twice.person, 1)


def test_a_record_that_never_waited_for_review_is_not_found(
    world: World, linked_twice: SourcePerson
) -> None:
    client = client_for(world.programme_manager)
    assert (
        client.get(reverse("outcomes:match-review-detail", args=[linked_twice.pk])).status_code
        == 404
    )
    assert client.get(reverse("outcomes:person-sources", args=[987654])).status_code == 404


# -- the queue -----------------------------------------------------------------------------


def test_an_empty_queue_says_so(world: World) -> None:
    response = client_for(world.programme_manager).get(reverse("outcomes:match-review-list"))

    assert response.status_code == 200
    assert "There are no matches to review" in response.content.decode()


def test_the_queue_lists_waiting_records_with_a_count(world: World, waiting: SourcePerson) -> None:
    response = client_for(world.programme_manager).get(reverse("outcomes:match-review-list"))

    page = response.content.decode()
    assert "<strong>1</strong> record waiting for a decision" in page
    assert reverse("outcomes:match-review-detail", args=[waiting.pk]) in page
    assert "Harry Ashby" in page
    assert AccessEvent.objects.filter(object_type="match_review", action="list").exists()


def test_the_queue_costs_the_same_queries_however_long_it_is(
    world: World,
    waiting: SourcePerson,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(world.programme_manager)
    url = reverse("outcomes:match-review-list")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for number in range(4):
        match(world.police, identity(f"T{number}", given_name="Harry", date_of_birth=OLIVER_BORN))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_record_and_its_candidate_are_shown_side_by_side(
    world: World,
    waiting: SourcePerson,
) -> None:
    response = client_for(world.programme_manager).get(
        reverse("outcomes:match-review-detail", args=[waiting.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Is this the same person?" in page
    assert "Candidate 1: Oliver Ashby" in page
    assert "Harry" in page
    assert 'govuk-tag--green">Agrees' in page
    assert 'govuk-tag--red">Differs' in page
    assert "Same person: link" in page
    assert "Different people: create a new person" in page
    oliver = Person.objects.get(given_name="Oliver")
    assert AccessEvent.objects.filter(object_type="person", object_id=str(oliver.pk)).exists()


def test_a_protected_address_is_withheld(
    world: World, ashbys: Family, waiting: SourcePerson
) -> None:
    assert ashbys.address is not None
    ashbys.address.is_protected = True
    ashbys.address.save()

    page = (
        client_for(world.programme_manager)
        .get(reverse("outcomes:match-review-detail", args=[waiting.pk]))
        .content.decode()
    )

    assert "Withheld: protected address" in page
    assert "10 Station Road" not in page


def test_a_decision_without_a_choice_is_refused_and_keeps_the_note(
    world: World,
    waiting: SourcePerson,
) -> None:
    response = client_for(world.programme_manager).post(
        reverse("outcomes:match-review-detail", args=[waiting.pk]), {"note": "Checked with school"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Select whether this is the same person" in page
    assert "Checked with school" in page
    _unchanged(waiting, None, 1)


def test_linking_from_the_queue(world: World, waiting: SourcePerson) -> None:
    review = MatchReview.objects.get(source=waiting)

    response = client_for(world.programme_manager).post(
        reverse("outcomes:match-review-detail", args=[waiting.pk]),
        {"decision": str(review.pk), "note": "Same UPN at school"},
    )

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.person == review.candidate
    assert waiting.match_method == MatchMethod.REVIEW
    review.refresh_from_db()
    assert review.decision_note == "Same UPN at school"


def test_creating_a_new_person_from_the_queue(world: World, waiting: SourcePerson) -> None:
    response = client_for(world.programme_manager).post(
        reverse("outcomes:match-review-detail", args=[waiting.pk]), {"decision": "new"}
    )

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.person is not None and waiting.person.given_name == "Harry"
    assert MatchDecision.objects.filter(source=waiting, kind=MatchDecisionKind.CREATED).exists()


def test_a_decided_record_shows_the_decision_and_cannot_be_decided_again(
    world: World,
    waiting: SourcePerson,
) -> None:
    client = client_for(world.programme_manager)
    url = reverse("outcomes:match-review-detail", args=[waiting.pk])
    client.post(url, {"decision": "new"})
    waiting.refresh_from_db()
    harry = waiting.person

    page = client.get(url).content.decode()
    again = client.post(url, {"decision": str(MatchReview.objects.get(source=waiting).pk)})

    assert "Match decided" in page and "Save decision" not in page
    assert again.status_code == 302
    _unchanged(waiting, harry, 2)


# -- a person's sources and undoing a link -------------------------------------------------


def test_a_persons_sources_say_how_each_was_matched(
    world: World, linked_twice: SourcePerson
) -> None:
    robert = linked_twice.person

    response = client_for(world.programme_manager).get(
        reverse("outcomes:person-sources", args=[robert.pk])
    )

    page = response.content.decode()
    assert "Where this person's records came from" in page
    assert "Hampshire Constabulary, record P2" in page
    assert "Early Help Hampshire, record C1" in page
    assert "Close: nickname" in page
    assert page.count("Undo this link") == 2


def test_undoing_needs_a_reason(world: World, linked_twice: SourcePerson) -> None:
    response = client_for(world.programme_manager).post(
        reverse("outcomes:source-unlink", args=[linked_twice.pk]), {"reason": ""}
    )

    assert response.status_code == 400
    assert "Enter why the link is wrong" in response.content.decode()
    _unchanged(linked_twice, linked_twice.person, 1)


def test_undoing_a_link_from_the_browser(world: World, linked_twice: SourcePerson) -> None:
    robert = linked_twice.person

    response = client_for(world.programme_manager).post(
        reverse("outcomes:source-unlink", args=[linked_twice.pk]), {"reason": "Bob is his brother"}
    )

    linked_twice.refresh_from_db()
    bob = linked_twice.person
    assert bob is not None and bob != robert
    assert response.status_code == 302
    assert response["Location"] == reverse("outcomes:person-sources", args=[bob.pk])


def test_the_family_page_shows_programme_managers_where_records_came_from(
    world: World, linked_twice: SourcePerson, ashbys: Family
) -> None:
    url = reverse("families:detail", args=[ashbys.reference])

    for_pm = client_for(world.programme_manager).get(url).content.decode()
    for_coordinator = client_for(world.coordinator).get(url).content.decode()

    assert "Where these records came from" in for_pm
    assert reverse("outcomes:person-sources", args=[linked_twice.person_id]) in for_pm
    assert "Where these records came from" not in for_coordinator


# -- the API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DENIED)
def test_the_api_refuses_everyone_but_programme_managers(
    world: World,
    waiting: SourcePerson,
    linked_twice: SourcePerson,
    name: str,
) -> None:
    client = client_for(staff(world, name))
    review = MatchReview.objects.get(source=waiting)

    assert client.get("/api/match-reviews/").status_code == 403
    assert client.get(f"/api/match-reviews/{waiting.pk}/").status_code == 403
    decide = client.post(
        f"/api/match-reviews/{waiting.pk}/decide/",
        {"review": review.pk, "same_person": True},
        content_type="application/json",
    )
    unlink = client.post(
        f"/api/source-people/{linked_twice.pk}/unlink/",
        {"reason": "Wrong"},
        content_type="application/json",
    )

    assert decide.status_code == unlink.status_code == 403
    _unchanged(waiting, None, 1)
    _unchanged(linked_twice, linked_twice.person, 1)


def test_the_api_refuses_anonymous_callers(world: World, waiting: SourcePerson) -> None:
    assert Client().get("/api/match-reviews/").status_code in (401, 403)
    assert Client().post(f"/api/match-reviews/{waiting.pk}/decide/", {}).status_code in (401, 403)
    _unchanged(waiting, None, 1)


def test_the_api_lists_and_shows_waiting_records(world: World, waiting: SourcePerson) -> None:
    client = client_for(world.programme_manager)

    listed = client.get("/api/match-reviews/").json()
    shown = client.get(f"/api/match-reviews/{waiting.pk}/").json()

    assert [row["id"] for row in listed["results"]] == [waiting.pk]
    assert listed["results"][0]["candidate_count"] == 1
    assert shown["pending"] is True
    assert shown["record"]["given_name"] == "Harry"
    candidate = shown["candidates"][0]
    assert candidate["given_name"] == "Oliver"
    levels = {f["field"]: f["level"] for f in candidate["agreement"]}
    assert levels["given_name"] == "differs" and levels["date_of_birth"] == "agrees"


def test_the_api_decides_a_match(world: World, waiting: SourcePerson) -> None:
    review = MatchReview.objects.get(source=waiting)
    client = client_for(world.programme_manager)

    refused = client.post(
        f"/api/match-reviews/{waiting.pk}/decide/",
        {"review": 999999, "same_person": True},
        content_type="application/json",
    )
    decided = client.post(
        f"/api/match-reviews/{waiting.pk}/decide/",
        {"review": review.pk, "same_person": True, "note": "Checked"},
        content_type="application/json",
    )
    again = client.post(
        f"/api/match-reviews/{waiting.pk}/decide/",
        {"review": review.pk, "same_person": False},
        content_type="application/json",
    )

    assert refused.status_code == 400 and "review" in refused.json()
    assert decided.status_code == 200
    assert decided.json()["person"] == review.candidate_id
    assert decided.json()["match_method"] == "review"
    assert again.status_code == 400
    assert again.json()["non_field_errors"] == ["This match has already been decided"]


def test_the_api_undoes_a_link(world: World, linked_twice: SourcePerson) -> None:
    client = client_for(world.programme_manager)
    robert = linked_twice.person

    missing_reason = client.post(
        f"/api/source-people/{linked_twice.pk}/unlink/", {}, content_type="application/json"
    )
    undone = client.post(
        f"/api/source-people/{linked_twice.pk}/unlink/",
        {"reason": "Bob is his brother"},
        content_type="application/json",
    )

    assert missing_reason.status_code == 400
    assert undone.status_code == 200
    assert undone.json()["person"] != robert.pk
    assert undone.json()["match_method"] == "unlinked"


def test_the_api_routes_are_in_the_schema(world: World) -> None:
    paths = set(client_for(world.programme_manager).get("/api/schema/?format=json").json()["paths"])

    assert {
        "/api/match-reviews/",
        "/api/match-reviews/{id}/",
        "/api/match-reviews/{id}/decide/",
        "/api/source-people/{id}/unlink/",
    } <= paths
