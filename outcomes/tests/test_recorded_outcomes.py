"""Outcomes recorded by the lead practitioner (sf2022, DOMAIN.md 4.3): only the family's
lead professional records one, for a need the family had at entry or found since, with a
specific reason; a correction supersedes the current record and keeps it; the results'
selector reads many families in one query; a restricted need's reason is withheld from
anyone outside the restricted-information rule. On real PostgreSQL."""

from __future__ import annotations

import datetime
import html
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.services import system_actor
from conftest import World, client_for
from families.models import Family
from oneplan.errors import ApplicationError
from outcomes.assessment.services import framework_versions_ensure
from outcomes.frameworks import results as rules
from outcomes.models import Attachment, RecordedOutcome
from outcomes.results.recorded import recordable_needs, recorded_outcomes_for
from outcomes.results.recorded_services import REASON_MIN, recorded_outcome_record
from outcomes.results.services import family_attach
from plans.models import Need
from tests.factories import FamilyFactory

ATTACHED = datetime.date(2025, 9, 1)
REASON = "Mum and the children now eat together most evenings; seen at the review"
AT_ENTRY = ("crime", "health", "housing")
LATER = timezone.now() + datetime.timedelta(days=40)


def attach_sf2022(family: Family, needs: tuple[str, ...] = AT_ENTRY) -> Attachment:
    """Attach ``family`` under sf2022 with these needs met at entry (set directly: the
    entry assessment's own rules are tested elsewhere)."""
    framework_versions_ensure()
    attachment, _ = family_attach(
        actor=system_actor(), family=family, framework="sf2022", attached_on=ATTACHED
    )
    attachment.entry_criteria = {code: {"met": True, "people": []} for code in needs}
    attachment.eligible_at_entry = True
    attachment.save(update_fields=["entry_criteria", "eligible_at_entry"])
    return attachment


@pytest.fixture
def attached(world: World) -> World:
    attach_sf2022(world.own_family)
    return world


def _url(world: World) -> str:
    return reverse("outcomes:recorded-outcome-record", args=[world.own_family.reference])


def _api(world: World) -> str:
    return f"/api/families/{world.own_family.reference}/recorded-outcomes/"


def _record(world: World, code: str = "crime", *, positive: bool = True, reason: str = REASON):
    return recorded_outcome_record(
        actor=world.keyworker.user,
        family=world.own_family,
        need_code=code,
        positive=positive,
        reason=reason,
    )


# --- Recording, and what may be recorded ----------------------------------------------


def test_the_lead_professional_records_an_outcome_on_the_page(attached: World) -> None:
    client = client_for(attached.keyworker)

    response = client.post(
        _url(attached), {"need": "crime", "positive": "yes", "reason": REASON}, follow=True
    )

    assert response.status_code == 200
    assert "Outcome recorded for" in response.content.decode()
    row = RecordedOutcome.objects.get()
    assert (row.family_id, row.need_code, row.positive, row.reason, row.is_current) == (
        attached.own_family.pk,
        "crime",
        True,
        REASON,
        True,
    )
    assert row.recorded_by == attached.keyworker.user
    assert row.recorded_on == timezone.localdate()


def test_the_form_lists_only_the_needs_at_entry_and_those_found_since(attached: World) -> None:
    family = attached.own_family
    # Found during the work (after attachment) / before attachment and not met at entry.
    for code, day in (("family_relationships", "2025-10-01"), ("education", "2025-08-01")):
        Need.objects.create(
            family=family,
            code=code,
            label=code,
            source="practitioner",
            identified_on=datetime.date.fromisoformat(day),
            created_by=system_actor(),
            created_at=timezone.now(),
        )

    needs = recordable_needs(family, Attachment.objects.get(family=family))
    page = client_for(attached.keyworker).get(_url(attached)).content.decode()

    assert {n.code: n.added for n in needs} == {
        "crime": False,
        "health": False,
        "housing": False,
        "family_relationships": True,
    }
    assert 'value="family_relationships"' in page
    assert 'value="education"' not in page
    with pytest.raises(ApplicationError, match="Select one of the family's needs"):
        _record(attached, "education")
    assert not RecordedOutcome.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"positive": "yes", "reason": REASON}, "need", "Select the need the outcome is for"),
        ({"need": "education", "positive": "yes", "reason": REASON}, "need", "Select one of"),
        ({"need": "crime", "reason": REASON}, "positive", "Select yes if the outcome is positive"),
        ({"need": "crime", "positive": "yes", "reason": ""}, "reason", "Enter why the outcome"),
        ({"need": "crime", "positive": "yes", "reason": "   "}, "reason", "Enter why the outcome"),
        (
            {"need": "crime", "positive": "yes", "reason": "x" * (REASON_MIN - 1)},
            "reason",
            f"at least {REASON_MIN} characters",
        ),
        (
            {"need": "crime", "positive": "yes", "reason": "x" * 2001},
            "reason",
            "2,000 characters or fewer",
        ),
    ],
)
def test_bad_input_gets_a_specific_message_and_the_form_keeps_what_was_typed(
    attached: World, data: dict[str, str], field: str, message: str
) -> None:
    response = client_for(attached.keyworker).post(_url(attached), data)

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert message in page
    assert "govuk-error-summary" in page
    assert f'href="#id_{field}' in page
    if data.get("reason", "").strip():
        assert data["reason"][:50] in page
    assert not RecordedOutcome.objects.exists()


