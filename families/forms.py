"""Forms for family pages. They check input; services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import LCG
from families.states import FamilyStatus, chosen_transitions, transition_label
from oneplan.forms import GOVUKForm


class FamilyFilterForm(GOVUKForm):
    q = forms.CharField(
        label="Family reference or surname",
        required=False,
        max_length=100,
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *FamilyStatus.choices],
    )
    lcg = forms.ChoiceField(label="LCG", required=False)

    def __init__(self, *args: Any, lcgs: list[LCG], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lcg_field = self.fields["lcg"]
        assert isinstance(lcg_field, forms.ChoiceField)
        lcg_field.choices = [
            ("", "Any LCG"),
            *[(str(lcg.pk), lcg.name) for lcg in lcgs],
            ("unassigned", "Unassigned (outside every LCG)"),
        ]


class FamilyTransitionForm(GOVUKForm):
    to_status = forms.ChoiceField(
        label="What is the family's status now?",
        help_text=(
            "Screening, allocation and the family's agreement to work with us and to "
            "their plan move the family along its journey. Here you record that it left "
            "the journey, closed, or was re-opened."
        ),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the family's new status",
            "invalid_choice": "Select one of the statuses listed: the others follow from "
            "what happens to the family",
        },
    )
    reason = forms.CharField(
        label="Why",
        help_text="This is kept in the family's history and seen by everyone working with them.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter the reason for the change",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, current_status: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status_field = self.fields["to_status"]
        assert isinstance(status_field, forms.ChoiceField)
        status_field.choices = [
            (status.value, transition_label(current_status, status))
            for status in chosen_transitions(current_status)
        ]
