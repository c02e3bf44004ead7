"""The personal data registry covers the schema (audit.personal_data; decision 0017).

Subject access, retention and anonymisation find personal data only through the
registry, so a table that refers to a person or family and is missing from it would be
left out of a subject access bundle and survive anonymisation. These tests walk the
schema and fail when that happens, and show that the walk notices a missing table.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from audit import personal_data
from audit.personal_data import PersonalTable, coverage_problems, registry, table_for


def test_every_table_about_a_person_or_family_is_registered() -> None:
    assert coverage_problems() == []


def test_the_registry_has_the_core_tables_and_their_history() -> None:
    labels = {table.model for table in registry()}
    for label in (
        "families.Person",
        "families.PersonEvent",
        "families.HouseholdMembership",
        "plans.CaseNote",
        "plans.CaseNoteEvent",
        "outcomes.Evidence",
        "audit.AccessEvent",
    ):
        assert label in labels


def test_history_tables_are_derived_with_paths_from_the_copied_columns() -> None:
    person_history = table_for("families.PersonEvent")
    membership_history = table_for("families.HouseholdMembershipEvent")
    need_history = table_for("plans.NeedEvent")
    assert person_history is not None and membership_history is not None
    assert need_history is not None
    # Person's own key is the tracked row; a membership's event copies `person`;
    # many-to-many fields are not copied, so the need's members are reached through it.
    assert person_history.person_path == "pgh_obj"
    assert membership_history.person_path == "person"
    assert need_history.person_path == "pgh_obj__members"
    assert "given_name" in person_history.personal_fields
    assert person_history.is_history and not table_for("families.Person").is_history


def test_dropping_one_entry_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: without the case notes entry, both the table and its history
    are reported (the history is derived from the entry, so it goes too)."""
    declared = {k: v for k, v in personal_data._declared.items() if k != "plans.CaseNote"}
    monkeypatch.setattr(personal_data, "_declared", declared)

    problems = coverage_problems()

    assert any(p.startswith("plans.CaseNote: refers to a person or family") for p in problems)
    assert any(p.startswith("plans.CaseNoteEvent: history of plans.CaseNote") for p in problems)


def test_a_new_table_one_hop_from_a_family_is_reported() -> None:
    """A table that reaches a family through another table (plan -> family) counts."""
    before = coverage_problems()

    class Throwaway(models.Model):
        plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE)

        class Meta:
            app_label = "plans"

        def __str__(self) -> str:
            return "throwaway"

    try:
        problems = coverage_problems()
        expected = "plans.Throwaway: refers to a person or family (plan__family)"
        assert any(problem.startswith(expected) for problem in problems)
    finally:
        del apps.all_models["plans"]["throwaway"]
        apps.clear_cache()
    assert coverage_problems() == before


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            PersonalTable("plans.CaseNote", "persn", "family", ("text",)),
            "plans.CaseNote: path 'persn' to families.Person does not resolve",
        ),
        (
            PersonalTable("plans.CaseNote", "family", None, ("text",)),
            "ends on families.Family, not families.Person",
        ),
        (
            PersonalTable("plans.CaseNote", "person", "family", ("txt",)),
            "plans.CaseNote: no column 'txt'",
        ),
        (
            PersonalTable("plans.CaseNote", "person", "family", ("text",), ("author",)),
            "free-text field 'author' is not in personal_fields",
        ),
        (
            PersonalTable("plans.CaseNote", None, None, ("text",)),
            "needs a person_path or a family_path",
        ),
        (PersonalTable("plans.NoSuchThing", "person", None, ()), "no such model"),
    ],
)
def test_a_broken_entry_is_reported(table: PersonalTable, expected: str) -> None:
    problems = coverage_problems((*registry(), table))
    assert any(expected in problem for problem in problems), problems


def test_leaving_a_table_out_of_subject_access_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="say why"):
        personal_data.register(
            PersonalTable("plans.CaseNote", "person", "family", (), in_subject_access=False)
        )
    excluded = [t for t in registry() if not t.in_subject_access]
    assert excluded and all(t.why_excluded for t in excluded)
