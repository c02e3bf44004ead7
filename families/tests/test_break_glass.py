"""Break glass: a real reason, one open access per family, a daily limit that alerts the
data protection officer, and the same answer for a missing family as for a hidden one."""

from __future__ import annotations

import datetime
import re
import threading
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AccessEvent
from conftest import World, build_world, client_for
from families.access import rules, services
from families.grants_models import BreakGlassAccess, BreakGlassRefusal, Grant
from families.models import Family
from oneplan.dates import govuk_datetime
from oneplan.errors import ApplicationError

CHILD = rules.BreakGlassCategory.RISK_TO_CHILD.value
GOOD_REASON = "Police called: a child in this family was found alone at night"
MISSING_REFERENCE = "F-999999"
PAGE = "families:break-glass"
API = "api-break-glass"


def _open(world: World, family: Family, *, actor: Any = None, **kwargs: str) -> Any:
    staff = actor or world.keyworker
    return services.break_glass_open(
        actor=staff.user,
        reference=kwargs.get("reference", family.reference),
        category=kwargs.get("category", CHILD),
        reason=kwargs.get("reason", GOOD_REASON),
    )


def _snapshot() -> tuple[object, ...]:
    return (
        sorted(BreakGlassAccess.objects.values_list("pk", "expires_at")),
        sorted(Grant.objects.values_list("pk", "ended_at")),
        BreakGlassRefusal.objects.count(),
        AccessEvent.objects.filter(action="break_glass").count(),
        len(mail.outbox),
    )


# --- The reason rules, table-driven -------------------------------------------------

REASON_CASES = [
    # (category, reason, expected problems by field)
    (CHILD, GOOD_REASON, {}),
    (CHILD, "Child at risk tonight", {}),  # exactly 21 characters, four words
    ("other", "Hospital rang: mother admitted, children home alone", {}),
    ("", GOOD_REASON, {"category": rules.CATEGORY_MISSING}),
    ("not_a_category", GOOD_REASON, {"category": rules.CATEGORY_MISSING}),
    (CHILD, "", {"reason": rules.REASON_MISSING}),
    (CHILD, "   \n  ", {"reason": rules.REASON_MISSING}),
    (CHILD, "aaaaaaaaaa", {"reason": rules.REASON_REPEATED}),
    (CHILD, "a" * 300, {"reason": rules.REASON_REPEATED}),
    (CHILD, "ab ab ab ab ab ab ab ab ab ab", {"reason": rules.REASON_REPEATED}),
    (CHILD, "asdf asdf asdf asdf asdf", {"reason": rules.REASON_REPEATED}),
    (CHILD, "!!!!!!!!!!!!!!!!!!!!!!!!", {"reason": rules.REASON_REPEATED}),
    (CHILD, "aaaa bbbb aaaa bbbb aaaa bbbb", {"reason": rules.REASON_REPEATED}),
    (CHILD, "urgent", {"reason": rules.REASON_TOO_SHORT}),
    (CHILD, "Child at risk now", {"reason": rules.REASON_TOO_SHORT}),  # 17 characters
    (CHILD, "Child in danger tonight"[:19], {"reason": rules.REASON_TOO_SHORT}),
    (CHILD, "Child at risk: help", {"reason": rules.REASON_TOO_SHORT}),  # exactly 19
    (CHILD, "Safeguardingconcernnow", {"reason": rules.REASON_TOO_FEW_WORDS}),
    (CHILD, "Safeguarding emergency!!", {"reason": rules.REASON_TOO_FEW_WORDS}),
    (CHILD, "x" + "y z " * 600, {"reason": rules.REASON_TOO_LONG}),
    ("", "aaaaaaaaaa", {"category": rules.CATEGORY_MISSING, "reason": rules.REASON_REPEATED}),
]


@pytest.mark.parametrize(("category", "reason", "expected"), REASON_CASES)
def test_reason_rules(category: str, reason: str, expected: dict[str, str]) -> None:
    problems = rules.break_glass_reason_problems(category=category, reason=reason)
    assert {p.field: p.message for p in problems} == expected


def test_exactly_the_minimum_length_is_enough() -> None:
    reason = "Child at risk: help!"
    assert len(reason) == rules.REASON_MIN_CHARACTERS
    assert rules.break_glass_reason_problems(category=CHILD, reason=reason) == []


@pytest.mark.parametrize(("category", "reason", "expected"), REASON_CASES)
def test_the_service_enforces_the_same_rules(
    world: World, category: str, reason: str, expected: dict[str, str]
) -> None:
    family = world.other_lcg_family
    if not expected:
        assert _open(world, family, category=category, reason=reason).opened
        return
    before = _snapshot()
    with pytest.raises(ApplicationError) as refused:
        _open(world, family, category=category, reason=reason)
    assert (refused.value.field, refused.value.message) in expected.items()
    assert _snapshot() == before


