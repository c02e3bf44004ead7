"""Access events in words: the family and the page a person would recognise, not ids."""

from __future__ import annotations

from typing import Any

import pytest

from audit.labels import access_event_words, route_words
from audit.models import AccessEvent

REF = "F-000666"

WORDS_CASES: list[tuple[dict[str, Any], str]] = [
    # The family itself: by name where the reader may see it, else by reference.
    ({"object_type": "family", "family_name": "Blackburn"}, "Blackburn family, F-000666"),
    ({"object_type": "family"}, "Family F-000666"),
    # A page or record of the family: what it is, and whose.
    ({"object_type": "plan", "family_name": "Blackburn"}, "Plan for Blackburn family, F-000666"),
    ({"object_type": "plan"}, "Plan, F-000666"),
    ({"object_type": "case_notes"}, "Case notes, F-000666"),
    (
        {"object_type": "case_notes", "family_name": "Blackburn"},
        "Case notes for Blackburn family, F-000666",
    ),
    ({"object_type": "review", "object_id": "91"}, "A review of the plan, F-000666"),
    ({"object_type": "plan_action", "object_id": "4021"}, "An action in the plan, F-000666"),
    ({"object_type": "assessment"}, "Eligibility assessment, F-000666"),
    (
        {"object_type": "person", "object_id": "77", "family_name": "Blackburn"},
        "Person in Blackburn family, F-000666",
    ),
    # A type nobody has named yet is still shown, in words made from the type.
    ({"object_type": "school_report"}, "School report, F-000666"),
    # A refused request names the page that was asked for.
    (
        {
            "object_type": "family",
            "family_name": "Blackburn",
            "detail": {"route": "plans:case-notes", "method": "GET"},
        },
        "Case notes for Blackburn family, F-000666",
    ),
    ({"object_type": "family", "detail": {"route": "families:detail"}}, "Family F-000666"),
    (
        {"object_type": "family", "detail": {"route": "family-case-note-list"}},
        "Case note, F-000666",
    ),
    (
        {"object_type": "family", "detail": {"route": "families:transition"}},
        "Change of status, F-000666",
    ),
]


@pytest.mark.parametrize(("given", "words"), WORDS_CASES)
def test_an_event_about_a_family_names_the_family_and_the_page(
    given: dict[str, Any], words: str
) -> None:
    event: dict[str, Any] = {"object_id": "282", "family_reference": REF, **given}
    assert access_event_words(**event) == words
    # No internal id of the family or the record in the words.
    assert "282" not in words and str(event["object_id"]) not in words


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({"object_type": "caseload_summary", "object_id": "ab12"}, "Caseload summary export"),
        ({"object_type": "feed_submission", "object_id": "12"}, "Agency file 12"),
        ({"object_type": "person", "object_id": "9"}, "Person not in a family (record 9)"),
        (
            {"object_type": "user_activity", "object_id": "5", "subject_name": "Jo Bloggs (jb)"},
            "Activity of Jo Bloggs (jb)",
        ),
        ({"object_type": "user_activity", "object_id": "5"}, "Activity of user 5"),
        (
            {
                "object_type": "user_activity",
                "object_id": "5",
                "subject_name": "Jo Bloggs (jb)",
                "family_reference": REF,
                "family_name": "Blackburn",
            },
            "Activity of Jo Bloggs (jb) with Blackburn family, F-000666",
        ),
    ],
)
def test_an_event_about_no_family_names_the_record(given: dict[str, Any], words: str) -> None:
    event: dict[str, Any] = {"family_reference": "", **given}
    assert access_event_words(**event).startswith(words)


@pytest.mark.parametrize(
    ("route", "words"),
    [
        ("families:detail", ""),
        ("family-detail", ""),
        ("plans:plan", "Plan"),
        ("plans:case-notes", "Case notes"),
        ("plans:plan-versions", "Plan versions"),
        ("family-review-detail", "Review"),
        ("family-assessment-detail", "Assessment"),
        ("families:viewers", "Who has viewed this family"),
        ("", ""),
    ],
)
def test_route_words(route: str, words: str) -> None:
    assert route_words(route) == words


def test_the_model_uses_the_words_and_the_name_filled_in_for_the_reader() -> None:
    event = AccessEvent(
        action="view", object_type="plan", object_id="282", family_id=282, family_reference=REF
    )
    assert event.what == "Plan, F-000666"
    event.family_name = "Blackburn"
    assert event.what == "Plan for Blackburn family, F-000666"
