"""Allocation and handover (lcgs.allocation.services): who may allocate, what is refused,
what an allocation writes, how access moves through the grants and who is told."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from agencies.models import Staff
from agencies.roles import Role
from agencies.services import system_actor
from conftest import World, client_for
from families.access.access import access_reasons, family_scope
from families.access.services import lawful_basis_record
from families.models import Family, FamilyStatusChange, Grant, GrantReason, LeadAssignment, Track
from families.states import FamilyStatus
from lcgs.allocation.services import Allocation, allocation_notice_send, family_allocate
from lcgs.tests.allocation_support import Allocating, allocating, screened_family, snapshot
from oneplan.errors import ApplicationError
from plans.plan.services import plan_get_or_create
from plans.review.services import agreement_record
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

S = FamilyStatus


@pytest.fixture
def a(world: World) -> Allocating:
    return allocating(world)


def _allocate(a: Allocating, **changes: Any) -> Allocation:
    arguments: dict[str, Any] = {
        "actor": a.world.coordinator.user,
        "family": a.family,
        "track": Track.LOCAL,
        "lead_agency": a.world.council,
        "lead_professional": a.world.keyworker,
        "reason": "Agreed at the LCG: school attendance and housing",
    }
    arguments.update(changes)
    return family_allocate(**arguments)


def _sees(staff: Staff, family: Family) -> bool:
    return Family.objects.filter(family_scope(staff.user), pk=family.pk).exists()


# --- Allocating a screened family -----------------------------------------------------


def test_allocating_a_screened_family_names_its_track_and_lead_and_moves_it(
    a: Allocating,
) -> None:
    result = _allocate(a, source="LCG meeting, 3 March")

    family = Family.objects.get(pk=a.family.pk)
    assert not result.handover
    assert (family.status, family.track) == (S.ALLOCATED, Track.LOCAL)
    assert (family.lead_agency, family.lead_professional) == (a.world.council, a.world.keyworker)
    assert family.attached_on == timezone.localdate()
    assignment = LeadAssignment.objects.get(family=family)
    assert assignment == result.assignment
    assert (assignment.track, assignment.source, assignment.ended_at) == (
        Track.LOCAL,
        "LCG meeting, 3 March",
        None,
    )
    assert assignment.actor == a.world.coordinator.user
    change = FamilyStatusChange.objects.get(family=family)
    assert (change.from_status, change.to_status) == (S.SCREENED, S.ALLOCATED)
    assert change.reason.startswith("Allocated by the LCG (LCG meeting, 3 March): local track")
    assert "Agreed at the LCG: school attendance and housing" in change.reason


def test_the_family_is_in_its_new_leads_my_families(a: Allocating) -> None:
    _allocate(a)

    page = client_for(a.world.keyworker).get(reverse("plans:my-families"))

    assert a.family.reference in page.content.decode()


def test_a_lead_agency_without_a_named_lead_professional_is_an_allocation(
    a: Allocating,
) -> None:
    result = _allocate(a, lead_professional=None)

    family = result.family
    assert family.status == S.ALLOCATED
    assert family.lead_professional is None
    # The lead agency's case workers can pick the family up.
    assert _sees(a.world.other_keyworker, family)
    grant = Grant.objects.get(family=family, ended_at__isnull=True)
    assert (grant.reason, grant.agency) == (GrantReason.LEAD_AGENCY, a.world.council)


def test_intensive_track_with_a_provider_as_lead_agency(a: Allocating) -> None:
    result = _allocate(
        a, track=Track.INTENSIVE, lead_agency=a.provider, lead_professional=a.provider_worker
    )

    assert (result.family.track, result.family.lead_agency) == (Track.INTENSIVE, a.provider)


@pytest.mark.parametrize("persona", ["coordinator", "programme_manager"])
def test_coordinators_of_the_lcg_and_programme_managers_allocate(
    a: Allocating, persona: str
) -> None:
    _allocate(a, actor=getattr(a.world, persona).user)

    assert Family.objects.get(pk=a.family.pk).status == S.ALLOCATED


def test_a_programme_manager_allocates_a_family_outside_every_lcg(a: Allocating) -> None:
    family = screened_family(a.world, lcg=None)

    _allocate(a, actor=a.world.programme_manager.user, family=family)

    assert Family.objects.get(pk=family.pk).status == S.ALLOCATED


def test_the_write_history_names_who_allocated_even_outside_a_request(a: Allocating) -> None:
    # A later LCG meeting's decisions are written by a job: the history still says who.
    import pghistory.models

    result = _allocate(a)

    event = pghistory.models.Events.objects.get(
        pgh_obj_model="families.LeadAssignment",
        pgh_obj_id=str(result.assignment.pk),
        pgh_label="insert",
    )
    assert event.pgh_context["user"] == a.world.coordinator.user.pk


# --- Refusals: each changes nothing -------------------------------------------------


def _other_lcg(a: Allocating) -> dict[str, Any]:
    return {"actor": a.world.other_coordinator.user}


def _refusals() -> list[tuple[str, Any, type[Exception], str]]:
    """(case, how the call differs, what is raised, the message's words)."""
    return [
        (
            "another LCG's coordinator",
            _other_lcg,
            PermissionDenied,
            "coordinators and programme managers",
        ),
        (
            "the lead professional",
            lambda a: {"actor": a.world.keyworker.user},
            PermissionDenied,
            "allocate",
        ),
        ("the auditor", lambda a: {"actor": a.world.auditor.user}, PermissionDenied, "allocate"),
        (
            "the data protection officer",
            lambda a: {"actor": a.world.dpo.user},
            PermissionDenied,
            "allocate",
        ),
        (
            "a professional of another agency",
            lambda a: {"lead_professional": a.world.practitioner},
            ApplicationError,
            "does not work for Early Help Hampshire",
        ),
        (
            "a coordinator as lead professional",
            lambda a: {"lead_professional": a.world.coordinator},
            ApplicationError,
            "cannot lead a family",
        ),
        (
            "an account switched off",
            lambda a: {"lead_professional": _inactive(a)},
            ApplicationError,
            "cannot lead a family",
        ),
        (
            "intensive track without a provider",
            lambda a: {"track": Track.INTENSIVE},
            ApplicationError,
            "the lead agency is an intensive support provider",
        ),
        (
            "an agency no longer working with the programme",
            lambda a: {"lead_agency": _closed_agency(a), "lead_professional": None},
            ApplicationError,
            "no longer works with the programme",
        ),
        ("no track", lambda a: {"track": "urgent"}, ApplicationError, "Select a track"),
        ("no reason", lambda a: {"reason": "   "}, ApplicationError, "Enter the reason"),
        (
            "a reason too long",
            lambda a: {"reason": "x" * 2001},
            ApplicationError,
            "2,000 characters or fewer",
        ),
    ]


def _inactive(a: Allocating) -> Staff:
    staff = StaffFactory(agency=a.world.council, user__username="left")
    staff.user.is_active = False
    staff.user.save()
    return staff


def _closed_agency(a: Allocating) -> Any:
    agency = a.world.police
    agency.is_active = False
    agency.save()
    return agency


@pytest.mark.parametrize(
    ("case", "change", "raised", "words"), _refusals(), ids=[c[0] for c in _refusals()]
)
def test_a_refused_allocation_changes_nothing(
    a: Allocating, case: str, change: Any, raised: type[Exception], words: str
) -> None:
    changes = change(a)
    before = snapshot()

    with pytest.raises(raised, match=words):
        _allocate(a, **changes)

    assert snapshot() == before
    assert not LeadAssignment.objects.filter(family=a.family).exists()


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (S.IDENTIFIED, "has not been screened yet"),
        (S.DECLINED, "is declined: re-open it"),
        (S.MOVED_AWAY, "is moved away: re-open it"),
        (S.CLOSED_NO_OUTCOME, "is closed without outcome: re-open it"),
        (S.CLOSED, "is closed: re-open it"),
    ],
)
def test_a_family_not_screened_or_that_left_the_journey_is_not_allocated(
    a: Allocating, status: FamilyStatus, words: str
) -> None:
    Family.objects.filter(pk=a.family.pk).update(status=status)
    before = snapshot()

    with pytest.raises(ApplicationError, match=words):
        _allocate(a)

    assert snapshot() == before


