"""This area's tables in the personal data registry (audit.personal_data; decision 0017).

Imported by ``lcgs.retention.wiring.ready()``: the registry's own discovery imports
``lcgs.personal_data`` only. A legal hold's reasons and why a record was left out of a
batch are typed by the DPO and may name people, so they are personal data too, and the
anonymisation clears them with the rest of a family's records.
"""

from __future__ import annotations

from audit.personal_data import PersonalTable, register

register(
    PersonalTable(
        model="lcgs.LegalHold",
        person_path="person",
        family_path="family",
        personal_fields=("reason", "lift_reason"),
        free_text_fields=("reason", "lift_reason"),
        about="Legal holds on the records",
    ),
    PersonalTable(
        model="lcgs.RetentionReview",
        person_path="source_person__person",
        family_path="family",
        personal_fields=("excluded_reason",),
        free_text_fields=("excluded_reason",),
        about="Reviews of how long the records are kept",
    ),
)
