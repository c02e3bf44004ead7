"""Daily reminders: who is told what, once a day, whatever runs twice or fails."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from celery.signals import task_postrun
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, connections

from agencies.services import system_actor
from audit.models import AccessEvent
from conftest import World, build_world
from families.models import Family
from families.states import FamilyStatus
from plans.models import ActionStatus, Plan, ReminderDigest
from plans.tests.test_work_support import join_team, make_action, make_goal, make_plan
from plans.work.selectors import reminders_due
from plans.work.services import reminders_send
from plans.work.tasks import reminders_send_task

TODAY = datetime.date(2026, 3, 10)
BASE = "https://oneplan.example.gov.uk"

# A hook the tests set to make delivery fail or wait; None delivers at once.
DELIVERY_HOOK: Callable[[Sequence[EmailMessage]], None] | None = None


class HookedBackend(EmailBackend):
    """Django's locmem backend (the outbox), with a hook before each delivery."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        if DELIVERY_HOOK is not None:
            DELIVERY_HOOK(messages)
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def email_settings(settings: Any) -> Iterator[None]:
    global DELIVERY_HOOK
    settings.ONEPLAN_BASE_URL = BASE + "/"
    settings.EMAIL_BACKEND = f"{__name__}.HookedBackend"
    DELIVERY_HOOK = None
    yield
    DELIVERY_HOOK = None


def days(n: int, today: datetime.date = TODAY) -> datetime.date:
    return today + datetime.timedelta(days=n)


@dataclass
class Due:
    world: World
    plan: Plan


def build_due(world: World, today: datetime.date = TODAY) -> Due:
    """Overdue work of every kind in the world's families, relative to ``today``."""
    w = world
    join_team(w.own_family, w.police)
    plan = make_plan(w.own_family, next_review_on=days(3, today))
    goal = make_goal(plan)
    # Named practitioner: theirs.
    make_action(goal, agency=w.police, practitioner=w.practitioner, due_on=days(-4, today))
    make_action(goal, agency=w.police, practitioner=w.practitioner, due_on=days(-1, today))
    # Nobody named: the lead professional.
    make_action(goal, agency=w.police, due_on=days(-2, today), description="Secret detail")
    # Named someone now at another agency: the lead professional.
    make_action(goal, agency=w.police, practitioner=w.other_practitioner, due_on=days(-1, today))
    # Not overdue, not open, or the family's own: nobody.
    make_action(goal, agency=w.police, practitioner=w.practitioner, due_on=today)
    make_action(
        goal,
        agency=w.police,
        practitioner=w.practitioner,
        due_on=days(-9, today),
        status=ActionStatus.DONE,
        completed_on=days(-8, today),
    )
    make_action(goal, due_on=days(-3, today))
    # A family the practitioner cannot see, with no lead professional: nobody.
    hidden = make_goal(make_plan(w.other_lcg_family, next_review_on=days(-1, today)))
    make_action(hidden, agency=w.police, practitioner=w.practitioner, due_on=days(-1, today))
    # A closed family: nobody.
    closed = Family.objects.create(
        reference="CLOSED1",
        lcg=w.winchester,
        status=FamilyStatus.CLOSED,
        status_changed_at=w.own_family.status_changed_at,
        lead_agency=w.council,
        lead_professional=w.keyworker,
    )
    make_action(make_goal(make_plan(closed)), agency=w.council, due_on=days(-1, today))
    return Due(w, plan)


@pytest.fixture
def due(world: World) -> Due:
    return build_due(world)


def _by_recipient() -> dict[str, list[Any]]:
    sent: dict[str, list[Any]] = {}
    for message in mail.outbox:
        sent.setdefault(message.to[0], []).append(message)
    return sent