def test_a_reason_of_exactly_the_minimum_length_is_accepted(attached: World) -> None:
    made = _record(attached, reason="y" * REASON_MIN)
    assert made.reason == "y" * REASON_MIN


def test_families_not_attached_under_sf2022_cannot_have_outcomes_recorded(world: World) -> None:
    with pytest.raises(ApplicationError, match="not attached to the programme"):
        _record(world)
    framework_versions_ensure()
    family_attach(
        actor=system_actor(), family=world.own_family, framework="tf1", attached_on=ATTACHED
    )
    with pytest.raises(ApplicationError, match="rest on agency data only"):
        _record(world)
    page = client_for(world.keyworker).get(_url(world))
    assert page.status_code == 200
    assert "rest on agency data only" in page.content.decode()
    assert not RecordedOutcome.objects.exists()


# --- Who may record -------------------------------------------------------------------

# persona -> what the page answers: only the lead professional records; those who see
# the family otherwise get 403; those who do not see it 404.
RECORD_PAGE = {
    "keyworker": 302,
    "coordinator": 403,  # may edit the plan, but the outcome is the lead's judgement
    "programme_manager": 403,
    "auditor": 403,
    "senior_officer": 403,
    "dpo": 403,
    "other_keyworker": 404,
    "practitioner": 404,
    "other_coordinator": 404,
    "sysadmin": 403,
}


@pytest.mark.parametrize(("persona", "expected"), RECORD_PAGE.items())
def test_only_the_lead_professional_records_and_a_denial_changes_nothing(
    attached: World, persona: str, expected: int
) -> None:
    client = client_for(getattr(attached, persona))
    data = {"need": "crime", "positive": "yes", "reason": REASON}

    page = client.post(_url(attached), data)
    api = client.post(
        _api(attached),
        {**data, "positive": False, "reason": "Arrested again, seen in the police feed"},
        content_type="application/json",
    )

    assert page.status_code == expected
    assert api.status_code == (201 if expected == 302 else expected)
    assert RecordedOutcome.objects.count() == (2 if expected == 302 else 0)


