"""The plans app's tables in the personal data registry (audit.personal_data;
docs/decisions/0017)."""

from __future__ import annotations

from audit.personal_data import PersonalTable, register

register(
    PersonalTable(
        model="plans.Plan",
        person_path=None,
        family_path="family",
        personal_fields=("working_well", "worries", "family_wants"),
        free_text_fields=("working_well", "worries", "family_wants"),
        about="Family plan",
    ),
    PersonalTable(
        model="plans.PlanVersion",
        person_path=None,
        family_path="plan__family",
        personal_fields=("snapshot", "summary"),
        free_text_fields=("summary",),
        about="Saved versions of the family plan",
    ),
    PersonalTable(
        model="plans.Need",
        person_path="members",
        family_path="family",
        personal_fields=("label", "detail"),
        free_text_fields=("detail",),
        about="Needs in the plan",
    ),
    PersonalTable(
        model="plans.Goal",
        person_path="members",
        family_path="plan__family",
        personal_fields=("title", "description"),
        free_text_fields=("title", "description"),
        about="Goals in the plan",
    ),
    PersonalTable(
        model="plans.Action",
        person_path="family_member",
        family_path="plan__family",
        personal_fields=("description", "owner", "not_done_reason"),
        free_text_fields=("description", "not_done_reason"),
        about="Actions in the plan",
    ),
    PersonalTable(
        model="plans.ActionProgressNote",
        person_path="action__family_member",
        family_path="action__plan__family",
        personal_fields=("text",),
        free_text_fields=("text",),
        about="Progress notes on actions",
    ),
    PersonalTable(
        model="plans.Review",
        person_path=None,
        family_path="plan__family",
        personal_fields=("other_attendees", "summary", "decisions"),
        free_text_fields=("other_attendees", "summary", "decisions"),
        about="Plan reviews",
    ),
    PersonalTable(
        model="plans.GoalRating",
        person_path=None,
        family_path="review__plan__family",
        personal_fields=("comment",),
        free_text_fields=("comment",),
        about="Progress ratings at reviews",
    ),
    PersonalTable(
        model="plans.Agreement",
        person_path=None,
        family_path="plan__family",
        personal_fields=("note",),
        free_text_fields=("note",),
        about="Agreement to the plan",
    ),
    PersonalTable(
        model="plans.CaseNote",
        person_path="person",
        family_path="family",
        personal_fields=("text",),
        free_text_fields=("text",),
        about="Case notes",
    ),
)