# --- Handover ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.ALLOCATED, S.ENGAGED, S.PLAN_ACTIVE, S.OUTCOMES_MET])
def test_allocating_again_is_a_handover_that_keeps_the_status_and_history(
    a: Allocating, status: FamilyStatus
) -> None:
    first = _allocate(a)
    Family.objects.filter(pk=a.family.pk).update(status=status)
    changes = FamilyStatusChange.objects.filter(family=a.family).count()

    result = _allocate(a, lead_professional=a.world.other_keyworker, reason="Caseload balance")

    family = Family.objects.get(pk=a.family.pk)
    assert result.handover
    assert family.status == status
    assert family.lead_professional == a.world.other_keyworker
    assert FamilyStatusChange.objects.filter(family=family).count() == changes
    old = LeadAssignment.objects.get(pk=first.assignment.pk)
    assert old.ended_at is not None
    assert old.lead_professional == a.world.keyworker
    assert result.assignment.reason == "Caseload balance"
    assert LeadAssignment.objects.filter(family=family).count() == 2


def test_handover_moves_access_through_the_grants(a: Allocating) -> None:
    _allocate(a)
    assert _sees(a.world.keyworker, a.family)
    assert not _sees(a.world.other_keyworker, a.family)

    _allocate(a, lead_professional=a.world.other_keyworker, reason="Caseload balance")

    family = Family.objects.get(pk=a.family.pk)
    assert not _sees(a.world.keyworker, family)
    assert _sees(a.world.other_keyworker, family)
    old = Grant.objects.get(family=family, user=a.world.keyworker.user)
    assert (old.reason, old.end_reason) == (GrantReason.LEAD_PROFESSIONAL, "Lead changed")
    assert old.ended_at is not None
    new = Grant.objects.get(family=family, user=a.world.other_keyworker.user)
    assert (new.reason, new.ended_at) == (GrantReason.LEAD_PROFESSIONAL, None)
    # "Why can I see this family?" names the grant.
    [reason] = access_reasons(a.world.other_keyworker.user, family)
    assert reason.summary == "You: lead professional"
    assert reason.grant == new
    page = client_for(a.world.other_keyworker).get(
        reverse("families:access", args=[family.reference])
    )
    assert "You: lead professional" in page.content.decode()
    gone = client_for(a.world.keyworker).get(reverse("families:detail", args=[family.reference]))
    assert gone.status_code == 404


