"""The lcgs app's tables in the personal data registry (audit.personal_data;
docs/decisions/0017)."""

from __future__ import annotations

from audit.personal_data import PersonalTable, register

register(
    PersonalTable(
        model="lcgs.IntensiveNomination",
        person_path=None,
        family_path="family",
        personal_fields=("reason", "decision_note"),
        free_text_fields=("reason", "decision_note"),
        about="Nominations for intensive family support",
    ),
    PersonalTable(
        model="lcgs.AgendaItem",
        person_path=None,
        family_path="family",
        personal_fields=("details",),
        about="Discussions at LCG meetings",
    ),
    PersonalTable(
        model="lcgs.MeetingDecision",
        person_path=None,
        family_path="family",
        personal_fields=("summary",),
        free_text_fields=("summary",),
        about="Decisions at LCG meetings",
    ),
)
