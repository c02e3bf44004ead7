"""The families app's tables in the personal data registry (audit.personal_data;
docs/decisions/0017): how each reaches a person or family, and its personal columns."""

from __future__ import annotations

from audit.personal_data import PersonalTable, register

register(
    PersonalTable(
        model="families.Person",
        person_path="pk",
        family_path="memberships__family",
        personal_fields=(
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "upn",
            "nhs_number",
            "ni_number",
        ),
        about="Personal details",
    ),
    PersonalTable(
        model="families.Family",
        person_path=None,
        family_path="pk",
        personal_fields=("reference",),
        about="Family record",
    ),
    PersonalTable(
        model="families.Address",
        person_path=None,
        family_path="families",
        personal_fields=("line_1", "line_2", "town", "postcode", "uprn"),
        about="Address",
    ),
    PersonalTable(
        model="families.HouseholdMembership",
        person_path="person",
        family_path="family",
        personal_fields=(),
        about="Household membership",
    ),
    PersonalTable(
        model="families.FamilyStatusChange",
        person_path=None,
        family_path="family",
        personal_fields=("reason",),
        free_text_fields=("reason",),
        about="Changes to the family's status",
    ),
    PersonalTable(
        model="families.LeadAssignment",
        person_path=None,
        family_path="family",
        personal_fields=("reason", "source"),
        free_text_fields=("reason",),
        about="Lead professional",
    ),
    PersonalTable(
        model="families.LawfulBasis",
        person_path="person",
        family_path="family",
        personal_fields=("withdrawal_note",),
        free_text_fields=("withdrawal_note",),
        about="Consent and lawful basis for sharing",
    ),
    PersonalTable(
        model="families.TeamMember",
        person_path=None,
        family_path="family",
        personal_fields=("removal_reason",),
        free_text_fields=("removal_reason",),
        about="Agencies in the team around the family",
    ),
    PersonalTable(
        model="families.Grant",
        person_path=None,
        family_path="family",
        personal_fields=("about", "end_reason"),
        free_text_fields=("end_reason",),
        about="Access given to the family's records",
    ),
    PersonalTable(
        model="families.BreakGlassAccess",
        person_path=None,
        family_path="family",
        personal_fields=("reason", "review_note"),
        free_text_fields=("reason", "review_note"),
        about="Emergency access to the family's records",
    ),
    PersonalTable(
        model="families.BreakGlassRefusal",
        person_path=None,
        family_path="family",
        personal_fields=("reference", "reason"),
        free_text_fields=("reason",),
        about="Refused emergency access to the family's records",
    ),
    PersonalTable(
        model="families.RecordCorrection",
        person_path="person",
        family_path="family",
        personal_fields=("reason",),
        free_text_fields=("reason",),
        about="Corrections to the household's records",
    ),
)