def test_handover_to_another_track_and_provider(a: Allocating) -> None:
    _allocate(a)

    result = _allocate(
        a,
        track=Track.INTENSIVE,
        lead_agency=a.provider,
        lead_professional=a.provider_worker,
        reason="Needs grew: domestic abuse",
    )

    assert (result.family.track, result.family.lead_agency) == (Track.INTENSIVE, a.provider)
    assert [la.track for la in LeadAssignment.objects.filter(family=a.family)] == [
        Track.INTENSIVE,
        Track.LOCAL,
    ]


# The moment the family was taken on on the local track (the LCG grant's count) is kept
# on the family: the start of its first lead assignment on the local track, whatever
# came before or after.
@pytest.mark.parametrize(
    ("tracks", "taken_on_by"),
    [
        ([Track.LOCAL], 0),
        ([Track.INTENSIVE], None),
        ([Track.LOCAL, Track.LOCAL], 0),  # a handover on the local track
        ([Track.INTENSIVE, Track.LOCAL], 1),  # stepped down from intensive support
        ([Track.LOCAL, Track.INTENSIVE], 0),
        ([Track.LOCAL, Track.INTENSIVE, Track.LOCAL], 0),  # back again: still the first
    ],
)
def test_the_first_local_lead_is_when_the_family_was_taken_on(
    a: Allocating, tracks: list[Track], taken_on_by: int | None
) -> None:
    leads = [
        (a.world.council, a.world.keyworker),
        (a.world.council, a.world.other_keyworker),
    ]
    for index, track in enumerate(tracks):
        agency, worker = (
            (a.provider, a.provider_worker) if track == Track.INTENSIVE else leads[index % 2]
        )
        _allocate(a, track=track, lead_agency=agency, lead_professional=worker)

    family = Family.objects.get(pk=a.family.pk)
    starts = list(
        LeadAssignment.objects.filter(family=family)
        .order_by("started_at", "pk")
        .values_list("started_at", flat=True)
    )
    assert len(starts) == len(tracks)
    expected = None if taken_on_by is None else starts[taken_on_by]
    assert family.first_local_lead_at == expected


def test_handing_over_to_the_same_lead_on_the_same_track_is_refused(a: Allocating) -> None:
    _allocate(a)
    before = snapshot()

    with pytest.raises(ApplicationError, match="already led by this lead"):
        _allocate(a, reason="Again")

    assert snapshot() == before


# --- The new lead is told, once the allocation is committed ---------------------------


def test_the_new_lead_is_emailed_after_commit_only(
    a: Allocating, eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = _allocate(a)
    assert len(callbacks) == 1
    assert mail.outbox == []

    callbacks[0]()

    [email] = mail.outbox
    assert email.to == [a.world.keyworker.user.email]
    assert a.family.reference in email.subject
    assert "Winchester LCG has allocated family" in email.body
    assert "on the local track" in email.body
    assert f"/families/{a.family.reference}/" in email.body
    # No case detail leaves in the email: the family is named by its reference only.
    assert "Dunne" not in email.body
    assert "Agreed at the LCG" not in email.body
    assert LeadAssignment.objects.get(pk=result.assignment.pk).notified_at is not None


def test_a_refused_allocation_queues_no_email(
    a: Allocating, eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ApplicationError),
    ):
        _allocate(a, lead_professional=a.world.practitioner)

    assert callbacks == []
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("second", "emails"),
    [
        # Only the track changed: the same lead professional is not told again.
        ({"track": Track.INTENSIVE, "lead_agency": "provider", "lead_professional": None}, 1),
        ({"lead_professional": "other_keyworker"}, 2),
    ],
)
def test_only_a_new_lead_professional_is_emailed(
    a: Allocating,
    eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
    second: dict[str, Any],
    emails: int,
) -> None:
    named = {
        "provider": a.provider,
        "other_keyworker": a.world.other_keyworker,
    }
    changes = {k: named.get(v, v) if isinstance(v, str) else v for k, v in second.items()}
    with django_capture_on_commit_callbacks(execute=True):
        _allocate(a)
    with django_capture_on_commit_callbacks(execute=True):
        _allocate(a, reason="Changed", **changes)

    assert len(mail.outbox) == emails