def test_each_person_is_told_of_their_own_overdue_work(due: Due) -> None:
    w = due.world
    result = reminders_send(actor=system_actor(), today=TODAY)

    assert (result.sent, result.already_sent, result.failed) == (2, 0, 0)
    sent = _by_recipient()
    assert set(sent) == {w.practitioner.user.email, w.keyworker.user.email}
    practitioner = sent[w.practitioner.user.email][0]
    assert practitioner.subject == "OnePlan: you have 2 overdue actions"
    assert (
        f"- Family {w.own_family.reference}: 2 actions, overdue since 6 March 2026"
        in practitioner.body
    )
    assert "families you lead" not in practitioner.body
    lead = sent[w.keyworker.user.email][0]
    assert lead.subject == "OnePlan: you have 2 overdue actions and 1 review due"
    assert "Overdue actions in families you lead with no one named who can do them" in lead.body
    assert f"- Family {w.own_family.reference}: 2 actions, overdue since 8 March 2026" in lead.body
    assert f"- Family {w.own_family.reference}: review due on 13 March 2026" in lead.body


def test_the_email_has_absolute_links_and_an_html_part_and_no_case_detail(due: Due) -> None:
    reminders_send(actor=system_actor(), today=TODAY)

    message = _by_recipient()[due.world.keyworker.user.email][0]
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    for body in (message.body, html):
        assert f"{BASE}/my-actions/?show=overdue" in body
        assert f"{BASE}/my-families/?attention=1" in body
        assert "Secret detail" not in body
        assert "Jordan" not in body
    assert "<h2" in html
    assert message.from_email


def test_sending_twice_on_one_day_sends_once(due: Due) -> None:
    first = reminders_send(actor=system_actor(), today=TODAY)
    second = reminders_send(actor=system_actor(), today=TODAY)

    assert first.sent == 2
    assert (second.sent, second.already_sent) == (0, 2)
    assert len(mail.outbox) == 2
    digest = ReminderDigest.objects.get(recipient=due.world.keyworker.user, day=TODAY)
    assert (digest.overdue_actions, digest.reviews_due) == (2, 1)
    assert digest.sent_at is not None


def test_the_next_day_sends_again(due: Due) -> None:
    reminders_send(actor=system_actor(), today=TODAY)
    reminders_send(actor=system_actor(), today=days(1))

    assert len(mail.outbox) == 4
    assert ReminderDigest.objects.count() == 4


def test_a_failed_delivery_is_retried_without_emailing_anyone_twice(due: Due) -> None:
    global DELIVERY_HOOK
    practitioner_email = due.world.practitioner.user.email

    def refuse_practitioner(messages: Sequence[EmailMessage]) -> None:
        if messages[0].to == [practitioner_email]:
            raise ConnectionRefusedError("Mail server refused the connection")

    DELIVERY_HOOK = refuse_practitioner
    before = AccessEvent.objects.count()
    first = reminders_send(actor=system_actor(), today=TODAY)

    assert (first.sent, first.failed) == (1, 1)
    # Nothing is left saying the failed one was sent, and no access was recorded for it.
    assert not ReminderDigest.objects.filter(recipient=due.world.practitioner.user).exists()
    assert AccessEvent.objects.count() == before + 1

    DELIVERY_HOOK = None
    retry = reminders_send(actor=system_actor(), today=TODAY)

    assert (retry.sent, retry.already_sent, retry.failed) == (1, 1, 0)
    assert {to: len(messages) for to, messages in _by_recipient().items()} == {
        practitioner_email: 1,
        due.world.keyworker.user.email: 1,
    }


def test_a_digest_left_unsent_is_sent_by_the_next_run(due: Due) -> None:
    ReminderDigest.objects.create(recipient=due.world.practitioner.user, day=TODAY)

    result = reminders_send(actor=system_actor(), today=TODAY)

    assert result.sent == 2
    digest = ReminderDigest.objects.get(recipient=due.world.practitioner.user, day=TODAY)
    assert digest.sent_at is not None


def test_the_email_is_recorded_as_the_recipient_seeing_the_families(due: Due) -> None:
    reminders_send(actor=system_actor(), today=TODAY)

    event = AccessEvent.objects.filter(user=due.world.practitioner.user).get()
    assert event.action == "list"
    assert event.purpose == "Daily reminder email"
    assert event.detail["families"] == [due.world.own_family.pk]


def test_people_who_cannot_be_emailed_are_left_out(due: Due) -> None:
    user = due.world.practitioner.user
    user.email = ""
    user.save()
    keyworker = due.world.keyworker.user
    keyworker.is_active = False
    keyworker.save()

    assert reminders_due(today=TODAY) == []


