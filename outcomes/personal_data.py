"""The outcomes app's tables in the personal data registry (audit.personal_data;
docs/decisions/0017)."""

from __future__ import annotations

from audit.personal_data import PersonalTable, register

_QUEUE = "A work queue: holds only a family's number and when it was queued, nothing about anyone."

register(
    PersonalTable(
        model="outcomes.SourcePerson",
        person_path="person",
        family_path=None,
        personal_fields=(
            "source_person_id",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "address_line_1",
            "postcode",
            "uprn",
            "household_id",
            "upn",
            "nhs_number",
            "ni_number",
            "match_fields",
        ),
        about="Records about you sent by partner agencies",
    ),
    PersonalTable(
        model="outcomes.MatchDecision",
        person_path="person",
        family_path=None,
        personal_fields=("fields", "reason"),
        free_text_fields=("reason",),
        about="Decisions matching agency records to you",
    ),
    PersonalTable(
        model="outcomes.MatchReview",
        person_path="candidate",
        family_path=None,
        personal_fields=("field_agreement", "decision_note"),
        free_text_fields=("decision_note",),
        about="Reviews of possible matches",
    ),
    PersonalTable(
        model="outcomes.HouseholdKey",
        person_path=None,
        family_path="family",
        personal_fields=("key",),
        about="Household identifiers used by partner agencies",
    ),
    PersonalTable(
        model="outcomes.Evidence",
        person_path="person",
        family_path=None,
        personal_fields=("record_id", "data"),
        about="Evidence from partner agencies",
    ),
    PersonalTable(
        model="outcomes.Assessment",
        person_path=None,
        family_path="family",
        personal_fields=("criteria",),
        about="Eligibility assessments",
    ),
    PersonalTable(
        model="outcomes.ResultQueue",
        person_path=None,
        family_path="family",
        personal_fields=(),
        in_subject_access=False,
        why_excluded=_QUEUE,
    ),
    PersonalTable(
        model="outcomes.AssessmentQueue",
        person_path=None,
        family_path="family",
        personal_fields=(),
        in_subject_access=False,
        why_excluded=_QUEUE,
    ),
    PersonalTable(
        model="outcomes.Nomination",
        person_path=None,
        family_path="family",
        personal_fields=("reason", "decision_note"),
        free_text_fields=("reason", "decision_note"),
        about="Nominations for the programme",
    ),
    PersonalTable(
        model="outcomes.Attachment",
        person_path=None,
        family_path="family",
        personal_fields=("entry_criteria", "entry_summary"),
        free_text_fields=("entry_summary",),
        about="Joining the programme",
    ),
    PersonalTable(
        model="outcomes.Result",
        person_path=None,
        family_path="family",
        personal_fields=("checks",),
        about="Outcome results",
    ),
    PersonalTable(
        model="outcomes.Claim",
        person_path=None,
        family_path="family",
        personal_fields=("snapshot", "status_reason", "equivalent_reason"),
        free_text_fields=("status_reason", "equivalent_reason"),
        about="Payment-by-results claims",
    ),
    PersonalTable(
        model="outcomes.ClaimAudit",
        person_path=None,
        family_path="claim__family",
        personal_fields=("checklist", "note"),
        free_text_fields=("note",),
        about="Checks of claims",
    ),
    PersonalTable(
        model="outcomes.RecordedOutcome",
        person_path=None,
        family_path="family",
        personal_fields=("reason",),
        free_text_fields=("reason",),
        about="Recorded outcomes",
    ),
)