def test_the_notice_is_sent_once_and_not_for_an_ended_assignment(a: Allocating) -> None:
    first = _allocate(a)
    actor = system_actor()

    assert allocation_notice_send(actor=actor, assignment_id=first.assignment.pk) == 1
    assert allocation_notice_send(actor=actor, assignment_id=first.assignment.pk) == 0
    second = _allocate(a, lead_professional=a.world.other_keyworker, reason="Handover")
    _allocate(a, lead_professional=a.world.keyworker, reason="Handed back")
    assert allocation_notice_send(actor=actor, assignment_id=second.assignment.pk) == 0
    assert len(mail.outbox) == 1


# --- The journey by events (DOMAIN.md 4.4) -----------------------------------------------


def test_the_journey_follows_allocation_agreement_and_the_plan(a: Allocating) -> None:
    world = a.world
    _allocate(a)
    person = a.family.memberships.get().person
    lawful_basis_record(
        actor=world.keyworker.user,
        family=a.family,
        kind="consent",
        person=person,
        given_on=timezone.localdate() - datetime.timedelta(days=1),
        family_agreed=True,
    )
    assert Family.objects.get(pk=a.family.pk).status == S.ENGAGED
    plan = plan_get_or_create(actor=world.keyworker.user, family=a.family)

    agreement_record(
        actor=world.keyworker.user,
        plan=plan,
        agreed_on=timezone.localdate(),
        signed_by_ids=[person.pk],
        method="verbal",
    )

    family = Family.objects.get(pk=a.family.pk)
    assert family.status == S.PLAN_ACTIVE
    journey = list(
        FamilyStatusChange.objects.filter(family=family)
        .order_by("created_at", "pk")
        .values_list("to_status", "actor")
    )
    assert journey == [
        (S.ALLOCATED, world.coordinator.user_id),
        (S.ENGAGED, world.keyworker.user_id),
        (S.PLAN_ACTIVE, world.keyworker.user_id),
    ]
    assert FamilyStatusChange.objects.filter(family=family, to_status=S.PLAN_ACTIVE).get().reason


@pytest.mark.parametrize("status", [S.ALLOCATED, S.PLAN_ACTIVE])
def test_agreeing_the_plan_moves_only_an_engaged_family(
    a: Allocating, status: FamilyStatus
) -> None:
    _allocate(a)
    Family.objects.filter(pk=a.family.pk).update(status=status)
    person = a.family.memberships.get().person
    plan = plan_get_or_create(actor=a.world.keyworker.user, family=a.family)

    agreement_record(
        actor=a.world.keyworker.user,
        plan=plan,
        agreed_on=timezone.localdate(),
        signed_by_ids=[person.pk],
        method="verbal",
    )

    assert Family.objects.get(pk=a.family.pk).status == status
    assert not FamilyStatusChange.objects.filter(family=a.family, to_status=S.PLAN_ACTIVE)


def test_an_engaged_family_without_a_lawful_basis_keeps_its_agreed_plan_and_status(
    a: Allocating,
) -> None:
    # Engaged before the journey asked for a lawful basis: the agreement still stands.
    _allocate(a)
    Family.objects.filter(pk=a.family.pk).update(status=S.ENGAGED)
    person = a.family.memberships.get().person
    plan = plan_get_or_create(actor=a.world.keyworker.user, family=a.family)

    agreement = agreement_record(
        actor=a.world.keyworker.user,
        plan=plan,
        agreed_on=timezone.localdate(),
        signed_by_ids=[person.pk],
        method="verbal",
    )

    assert agreement.pk is not None
    assert Family.objects.get(pk=a.family.pk).status == S.ENGAGED


def test_key_workers_role_is_checked_not_just_their_agency(a: Allocating) -> None:
    # A practitioner of the lead agency can lead; so can a key worker.
    practitioner = StaffFactory(agency=a.world.council, roles=[Role.AGENCY_PRACTITIONER.value])

    result = _allocate(a, lead_professional=practitioner)

    assert result.family.lead_professional == practitioner
