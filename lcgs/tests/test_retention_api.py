"""The retention API as the DPO uses it (docs/retention.md): the same services as the
pages, field-by-field errors (400), 404 for what does not exist (or is no longer
waiting), a period changed only from the version read (If-Match), and an access event
for every answer that names a family or a person. Who may call it: the permission
matrix (lcgs/tests/matrix_retention.py)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from agencies.services import system_actor
from audit.models import AccessEvent
from conftest import World, client_for
from families.models import Family
from lcgs.retention import services
from lcgs.retention.models import (
    BatchStatus,
    LegalHold,
    RetentionBatch,
    RetentionPolicy,
    RetentionReview,
    ReviewStatus,
)
from lcgs.tests.retention_support import family_ended, policies_seeded
from oneplan.jobs import job_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _periods() -> None:
    # A transactional test run before this one may have emptied the seeded table.
    policies_seeded()


@pytest.fixture
def dpo(world: World) -> Client:
    return client_for(world.dpo)


def _due(world: World, *days: int) -> list[Family]:
    """Families whose cases ended in May 2018, listed for review tonight."""
    families = [family_ended(world, closed_on=datetime.date(2018, 5, day)) for day in days]
    services.retention_reviews_list(actor=system_actor(), today=timezone.localdate())
    return families


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


def _events_after(last: int) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(pk__gt=last).order_by("pk"))


def _last_event() -> int:
    return AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- Records due for review ------------------------------------------------------------


def test_the_records_due_are_listed_oldest_first_and_recorded_as_seen(
    world: World, dpo: Client
) -> None:
    later, earlier = _due(world, 20, 2)
    last = _last_event()

    response = dpo.get("/api/retention-reviews/")

    assert response.status_code == 200
    rows = response.json()
    assert [row["family"] for row in rows] == [earlier.reference, later.reference]
    assert rows[0]["status"] == "due"
    assert rows[0]["record_class"] == "closed_case"
    assert rows[0]["feed_record"] is None
    (event,) = _events_after(last)
    assert event.action == "list"
    assert event.detail["families"] == [earlier.pk, later.pk]


def test_keeping_a_record_needs_a_reason(world: World, dpo: Client) -> None:
    _due(world, 1)
    review = RetentionReview.objects.get()

    refused = _post(dpo, f"/api/retention-reviews/{review.pk}/keep/", {"reason": "  "})

    assert refused.status_code == 400
    assert refused.json() == {"reason": ["Enter why the record is being kept"]}
    review.refresh_from_db()
    assert review.status == ReviewStatus.DUE


def test_a_kept_record_is_left_out_of_review(world: World, dpo: Client) -> None:
    (family,) = _due(world, 1)
    review = RetentionReview.objects.get()
    last = _last_event()

    response = _post(
        dpo, f"/api/retention-reviews/{review.pk}/keep/", {"reason": "An open complaint"}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "excluded"
    assert response.json()["excluded_reason"] == "An open complaint"
    review.refresh_from_db()
    assert (review.status, review.decided_by) == (ReviewStatus.EXCLUDED, world.dpo.user)
    assert [e.detail["families"] for e in _events_after(last)] == [[family.pk]]
    # No longer waiting: keeping it again is not found.
    again = _post(dpo, f"/api/retention-reviews/{review.pk}/keep/", {"reason": "Again"})
    assert again.status_code == 404


@pytest.mark.parametrize("review_id", ["999999", "abc"])
def test_keeping_a_record_that_does_not_exist_is_not_found(
    world: World, dpo: Client, review_id: str
) -> None:
    response = _post(dpo, f"/api/retention-reviews/{review_id}/keep/", {"reason": "Kept"})

    assert response.status_code == 404


# --- Legal holds -----------------------------------------------------------------------


def test_a_hold_on_a_family_is_placed_and_shown(world: World, dpo: Client) -> None:
    family = world.own_family
    last = _last_event()

    response = _post(
        dpo,
        "/api/retention-legal-holds/",
        {"family": family.reference.lower(), "reason": "Claim against the council"},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["family"], body["person"], body["in_place"]) == (family.reference, None, True)
    assert body["placed_by"] == world.dpo.user.username
    hold = LegalHold.objects.get()
    assert (hold.family, hold.until, hold.reason) == (family, None, "Claim against the council")
    assert [(e.object_type, e.family_id) for e in _events_after(last)] == [
        ("legal_hold", family.pk)
    ]


def test_a_hold_on_a_member_holds_that_person(world: World, dpo: Client) -> None:
    person = world.own_family.memberships.get().person
    until = timezone.localdate() + datetime.timedelta(days=30)

    response = _post(
        dpo,
        "/api/retention-legal-holds/",
        {
            "family": world.own_family.reference,
            "person": person.pk,
            "reason": "Court order",
            "until": until.isoformat(),
        },
    )

    assert response.status_code == 201
    assert response.json()["person_name"] == f"{person.given_name} {person.family_name}"
    hold = LegalHold.objects.get()
    assert (hold.family, hold.person, hold.until) == (None, person, until)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"family": "", "reason": "Claim"}, {"family": ["Enter the family reference"]}),
        ({"family": "F-1"}, {"reason": ["Enter the reason for the hold"]}),
        (
            {"family": "F-1", "reason": "x" * (services.REASON_MAX + 1)},
            {"reason": [f"Reason must be {services.REASON_MAX:,} characters or fewer"]},
        ),
        (
            {"family": "F-1", "reason": "Claim", "until": "2001-01-01"},
            {"until": ["The date the hold ends must be today or in the future"]},
        ),
        ({"family": "F-1", "reason": "Claim", "person": "other"}, {"person": None}),
    ],
)
def test_a_hold_with_a_mistake_is_refused_field_by_field(
    world: World, dpo: Client, body: dict[str, Any], errors: dict[str, Any]
) -> None:
    if body.get("family") == "F-1":
        body["family"] = world.own_family.reference
    if body.get("person") == "other":
        body["person"] = world.other_lcg_family.memberships.first().person.pk
        errors = {"person": [f"Select a member of family {world.own_family.reference}"]}

    response = _post(dpo, "/api/retention-legal-holds/", body)

    assert response.status_code == 400
    assert response.json() == errors
    assert not LegalHold.objects.exists()


def test_a_hold_on_a_family_that_does_not_exist_is_not_found(dpo: Client) -> None:
    response = _post(dpo, "/api/retention-legal-holds/", {"family": "F-999999", "reason": "Claim"})

    assert response.status_code == 404
    assert not LegalHold.objects.exists()


def test_the_holds_list_records_the_families_and_people_it_names(world: World, dpo: Client) -> None:
    person = world.other_lcg_family.memberships.first().person
    services.legal_hold_place(actor=world.dpo.user, family=world.own_family, reason="Claim")
    services.legal_hold_place(actor=world.dpo.user, person=person, reason="Court order")
    last = _last_event()

    response = dpo.get("/api/retention-legal-holds/")

    assert response.status_code == 200
    assert {row["family"] or row["person"] for row in response.json()["results"]} == {
        world.own_family.reference,
        person.pk,
    }
    events = _events_after(last)
    assert [(e.action, e.detail.get("families")) for e in events if e.action == "list"] == [
        ("list", [world.own_family.pk])
    ]
    assert [e.object_id for e in events if e.object_type == "person"] == [str(person.pk)]


def test_a_hold_is_lifted_once_with_a_reason(world: World, dpo: Client) -> None:
    hold = services.legal_hold_place(actor=world.dpo.user, family=world.own_family, reason="Claim")
    url = f"/api/retention-legal-holds/{hold.pk}/lift/"

    refused = _post(dpo, url, {"lift_reason": ""})
    assert refused.status_code == 400
    assert refused.json() == {"lift_reason": ["Enter why the hold is being lifted"]}

    lifted = _post(dpo, url, {"lift_reason": "Claim settled"})
    assert lifted.status_code == 200
    assert (lifted.json()["in_place"], lifted.json()["lifted_by"]) == (
        False,
        world.dpo.user.username,
    )
    hold.refresh_from_db()
    assert hold.lift_reason == "Claim settled"
    assert _post(dpo, url, {"lift_reason": "Again"}).status_code == 404
    assert _post(dpo, "/api/retention-legal-holds/999999/lift/", {}).status_code == 404


# --- Batches ---------------------------------------------------------------------------


def test_a_batch_is_started_read_approved_and_run(world: World, dpo: Client) -> None:
    first, second = _due(world, 1, 2)

    started = _post(dpo, "/api/retention-batches/", {"record_class": "closed_case"})
    assert started.status_code == 201
    assert (started.json()["status"], started.json()["records"]) == ("open", 2)
    batch_id = started.json()["id"]
    listed = dpo.get("/api/retention-batches/").json()
    assert listed["count"] == 1
    assert [row["id"] for row in listed["results"]] == [batch_id]

    last = _last_event()
    detail = dpo.get(f"/api/retention-batches/{batch_id}/")
    assert detail.status_code == 200
    assert [item["family"] for item in detail.json()["items"]] == [
        first.reference,
        second.reference,
    ]
    assert detail.json()["record"] is None
    assert [e.detail["families"] for e in _events_after(last)] == [[first.pk, second.pk]]

    unconfirmed = _post(dpo, f"/api/retention-batches/{batch_id}/approve/", {"confirm": False})
    assert unconfirmed.status_code == 400
    assert unconfirmed.json() == {"confirm": ["Confirm that you have checked the records"]}
    assert RetentionBatch.objects.get().status == BatchStatus.OPEN

    approved = _post(dpo, f"/api/retention-batches/{batch_id}/approve/", {"confirm": True})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == world.dpo.user.username
    job_run(job_id=approved.json()["job"])

    done = dpo.get(f"/api/retention-batches/{batch_id}/").json()
    assert done["batch"]["status"] == "done"
    assert (done["record"]["records_done"], done["record"]["records_held"]) == (2, 0)
    assert {item["status"] for item in done["items"]} == {"anonymised"}
    # Approved: it can no longer be cancelled.
    refused = _post(dpo, f"/api/retention-batches/{batch_id}/cancel/")
    assert refused.status_code == 400
    assert refused.json() == {
        "non_field_errors": ["This batch has already been approved or cancelled"]
    }


def test_a_cancelled_batch_puts_its_records_back(world: World, dpo: Client) -> None:
    _due(world, 1)
    batch = services.retention_batch_create(
        actor=world.dpo.user, record_class="closed_case", today=timezone.localdate()
    )

    response = _post(dpo, f"/api/retention-batches/{batch.pk}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert RetentionReview.objects.get().status == ReviewStatus.DUE


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"record_class": ["Select the kind of records"]}),
        ({"record_class": "everything"}, {"record_class": ["Select the kind of records"]}),
        (
            {"record_class": "not_taken_on"},
            {
                "record_class": [
                    "No records of this kind are due for review: family identified but not taken on"
                ]
            },
        ),
    ],
)
def test_a_batch_needs_a_kind_with_records_due(
    world: World, dpo: Client, body: dict[str, Any], errors: dict[str, Any]
) -> None:
    _due(world, 1)

    response = _post(dpo, "/api/retention-batches/", body)

    assert response.status_code == 400
    assert response.json() == errors
    assert not RetentionBatch.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ""), ("post", "approve/"), ("post", "cancel/"), ("get", "x/")],
)
def test_a_batch_that_does_not_exist_is_not_found(dpo: Client, method: str, path: str) -> None:
    url = f"/api/retention-batches/999999/{path}" if path != "x/" else "/api/retention-batches/x/"

    response = getattr(dpo, method)(url, {"confirm": True}, content_type="application/json")

    assert response.status_code == 404


# --- Retention periods -----------------------------------------------------------------


def _policy() -> RetentionPolicy:
    return RetentionPolicy.objects.get(record_class="closed_case")


def test_the_periods_are_listed(dpo: Client) -> None:
    response = dpo.get("/api/retention-periods/")

    assert response.status_code == 200
    rows = {row["record_class"]: row for row in response.json()}
    assert set(rows) == {"closed_case", "not_taken_on", "unmatched_feed_record"}
    assert rows["closed_case"]["counted_from"]
    assert rows["unmatched_feed_record"]["action"] == "delete"


def test_a_period_is_changed_from_the_version_read(world: World, dpo: Client) -> None:
    url = f"/api/retention-periods/{_policy().pk}/"
    read = dpo.get(url)
    assert read.status_code == 200
    etag = read["ETag"]

    without = dpo.patch(url, {"years": 7}, content_type="application/json")
    assert without.status_code == 428

    changed = dpo.patch(
        url,
        {"years": 7, "source": "Schedule line 14"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert changed.status_code == 200
    assert (changed.json()["years"], changed.json()["is_example"]) == (7, False)
    assert changed["ETag"] != etag
    policy = _policy()
    assert (policy.years, policy.source, policy.updated_by) == (
        7,
        "Schedule line 14",
        world.dpo.user,
    )

    stale = dpo.patch(
        url, {"years": 9}, content_type="application/json", headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.json()["current"]["years"] == 7
    assert stale["ETag"] == changed["ETag"]
    assert _policy().years == 7


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"years": 0}, {"years": ["Enter a number of years from 1 to 100"]}),
        ({"years": "six"}, {"years": ["Enter the number of years as a whole number, like 6"]}),
        ({"action": "shred"}, {"action": ["Select what happens to the records"]}),
        (
            {"action": "delete"},
            {
                "action": [
                    "Families are anonymised, not deleted: reporting and claims still count them"
                ]
            },
        ),
        (
            {"source": "x" * 201},
            {"source": ["Where the period comes from must be 200 characters or fewer"]},
        ),
    ],
)
def test_a_period_with_a_mistake_is_refused_field_by_field(
    dpo: Client, body: dict[str, Any], errors: dict[str, Any]
) -> None:
    policy = _policy()
    url = f"/api/retention-periods/{policy.pk}/"
    etag = dpo.get(url)["ETag"]

    response = dpo.patch(url, body, content_type="application/json", headers={"If-Match": etag})

    assert response.status_code == 400
    assert response.json() == errors
    assert _policy().years == policy.years
    assert _policy().action == policy.action


@pytest.mark.parametrize("method", ["get", "patch"])
def test_a_period_that_does_not_exist_is_not_found(dpo: Client, method: str) -> None:
    response = getattr(dpo, method)(
        "/api/retention-periods/999999/",
        {"years": 7},
        content_type="application/json",
        headers={"If-Match": '"period999999-1"'},
    )

    assert response.status_code == 404


def test_nobody_else_reaches_the_api(world: World) -> None:
    _due(world, 1)

    for staff in (world.programme_manager, world.auditor, world.coordinator):
        response = client_for(staff).get("/api/retention-reviews/")
        assert response.status_code == 403
        assert response.json() == {"detail": "Only the data protection officer works on retention"}
    assert not AccessEvent.objects.filter(user=world.programme_manager.user).exists()
