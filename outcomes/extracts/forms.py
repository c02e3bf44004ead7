"""The form that asks for an evaluation extract."""

from __future__ import annotations

from django import forms

from oneplan.forms import GOVUKDateField, GOVUKForm
from outcomes.extracts.rules import FIELDS
from outcomes.extracts.services import PARTNER_MAX


class EvaluationExtractForm(GOVUKForm):
    partner = forms.CharField(
        label="Evaluation partner",
        help_text="The organisation the file is for. Each partner gets pseudonyms of its own.",
        max_length=PARTNER_MAX,
        error_messages={"required": "Enter the evaluation partner's name"},
    )
    reference_date = GOVUKDateField(
        label="Reference date",
        help_text="Ages are given in bands on this date, and the people are the members "
        "of each family on it. For example, 31 3 2025",
    )
    columns = forms.MultipleChoiceField(
        label="Fields in the file",
        help_text="Only these fields can be given. No names, addresses, dates of birth, "
        "free text or restricted information are ever in the file.",
        widget=forms.CheckboxSelectMultiple,
        choices=FIELDS,
        error_messages={"required": "Select at least one field"},
    )