def test_nobody_is_reminded_when_nothing_is_due(world: World) -> None:
    result = reminders_send(actor=system_actor(), today=TODAY)

    assert (result.sent, result.already_sent, result.failed) == (0, 0, 0)
    assert mail.outbox == []


def test_a_named_practitioner_who_lost_access_hands_over_to_the_lead(due: Due) -> None:
    # The police leave the team: the practitioner can no longer see the family.
    from families.access.services import team_member_remove
    from families.grants_models import TeamMember

    member = TeamMember.objects.get(family=due.world.own_family, removed_at__isnull=True)
    team_member_remove(actor=system_actor(), member=member, reason="Work finished")

    reminders = {d.recipient.pk: d for d in reminders_due(today=TODAY)}

    assert due.world.practitioner.user_id not in reminders
    assert reminders[due.world.keyworker.user_id].overdue_actions == 4


# --- Two runs at once ----------------------------------------------------------


def _lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_email_each_person_once() -> None:
    global DELIVERY_HOOK
    with time_machine.travel(datetime.datetime(2026, 3, 10, 7, 0), tick=True):
        w = build_world()
        build_due(w)
    first_sending = threading.Event()
    second_started = threading.Event()
    results: list[Any] = []
    errors: list[BaseException] = []

    def hold_first_delivery(messages: Sequence[EmailMessage]) -> None:
        # The first run, holding its first digest row, waits until the second run is
        # blocked on inserting the same row: the two really overlap.
        if not first_sending.is_set():
            first_sending.set()
            second_started.wait(10)
            poll = threading.Event()
            for _ in range(400):
                if _lock_waiters() > 0:
                    break
                poll.wait(0.025)

    DELIVERY_HOOK = hold_first_delivery

    def run(signal: threading.Event | None) -> None:
        try:
            if signal is not None:
                signal.set()
            results.append(reminders_send(actor=system_actor(), today=TODAY))
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=run, args=(None,))
    first.start()
    assert first_sending.wait(10)
    second = threading.Thread(target=run, args=(second_started,))
    second.start()
    first.join(30)
    second.join(30)

    assert errors == []
    assert sum(r.sent for r in results) == 2
    assert sum(r.already_sent for r in results) == 2
    assert sorted(len(m) for m in _by_recipient().values()) == [1, 1]
    assert ReminderDigest.objects.filter(sent_at__isnull=False).count() == 2


# --- A real worker ------------------------------------------------------------


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_task_sends_the_reminders_on_a_real_worker(celery_worker_thread: None) -> None:
    today = datetime.date.today()
    w = build_world()
    build_due(w, today)

    finished = threading.Semaphore(0)

    def count_finished(sender: Any = None, **kwargs: Any) -> None:
        if sender is not None and sender.name == reminders_send_task.name:
            finished.release()

    task_postrun.connect(count_finished, weak=False)
    try:
        reminders_send_task.delay(day=today.isoformat())
        reminders_send_task.delay(day=today.isoformat())
        # The worker is another thread: wait (at most 10 s each) for both runs to end.
        assert finished.acquire(timeout=10)
        assert finished.acquire(timeout=10)
    finally:
        task_postrun.disconnect(count_finished)
    assert ReminderDigest.objects.filter(day=today, sent_at__isnull=False).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [w.keyworker.user.email, w.practitioner.user.email]
    )


@pytest.fixture
def march_morning() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 3, 10, 7, 0), tick=False):
        yield


def test_the_task_retries_the_same_day_when_a_delivery_failed(
    march_morning: None, world: World
) -> None:
    global DELIVERY_HOOK
    build_due(world)
    calls: list[str] = []

    def refuse_the_first(messages: Sequence[EmailMessage]) -> None:
        calls.append(messages[0].to[0])
        if len(calls) == 1:
            raise ConnectionRefusedError("Mail server down")

    DELIVERY_HOOK = refuse_the_first
    # Started without a day, it takes today's; apply() runs it and its retries here,
    # without a broker, and the retry must keep that day.
    result = reminders_send_task.apply()

    assert result.get() == {"day": "2026-03-10", "sent": 1, "already_sent": 1, "failed": 0}
    assert len(calls) == 3
    assert sorted(len(m) for m in _by_recipient().values()) == [1, 1]