def test_signed_out_visitors_are_sent_to_sign_in_and_refused_by_the_api(attached: World) -> None:
    assert Client().get(_url(attached)).status_code == 302
    response = Client().post(
        _api(attached),
        {"need": "crime", "positive": True, "reason": REASON},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not RecordedOutcome.objects.exists()


def test_the_service_refuses_anyone_but_the_lead(attached: World) -> None:
    for persona in ("coordinator", "programme_manager", "senior_officer"):
        with pytest.raises(ApplicationError, match="Only the family's lead professional"):
            recorded_outcome_record(
                actor=getattr(attached, persona).user,
                family=attached.own_family,
                need_code="crime",
                positive=True,
                reason=REASON,
            )
    assert not RecordedOutcome.objects.exists()


def test_a_lead_no_longer_leading_the_family_cannot_record(attached: World) -> None:
    Family.objects.filter(pk=attached.own_family.pk).update(
        lead_professional=attached.other_keyworker
    )
    attached.own_family.refresh_from_db()
    with pytest.raises(ApplicationError, match="Only the family's lead professional"):
        _record(attached)


# --- Corrections keep the history -----------------------------------------------------


def test_recording_again_supersedes_the_current_record_and_keeps_it(attached: World) -> None:
    first = _record(attached, positive=True)
    corrected = _record(attached, positive=False, reason="Police called twice in October: " * 2)

    first.refresh_from_db()
    assert (first.is_current, first.superseded_by_id) == (False, corrected.pk)
    assert (corrected.is_current, corrected.positive) == (True, False)
    assert RecordedOutcome.objects.filter(is_current=True).count() == 1
    assert (
        recorded_outcomes_for([attached.own_family.pk])[attached.own_family.pk]["crime"].positive
        is False
    )
    # The write history (pghistory) holds both inserts and the update of the first.
    events = RecordedOutcome.pgh_event_model.objects.filter(pgh_obj_id=first.pk)
    assert sorted(events.values_list("pgh_label", flat=True)) == ["insert", "update", "update"]

    page = client_for(attached.keyworker).get(_url(attached)).content.decode()
    assert "Earlier records, replaced (1)" in page


def test_the_same_outcome_with_the_same_reason_again_is_refused(attached: World) -> None:
    _record(attached)
    with pytest.raises(ApplicationError, match="already recorded"):
        _record(attached)
    assert RecordedOutcome.objects.count() == 1


# --- The results' selector ------------------------------------------------------------


def test_the_selector_reads_many_families_in_one_query(
    attached: World, django_assert_num_queries: Any
) -> None:
    families = [FamilyFactory() for _ in range(30)]
    for family in families:
        RecordedOutcome.objects.create(
            family=family,
            need_code="early_years",
            positive=True,
            reason=REASON,
            recorded_on=ATTACHED,
            recorded_by=attached.keyworker.user,
            created_at=timezone.now(),
        )
    ids = [f.pk for f in families] + [attached.own_family.pk]

    with django_assert_num_queries(1):
        found = recorded_outcomes_for(ids)
    with django_assert_num_queries(1):
        recorded_outcomes_for(ids, as_of=ATTACHED)

    assert len(found) == 31
    assert found[attached.own_family.pk] == {}
    assert found[families[0].pk] == {
        "early_years": rules.RecordedOutcome("early_years", True, ATTACHED, REASON)
    }
    with django_assert_num_queries(0):
        assert recorded_outcomes_for([]) == {}


def test_on_a_past_date_the_selector_reads_what_was_recorded_by_then(attached: World) -> None:
    # Ahead of the clock: the lead professional's access opened when the world was built.
    with time_machine.travel(LATER):
        _record(attached, positive=True)
    with time_machine.travel(LATER + datetime.timedelta(days=31)):
        _record(attached, positive=False, reason="Arrested on 28 October, seen in the police feed")
    pk = attached.own_family.pk

    day = timezone.localdate(LATER)
    assert recorded_outcomes_for([pk], as_of=day - datetime.timedelta(days=1))[pk] == {}
    assert recorded_outcomes_for([pk], as_of=day)[pk]["crime"].positive
    assert recorded_outcomes_for([pk], as_of=day + datetime.timedelta(days=30))[pk][
        "crime"
    ].positive
    assert not recorded_outcomes_for([pk], as_of=day + datetime.timedelta(days=31))[pk][
        "crime"
    ].positive
    assert not recorded_outcomes_for([pk])[pk]["crime"].positive


# --- Restricted needs -----------------------------------------------------------------


def test_a_restricted_needs_reason_is_withheld_from_those_outside_the_rule(
    attached: World,
) -> None:
    secret = "Engaged with the community mental health team since October"
    _record(attached, "health", reason=secret)
    _record(attached, "crime")

    def shown(persona: str) -> dict[str, dict[str, Any]]:
        response = client_for(getattr(attached, persona)).get(_api(attached))
        assert response.status_code == 200
        return {row["need"]: row for row in response.json()}

    for persona in ("programme_manager", "auditor", "senior_officer"):
        rows = shown(persona)
        assert rows["health"]["reason"] == ""
        assert rows["health"]["reason_withheld"] is True
        assert rows["crime"]["reason"] == REASON
        assert secret not in str(rows)
    for persona in ("keyworker", "coordinator", "dpo"):
        assert shown(persona)["health"]["reason"] == secret
    # The lead professional's own page shows it.
    assert secret in client_for(attached.keyworker).get(_url(attached)).content.decode()


def test_reading_the_outcomes_records_an_access_event(attached: World) -> None:
    from audit.models import AccessEvent

    client_for(attached.programme_manager).get(_api(attached))
    client_for(attached.keyworker).get(_url(attached))

    events = AccessEvent.objects.filter(object_type="recorded_outcomes")
    assert sorted(events.values_list("action", flat=True)) == ["api_read", "view"]


def test_the_results_panel_links_the_lead_to_recording_and_nobody_else(attached: World) -> None:
    url = reverse("families:detail", args=[attached.own_family.reference])
    link = _url(attached)
    lead_page = client_for(attached.keyworker).get(url).content.decode()
    assert "Results and claim readiness" in lead_page
    assert f'href="{link}"' in lead_page
    manager_page = client_for(attached.programme_manager).get(url).content.decode()
    assert "Results and claim readiness" in manager_page
    assert f'href="{link}"' not in manager_page


def test_a_recorded_outcome_decides_its_need_in_the_stored_results(attached: World) -> None:
    """The nightly evaluation reads the lead's records through the one selector."""
    from outcomes.results.services import results_compute

    with time_machine.travel(LATER):
        before = results_compute(family=attached.own_family, as_of=timezone.localdate())
        _record(attached, "crime")
        after = results_compute(family=attached.own_family, as_of=timezone.localdate())
    crime_before = next(c for c in before.results.checks if c.code == "crime")
    crime_after = next(c for c in after.results.checks if c.code == "crime")
    assert not crime_before.recorded
    assert crime_after.recorded and crime_after.met
    assert "Recorded by the lead practitioner" in crime_after.reasons[0]
