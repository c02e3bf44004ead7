"""Intensive support's services: nominating, the provider's decision within and over
its places, declining with a reason, withdrawing, and who may do each (table-driven)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import AgencyKind, Staff
from agencies.roles import Role
from conftest import World
from families.models import Family, LeadAssignment, Track
from families.states import FamilyStatus
from lcgs.intensive import services
from lcgs.intensive.access import provider_deciders, provider_staff
from lcgs.intensive.models import IntensiveNomination
from lcgs.intensive.models import IntensiveNominationStatus as St
from lcgs.intensive.selectors import provider_places, track_shares
from lcgs.tests.intensive_support import Intensive, intensive, places, screened, snapshot
from oneplan.errors import ApplicationError
from tests.factories import AgencyFactory, FamilyFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def i(world: World) -> Intensive:
    return intensive(world)


def _staff(i: Intensive, who: str) -> Staff:
    return {
        "provider_worker": i.provider_worker,
        "other_provider_worker": i.other_provider_worker,
    }.get(who) or getattr(i.world, who)


def _nominate(i: Intensive, family: Family | None = None, **kwargs: Any) -> IntensiveNomination:
    return services.intensive_nominate(
        actor=kwargs.pop("actor", i.world.coordinator.user),
        family=family or i.family,
        provider=kwargs.pop("provider", i.provider),
        reason=kwargs.pop("reason", "Domestic abuse and school exclusion; needs daily work"),
    )


# --- Nominating ------------------------------------------------------------------------

NOMINATE_WHO = [
    ("coordinator", "family", None),
    ("programme_manager", "family", None),
    ("programme_manager", "other_lcg_family", None),
    ("other_coordinator", "other_lcg_family", None),
    ("other_coordinator", "family", PermissionDenied),  # wrong LCG
    ("coordinator", "other_lcg_family", PermissionDenied),
    ("keyworker", "family", PermissionDenied),
    ("provider_worker", "family", PermissionDenied),
    ("dpo", "family", PermissionDenied),
]


@pytest.mark.parametrize(("who", "family", "error"), NOMINATE_WHO)
def test_who_nominates(i: Intensive, who: str, family: str, error: type | None) -> None:
    before = snapshot()
    call = lambda: _nominate(i, getattr(i, family), actor=_staff(i, who).user)  # noqa: E731
    if error is not None:
        with pytest.raises(error):
            call()
        assert snapshot() == before
        return
    nomination = call()
    assert (nomination.status, nomination.provider, nomination.lcg) == (
        St.WAITING,
        i.provider,
        getattr(i, family).lcg,
    )
    assert nomination.nominated_by == _staff(i, who).user


def _closed(i: Intensive) -> Family:
    return screened(i.world, status=FamilyStatus.CLOSED_NO_OUTCOME)


def _identified(i: Intensive) -> Family:
    return screened(i.world, status=FamilyStatus.IDENTIFIED)


def _on_intensive(i: Intensive) -> Family:
    return screened(
        i.world, status=FamilyStatus.ALLOCATED, track=Track.INTENSIVE, lead_agency=i.provider
    )


def _waiting(i: Intensive) -> Family:
    _nominate(i, provider=i.other_provider)
    return i.family


NOMINATE_REFUSED: list[tuple[str, Callable[[Intensive], Family], dict[str, Any], str]] = [
    ("not screened", _identified, {}, "has not been screened yet"),
    ("closed", _closed, {}, "re-open it"),
    ("already intensive", _on_intensive, {}, "already on the intensive track"),
    ("already waiting", _waiting, {}, "already waiting for a decision from Families First"),
    ("no reason", lambda i: i.family, {"reason": "  "}, "Enter why the family needs"),
    ("too long", lambda i: i.family, {"reason": "x" * 2001}, "2,000 characters or fewer"),
]


@pytest.mark.parametrize(
    ("family", "kwargs", "message"),
    [case[1:] for case in NOMINATE_REFUSED],
    ids=[case[0] for case in NOMINATE_REFUSED],
)
def test_nominating_is_refused_with_a_reason(
    i: Intensive, family: Callable[[Intensive], Family], kwargs: dict[str, Any], message: str
) -> None:
    chosen = family(i)
    before = snapshot()
    with pytest.raises(ApplicationError, match=message):
        _nominate(i, chosen, **kwargs)
    assert snapshot() == before


def test_only_a_provider_can_be_nominated_to(i: Intensive) -> None:
    with pytest.raises(ApplicationError, match="not an intensive support provider") as exc:
        _nominate(i, provider=i.world.council)
    assert exc.value.field == "provider"
    i.other_provider.is_active = False
    i.other_provider.save()
    with pytest.raises(ApplicationError, match="no longer works"):
        _nominate(i, provider=i.other_provider)


def test_a_family_allocated_locally_can_be_nominated_and_handed_over(i: Intensive) -> None:
    family = screened(
        i.world,
        status=FamilyStatus.ENGAGED,
        track=Track.LOCAL,
        lead_agency=i.world.council,
        lead_professional=i.world.keyworker,
    )
    nomination = _nominate(i, family)
    done = services.intensive_nomination_accept(
        actor=i.provider_worker.user, nomination=nomination, lead_professional=i.provider_worker
    )
    family.refresh_from_db()
    assert done.allocation.handover
    assert (family.status, family.track, family.lead_agency) == (
        FamilyStatus.ENGAGED,
        Track.INTENSIVE,
        i.provider,
    )


def test_the_database_refuses_a_second_waiting_nomination(i: Intensive) -> None:
    first = _nominate(i)
    with pytest.raises(IntegrityError), transaction.atomic():
        IntensiveNomination.objects.create(
            family=i.family,
            lcg=i.family.lcg,
            provider=i.other_provider,
            reason="Again",
            nominated_by=first.nominated_by,
            nominated_at=timezone.now(),
        )


def test_after_a_decline_the_family_can_be_nominated_elsewhere(i: Intensive) -> None:
    first = _nominate(i)
    services.intensive_nomination_decline(
        actor=i.provider_worker.user, nomination=first, reason="No worker in that area"
    )
    second = _nominate(i, provider=i.other_provider)
    assert second.status == St.WAITING


# --- Accepting ---------------------------------------------------------------------------


def test_accepting_allocates_the_family_to_the_provider_on_the_intensive_track(
    i: Intensive, django_capture_on_commit_callbacks: Any
) -> None:
    nomination = _nominate(i)

    done = services.intensive_nomination_accept(
        actor=i.provider_worker.user,
        nomination=nomination,
        lead_professional=i.provider_worker,
        note="Ira starts on Monday",
    )

    family = Family.objects.get(pk=i.family.pk)
    assert (family.status, family.track, family.lead_agency, family.lead_professional) == (
        FamilyStatus.ALLOCATED,
        Track.INTENSIVE,
        i.provider,
        i.provider_worker,
    )
    nomination.refresh_from_db()
    assert (nomination.status, nomination.decided_by, nomination.place_year) == (
        St.ACCEPTED,
        i.provider_worker.user,
        i.year,
    )
    assert nomination.lead_professional == i.provider_worker
    assert done.places_left == 1
    assignment = LeadAssignment.objects.get(family=family, ended_at__isnull=True)
    # The LCG's decision, completed by the provider: the nomination is the source.
    assert assignment.actor == i.world.coordinator.user
    assert assignment.source == f"Intensive support nomination {nomination.pk} to {i.provider.name}"
    assert "Accepted for intensive support by Ira Shaw" in assignment.reason
    assert "Domestic abuse and school exclusion" in assignment.reason
    places = {p.provider: p for p in provider_places(financial_year=i.year)}
    assert (places[i.provider].accepted, places[i.provider].left) == (1, 1)


def test_accepting_without_a_lead_professional_leaves_the_provider_to_name_one(
    i: Intensive,
) -> None:
    services.intensive_nomination_accept(
        actor=i.provider_worker.user, nomination=_nominate(i), lead_professional=None
    )
    family = Family.objects.get(pk=i.family.pk)
    assert (family.lead_agency, family.lead_professional) == (i.provider, None)


@pytest.mark.parametrize(
    ("contracted", "accepted_before", "ok"),
    [
        (None, 0, False),  # no contract recorded this year
        (0, 0, False),
        (1, 0, True),
        (2, 1, True),  # the last place
        (2, 2, False),  # full
    ],
)
def test_acceptances_never_exceed_the_contracted_places(
    world: World, contracted: int | None, accepted_before: int, ok: bool
) -> None:
    i = intensive(world, contracted=contracted)
    for _ in range(accepted_before):
        services.intensive_nomination_accept(
            actor=i.provider_worker.user,
            nomination=_nominate(i, screened(world)),
            lead_professional=None,
        )
    nomination = _nominate(i)
    before = snapshot()
    call = lambda: services.intensive_nomination_accept(  # noqa: E731
        actor=i.provider_worker.user, nomination=nomination, lead_professional=None
    )
    if ok:
        call()
        assert IntensiveNomination.objects.filter(status=St.ACCEPTED).count() == accepted_before + 1
        return
    with pytest.raises(ApplicationError, match="stays on the waiting list"):
        call()
    assert snapshot() == before


def test_last_years_acceptances_do_not_use_this_years_places(i: Intensive) -> None:
    places(i.provider, 5, year=i.year - 1)
    old = _nominate(i, screened(i.world))
    IntensiveNomination.objects.filter(pk=old.pk).update(
        status=St.ACCEPTED,
        decided_by=i.provider_worker.user,
        decided_at=timezone.now(),
        place_year=i.year - 1,
    )
    rows = {p.provider: p for p in provider_places(financial_year=i.year)}
    assert (rows[i.provider].accepted, rows[i.provider].left) == (0, 2)


ACCEPT_WHO = [
    ("provider_worker", None),
    ("other_provider_worker", PermissionDenied),  # wrong provider
    ("coordinator", PermissionDenied),
    ("programme_manager", PermissionDenied),
    ("keyworker", PermissionDenied),
]


@pytest.mark.parametrize(("who", "error"), ACCEPT_WHO)
def test_only_the_providers_staff_accept(i: Intensive, who: str, error: type | None) -> None:
    nomination = _nominate(i)
    before = snapshot()
    call = lambda: services.intensive_nomination_accept(  # noqa: E731
        actor=_staff(i, who).user, nomination=nomination, lead_professional=None
    )
    if error is None:
        assert call().nomination.status == St.ACCEPTED
        return
    with pytest.raises(error):
        call()
    assert snapshot() == before


def test_the_lead_professional_must_work_for_the_provider(i: Intensive) -> None:
    nomination = _nominate(i)
    with pytest.raises(ApplicationError, match="does not work for Intensive Family Support") as e:
        services.intensive_nomination_accept(
            actor=i.provider_worker.user, nomination=nomination, lead_professional=i.world.keyworker
        )
    assert e.value.field == "lead_professional"


def test_a_decided_nomination_cannot_be_decided_again(i: Intensive) -> None:
    nomination = _nominate(i)
    services.intensive_nomination_decline(
        actor=i.provider_worker.user, nomination=nomination, reason="Full this term"
    )
    before = snapshot()
    with pytest.raises(ApplicationError, match="already been decided: declined"):
        services.intensive_nomination_accept(
            actor=i.provider_worker.user, nomination=nomination, lead_professional=None
        )
    with pytest.raises(ApplicationError, match="already been decided"):
        services.intensive_nomination_withdraw(
            actor=i.world.coordinator.user, nomination=nomination, reason="Changed our mind"
        )
    assert snapshot() == before


def test_a_family_closed_since_it_was_nominated_is_not_allocated(i: Intensive) -> None:
    nomination = _nominate(i)
    Family.objects.filter(pk=i.family.pk).update(status=FamilyStatus.MOVED_AWAY)
    before = snapshot()
    with pytest.raises(ApplicationError, match="moved away"):
        services.intensive_nomination_accept(
            actor=i.provider_worker.user, nomination=nomination, lead_professional=None
        )
    assert snapshot() == before


# --- Declining and withdrawing -----------------------------------------------------------

DECIDE = [
    # (service, who, reason, error)
    ("decline", "provider_worker", "No worker free in Winchester until May", None),
    ("decline", "provider_worker", "   ", ApplicationError),  # a reason is required
    ("decline", "other_provider_worker", "Not ours", PermissionDenied),
    ("decline", "coordinator", "Not theirs to decline", PermissionDenied),
    ("withdraw", "coordinator", "The family moved to the local track", None),
    ("withdraw", "programme_manager", "Agreed at the board", None),
    ("withdraw", "coordinator", "", ApplicationError),
    ("withdraw", "other_coordinator", "Wrong LCG", PermissionDenied),
    ("withdraw", "provider_worker", "Providers decline, not withdraw", PermissionDenied),
]


@pytest.mark.parametrize(("service", "who", "reason", "error"), DECIDE)
def test_declining_and_withdrawing(
    i: Intensive, service: str, who: str, reason: str, error: type | None
) -> None:
    nomination = _nominate(i)
    before = snapshot()
    call = getattr(services, f"intensive_nomination_{service}")
    if error is not None:
        with pytest.raises(error):
            call(actor=_staff(i, who).user, nomination=nomination, reason=reason)
        assert snapshot() == before
        return
    call(actor=_staff(i, who).user, nomination=nomination, reason=reason)
    nomination.refresh_from_db()
    expected = St.DECLINED if service == "decline" else St.WITHDRAWN
    assert (nomination.status, nomination.decision_note, nomination.decided_by) == (
        expected,
        reason,
        _staff(i, who).user,
    )
    # The family itself is not changed.
    family = Family.objects.get(pk=i.family.pk)
    assert (family.status, family.track, family.lead_agency) == (FamilyStatus.SCREENED, "", None)


# --- Contracted places -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "places_wanted", "error"),
    [
        ("programme_manager", 94, None),
        ("programme_manager", 1, None),  # exactly the families accepted
        ("programme_manager", 0, ApplicationError),  # fewer than accepted
        ("programme_manager", 10_001, ApplicationError),
        ("coordinator", 94, PermissionDenied),
        ("provider_worker", 94, PermissionDenied),
    ],
)
def test_setting_contracted_places(
    i: Intensive, who: str, places_wanted: int, error: type | None
) -> None:
    services.intensive_nomination_accept(
        actor=i.provider_worker.user, nomination=_nominate(i), lead_professional=None
    )
    call = lambda: services.intensive_places_set(  # noqa: E731
        actor=_staff(i, who).user, provider=i.provider, financial_year=i.year, places=places_wanted
    )
    before = snapshot()
    if error is not None:
        with pytest.raises(error):
            call()
        assert snapshot() == before
        return
    row = call()
    assert (row.places, row.updated_by) == (places_wanted, _staff(i, who).user)
    # Kept in the history.
    events = row.pgh_event_models["update"].objects.filter(pgh_obj=row)
    assert list(events.order_by("pgh_id").values_list("pgh_label", "places")) == [
        ("insert", 2),
        ("update", places_wanted),
    ]


def test_places_are_set_only_for_providers_and_sensible_years(i: Intensive) -> None:
    pm = i.world.programme_manager.user
    with pytest.raises(ApplicationError, match="not an intensive support provider"):
        services.intensive_places_set(
            actor=pm, provider=i.world.council, financial_year=i.year, places=3
        )
    with pytest.raises(ApplicationError, match="Enter a financial year") as e:
        services.intensive_places_set(actor=pm, provider=i.provider, financial_year=1999, places=3)
    assert e.value.field == "financial_year"
    new = services.intensive_places_set(
        actor=pm, provider=i.provider, financial_year=i.year + 1, places=94
    )
    assert new.pk is not None


# --- Track shares ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("intensive_count", "local_count", "percent", "within"),
    [
        (0, 0, "0.0", None),
        (1, 4, "20.0", True),  # exactly 20%
        (3, 7, "30.0", True),  # exactly 30%
        (1, 5, "16.7", False),
        (1, 2, "33.3", False),
    ],
)
def test_track_shares_against_the_target(
    world: World, intensive_count: int, local_count: int, percent: str, within: bool | None
) -> None:
    provider = AgencyFactory(kind=AgencyKind.INTENSIVE_SUPPORT_PROVIDER)
    for _ in range(intensive_count):
        FamilyFactory(
            lcg=world.winchester,
            status=FamilyStatus.ALLOCATED,
            track=Track.INTENSIVE,
            lead_agency=provider,
        )
    for _ in range(local_count):
        FamilyFactory(
            lcg=world.winchester,
            status=FamilyStatus.PLAN_ACTIVE,
            track=Track.LOCAL,
            lead_agency=world.council,
        )
    # Not counted: closed, not yet allocated, another LCG's.
    FamilyFactory(lcg=world.winchester, status=FamilyStatus.CLOSED, track=Track.INTENSIVE)
    FamilyFactory(lcg=world.winchester, status=FamilyStatus.SCREENED)
    FamilyFactory(lcg=world.havant, status=FamilyStatus.ALLOCATED, track=Track.INTENSIVE)

    shares = track_shares(world.winchester)

    assert (shares.intensive, shares.local, str(shares.intensive_percent)) == (
        intensive_count,
        local_count,
        percent,
    )
    assert shares.within_target is within
    assert track_shares(None).intensive == intensive_count + 1


# --- The provider is told ---------------------------------------------------------------


def test_the_providers_staff_are_emailed_once_the_nomination_is_committed(
    i: Intensive, eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    colleague = StaffFactory(user__username="ifss-colleague", agency=i.provider)
    # Not told: a colleague who left, one without a case work role, another provider.
    StaffFactory(user__username="ifss-left", user__is_active=False, agency=i.provider)
    StaffFactory(
        user__username="ifss-admin", roles=[Role.INTERNAL_AUDITOR.value], agency=i.provider
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        nomination = _nominate(i)
    assert len(callbacks) == 1
    assert mail.outbox == []

    callbacks[0]()

    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [i.provider_worker.user.email, colleague.user.email]
    )
    assert all(len(email.to) == 1 for email in mail.outbox)
    email = mail.outbox[0]
    assert i.family.reference in email.subject
    assert "Intensive Family Support" in email.subject
    assert "Winchester LCG has nominated family" in email.body
    assert f"/intensive-support/nominations/{nomination.pk}/" in email.body
    # Nothing about the family leaves in the email but its reference.
    assert "Dunne" not in email.body
    assert "Domestic abuse" not in email.body
    nomination.refresh_from_db()
    assert nomination.provider_notified_at is not None


def test_the_people_told_are_the_people_who_decide(i: Intensive) -> None:
    """``provider_deciders`` (who is emailed) and ``provider_staff`` (who may decide)
    name the same people."""
    StaffFactory(user__username="ifss-left", user__is_active=False, agency=i.provider)
    StaffFactory(
        user__username="ifss-admin", roles=[Role.INTERNAL_AUDITOR.value], agency=i.provider
    )
    StaffFactory(
        user__username="ifss-practitioner",
        roles=[Role.AGENCY_PRACTITIONER.value],
        agency=i.provider,
    )
    for provider in (i.provider, i.other_provider, i.world.council):
        told = set(provider_deciders(provider.pk))
        decide = {
            s
            for s in Staff.objects.all()
            if (found := provider_staff(s.user)) and found.agency_id == provider.pk
        }
        assert told == decide
    assert {s.user.username for s in provider_deciders(i.provider.pk)} == {
        "ifss-worker",
        "ifss-practitioner",
    }
    i.provider.is_active = False
    i.provider.save()
    assert not provider_deciders(i.provider.pk).exists()


@pytest.mark.parametrize("then", ["declined", "withdrawn", "sent"])
def test_the_email_is_sent_once_and_not_for_a_decided_nomination(i: Intensive, then: str) -> None:
    nomination = _nominate(i)
    if then == "declined":
        services.intensive_nomination_decline(
            actor=i.provider_worker.user, nomination=nomination, reason="No worker free"
        )
    elif then == "withdrawn":
        services.intensive_nomination_withdraw(
            actor=i.world.coordinator.user, nomination=nomination, reason="Allocated locally"
        )
    else:
        assert (
            services.nomination_notice_send(
                actor=i.world.programme_manager.user, nomination_id=nomination.pk
            )
            == 1
        )
    mail.outbox.clear()

    sent = services.nomination_notice_send(
        actor=i.world.programme_manager.user, nomination_id=nomination.pk
    )

    assert (sent, mail.outbox) == (0, [])


def test_a_refused_nomination_queues_no_email(
    i: Intensive, eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ApplicationError),
    ):
        _nominate(i, reason=" ")

    assert (callbacks, mail.outbox) == ([], [])


@pytest.mark.parametrize("failing", ["one", "all"])
def test_a_failed_send_is_retried_only_when_nobody_was_told(
    i: Intensive, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    StaffFactory(user__username="ifss-colleague", agency=i.provider)
    nomination = _nominate(i)
    real = services.send_mail

    def send(subject: str, body: str, sender: None, to: list[str], **kwargs: Any) -> int:
        if failing == "all" or to == [i.provider_worker.user.email]:
            raise OSError("refused")
        return real(subject, body, sender, to, **kwargs)

    monkeypatch.setattr(services, "send_mail", send)
    actor = i.world.programme_manager.user

    if failing == "all":
        with pytest.raises(OSError):
            services.nomination_notice_send(actor=actor, nomination_id=nomination.pk)
        nomination.refresh_from_db()
        # Nobody told: the mark is undone, so the task's retry sends them all.
        assert (nomination.provider_notified_at, mail.outbox) == (None, [])
    else:
        sent = services.nomination_notice_send(actor=actor, nomination_id=nomination.pk)
        nomination.refresh_from_db()
        # The colleague was told: the mark stands, so a retry tells nobody twice.
        assert sent == 1
        assert [email.to for email in mail.outbox] == [["ifss-colleague@example.org"]]
        assert nomination.provider_notified_at is not None