def test_the_page_shows_each_error_and_keeps_what_was_typed(world: World) -> None:
    client = client_for(world.keyworker)
    response = client.post(
        reverse(PAGE),
        {"reference": world.other_lcg_family.reference, "category": "", "reason": "aaaaaaaaaa"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html
    assert rules.CATEGORY_MISSING in html
    assert rules.REASON_REPEATED in html
    assert world.other_lcg_family.reference in html
    assert ">\naaaaaaaaaa</textarea>" in html
    assert not BreakGlassAccess.objects.exists()


def test_the_page_opens_access_with_category_and_records_it(world: World) -> None:
    family = world.other_lcg_family
    client = client_for(world.keyworker)
    response = client.post(
        reverse(PAGE),
        {"reference": f" {family.reference.lower()} ", "category": CHILD, "reason": GOOD_REASON},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("families:detail", args=[family.reference])
    access = BreakGlassAccess.objects.get()
    assert (access.family, access.category, access.reason) == (family, CHILD, GOOD_REASON)
    event = AccessEvent.objects.get(action="break_glass")
    assert event.family_id == family.pk
    assert event.purpose == f"Immediate risk to a child: {GOOD_REASON}"
    assert client.get(response["Location"]).status_code == 200


# --- One open access per user and family ----------------------------------------------


def test_a_second_request_while_open_does_not_extend_access(world: World) -> None:
    family = world.other_lcg_family
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        first = _open(world, family)
        traveller.shift(datetime.timedelta(hours=5))
        second = _open(world, family, reason="Another call from the police about the child")
        assert first.opened and not second.opened
        assert second.access.pk == first.access.pk
        assert second.access.expires_at == first.access.expires_at
        assert BreakGlassAccess.objects.count() == 1
        assert Grant.objects.filter(reason="break_glass", ended_at__isnull=True).count() == 1


def test_the_page_tells_the_user_until_when_they_already_have_access(world: World) -> None:
    family = world.other_lcg_family
    first = _open(world, family).access
    client = client_for(world.keyworker)
    response = client.post(
        reverse(PAGE), {"reference": family.reference, "category": CHILD, "reason": GOOD_REASON}
    )
    assert response.status_code == 302
    expires = timezone.localtime(first.expires_at)
    page = client.get(response["Location"]).content.decode()
    assert (
        f"You already have emergency access to {family.reference} until "
        f"{govuk_datetime(expires)}. It has not been extended."
    ) in page
    assert BreakGlassAccess.objects.count() == 1
    assert AccessEvent.objects.filter(action="break_glass").count() == 0


def test_once_lapsed_a_new_access_can_be_opened(world: World) -> None:
    family = world.other_lcg_family
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _open(world, family)
        traveller.shift(datetime.timedelta(hours=24, seconds=1))
        assert _open(world, family).opened
    assert BreakGlassAccess.objects.count() == 2


def test_the_same_family_for_another_user_is_their_own_access(world: World) -> None:
    family = world.other_lcg_family
    assert _open(world, family).opened
    assert _open(world, family, actor=world.other_keyworker).opened


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_open_one_access() -> None:
    world = build_world()
    family = world.other_lcg_family
    barrier = threading.Barrier(2)
    results: list[object] = []

    def request() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(_open(world, family).opened)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(map(str, results)) == ["False", "True"]
    assert BreakGlassAccess.objects.count() == 1


# --- The daily limit and the DPO's alert ----------------------------------------------


def _use_up_the_limit(world: World, settings: Any) -> list[Family]:
    settings.ONEPLAN_BREAK_GLASS_DAILY_LIMIT = 2
    from tests.factories import FamilyFactory

    families = [FamilyFactory(lcg=world.havant) for _ in range(3)]
    for family in families[:2]:
        assert _open(world, family).opened
    return families


def test_past_the_daily_limit_the_request_is_refused_and_the_dpo_alerted(
    world: World, settings: Any, eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    families = _use_up_the_limit(world, settings)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(services.BreakGlassLimitReached, match="2 times in the last 24"),
    ):
        _open(world, families[2])
    assert len(callbacks) == 1
    assert BreakGlassAccess.objects.count() == 2
    refusal = BreakGlassRefusal.objects.get()
    assert (refusal.user, refusal.family, refusal.accesses_in_window) == (
        world.keyworker.user,
        families[2],
        2,
    )
    assert refusal.dpo_alerted_at is not None
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [world.dpo.user.email]
    assert "keyworker" in email.body
    assert "/break-glass/review/?show=refused" in email.body
    # No case detail leaves in the email.
    assert families[2].reference not in email.body
    assert GOOD_REASON not in email.body


def test_the_alert_is_sent_once_per_refusal(
    world: World, settings: Any, eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    families = _use_up_the_limit(world, settings)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(services.BreakGlassLimitReached),
    ):
        _open(world, families[2])
    refusal = BreakGlassRefusal.objects.get()
    assert services.break_glass_refusal_alert(refusal_id=refusal.pk) == 0
    assert len(mail.outbox) == 1


def test_the_limit_is_a_rolling_24_hours(world: World, settings: Any) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        families = _use_up_the_limit(world, settings)
        traveller.shift(datetime.timedelta(hours=23, minutes=59))
        with pytest.raises(services.BreakGlassLimitReached):
            _open(world, families[2])
        traveller.shift(datetime.timedelta(minutes=2))
        assert _open(world, families[2]).opened


def test_an_open_access_is_still_reported_past_the_limit(world: World, settings: Any) -> None:
    families = _use_up_the_limit(world, settings)
    result = _open(world, families[0])
    assert not result.opened
    assert not BreakGlassRefusal.objects.exists()


def test_the_page_refuses_past_the_limit_and_keeps_what_was_typed(
    world: World, settings: Any
) -> None:
    families = _use_up_the_limit(world, settings)
    response = client_for(world.keyworker).post(
        reverse(PAGE),
        {"reference": families[2].reference, "category": CHILD, "reason": GOOD_REASON},
    )
    html = response.content.decode()
    assert response.status_code == 429
    assert "You have used emergency access 2 times in the last 24 hours" in html
    assert "The data protection officer has been told" in html
    assert GOOD_REASON in html
    assert BreakGlassAccess.objects.count() == 2


def test_the_dpo_sees_refusals_on_the_review_page(world: World, settings: Any) -> None:
    families = _use_up_the_limit(world, settings)
    with pytest.raises(services.BreakGlassLimitReached):
        _open(world, families[2], reason="Refused reason from the keyworker about a child")
    with pytest.raises(services.BreakGlassLimitReached):
        _open(world, families[2], reference=MISSING_REFERENCE)
    html = (
        client_for(world.dpo)
        .get(reverse("families:break-glass-review-list"), {"show": "refused"})
        .content.decode()
    )
    assert "Refused reason from the keyworker about a child" in html
    assert MISSING_REFERENCE in html
    assert "No such family" in html


# --- A missing family answers like a hidden one ---------------------------------------

_VOLATILE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(r'nonce="[^"]*"'),
    re.compile(r"'nonce-[^']*'"),
]


def _normalised(body: bytes, reference: str) -> bytes:
    text = body.decode()
    for pattern in _VOLATILE:
        text = pattern.sub("VOLATILE", text)
    # The form shows back what was typed, and that is the one thing that differs.
    assert text.count(f'value="{reference}"') == 1
    return text.replace(f'value="{reference}"', 'value="TYPED"').encode()


REFUSED_REQUESTS = [
    pytest.param({"category": "", "reason": GOOD_REASON}, 400, id="no-category"),
    pytest.param({"category": CHILD, "reason": "aaaaaaaaaa"}, 400, id="repeated"),
    pytest.param({"category": CHILD, "reason": "help me"}, 400, id="too-short"),
    pytest.param({"category": CHILD, "reason": GOOD_REASON}, 429, id="over-the-limit"),
]


@pytest.mark.parametrize(("data", "status"), REFUSED_REQUESTS)
def test_the_page_answers_a_missing_family_as_a_hidden_one(
    world: World, settings: Any, data: dict[str, str], status: int
) -> None:
    if status == 429:
        _use_up_the_limit(world, settings)
    hidden = world.unassigned_family.reference
    answers = []
    for reference in (MISSING_REFERENCE, hidden):
        client = client_for(world.keyworker)
        response = client.post(reverse(PAGE), {"reference": reference, **data})
        assert response.status_code == status
        answers.append((dict(response.items()), _normalised(response.content, reference)))
    missing_answer, hidden_answer = answers
    assert missing_answer[1] == hidden_answer[1]
    assert missing_answer[0].keys() == hidden_answer[0].keys()
    assert BreakGlassAccess.objects.filter(family=world.unassigned_family).count() == 0


@pytest.mark.parametrize(("data", "status"), REFUSED_REQUESTS)
def test_the_api_answers_a_missing_family_as_a_hidden_one(
    world: World, settings: Any, data: dict[str, str], status: int
) -> None:
    if status == 429:
        _use_up_the_limit(world, settings)
    client = APIClient()
    client.force_authenticate(world.keyworker.user)
    missing = client.post(reverse(API), {"reference": MISSING_REFERENCE, **data}, format="json")
    hidden = client.post(
        reverse(API), {"reference": world.unassigned_family.reference, **data}, format="json"
    )
    assert missing.status_code == hidden.status_code == status
    assert missing.content == hidden.content
    assert BreakGlassAccess.objects.filter(family=world.unassigned_family).count() == 0


def test_a_missing_family_with_a_good_reason_is_refused_without_a_trace(world: World) -> None:
    before = _snapshot()
    response = client_for(world.keyworker).post(
        reverse(PAGE), {"reference": MISSING_REFERENCE, "category": CHILD, "reason": GOOD_REASON}
    )
    assert response.status_code == 400
    assert services.BREAK_GLASS_NO_SUCH_FAMILY in response.content.decode()
    assert _snapshot() == before


def test_the_api_opens_then_reports_the_open_access(world: World) -> None:
    family = world.other_lcg_family
    client = APIClient()
    client.force_authenticate(world.keyworker.user)
    data = {"reference": family.reference, "category": CHILD, "reason": GOOD_REASON}
    opened = client.post(reverse(API), data, format="json")
    again = client.post(reverse(API), data, format="json")
    assert opened.status_code == 201
    assert again.status_code == 200
    assert opened.json()["already_open"] is False
    assert again.json()["already_open"] is True
    assert opened.json()["expires_at"] == again.json()["expires_at"]
    event = AccessEvent.objects.get(action="break_glass")
    assert event.detail == {"category": CHILD, "api": True}


# --- Who may use each route -----------------------------------------------------------

CAN_BREAK_GLASS = {
    "keyworker",
    "other_keyworker",
    "practitioner",
    "other_practitioner",
    "coordinator",
    "other_coordinator",
}
CANNOT_BREAK_GLASS = ["programme_manager", "auditor", "dpo", "sysadmin"]


def _page_client(world: World, persona: str) -> Client:
    return Client() if persona == "anonymous" else client_for(getattr(world, persona))


def _api_client(world: World, persona: str) -> APIClient:
    client = APIClient()
    if persona != "anonymous":
        client.force_authenticate(getattr(world, persona).user)
    return client


@pytest.mark.parametrize("persona", ["anonymous", *CANNOT_BREAK_GLASS, "other_keyworker"])
def test_break_glass_page_authorisation(world: World, persona: str) -> None:
    family = world.other_lcg_family
    data = {"reference": family.reference, "category": CHILD, "reason": GOOD_REASON}
    before = _snapshot()
    response = _page_client(world, persona).post(reverse(PAGE), data)
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif persona in CAN_BREAK_GLASS:
        assert response.status_code == 302
        assert BreakGlassAccess.objects.filter(user=world.other_keyworker.user).count() == 1
        return
    else:
        assert response.status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("persona", ["anonymous", *CANNOT_BREAK_GLASS, "practitioner"])
def test_break_glass_api_authorisation(world: World, persona: str) -> None:
    family = world.other_lcg_family
    data = {"reference": family.reference, "category": CHILD, "reason": GOOD_REASON}
    before = _snapshot()
    response = _api_client(world, persona).post(reverse(API), data, format="json")
    if persona in CAN_BREAK_GLASS:
        assert response.status_code == 201
        return
    # Session authentication comes first, so DRF answers an anonymous request 403.
    assert response.status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize(
    "persona", ["anonymous", "keyworker", "coordinator", "programme_manager", "auditor", "dpo"]
)
@pytest.mark.parametrize("show", ["waiting", "all", "refused"])
def test_review_list_authorisation(world: World, persona: str, show: str) -> None:
    response = _page_client(world, persona).get(
        reverse("families:break-glass-review-list"), {"show": show}
    )
    expected = {"anonymous": 302, "dpo": 200}.get(persona, 403)
    assert response.status_code == expected


@pytest.mark.parametrize("persona", ["anonymous", "other_keyworker", "auditor", "dpo"])
def test_review_authorisation(world: World, persona: str) -> None:
    access = _open(world, world.other_lcg_family).access
    before = _snapshot()
    response = _page_client(world, persona).post(
        reverse("families:break-glass-review", args=[access.pk]),
        {"outcome": "justified", "note": ""},
    )
    access.refresh_from_db()
    if persona == "dpo":
        assert response.status_code == 302
        assert access.review_outcome == "justified"
        return
    assert response.status_code == (302 if persona == "anonymous" else 403)
    assert access.reviewed_at is None
    assert _snapshot() == before
