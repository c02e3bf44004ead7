"""Forms of the retention pages. They check the input's shape; the services check the
rules (``lcgs.retention.services``)."""

from __future__ import annotations

from typing import Any

from django import forms

from lcgs.retention.models import RetentionAction
from lcgs.retention.rules import MAX_YEARS, RECORD_CLASS_LABELS, RecordClass
from lcgs.retention.services import REASON_MAX, SOURCE_MAX
from oneplan.forms import GOVUKDateField, GOVUKForm


def _reason(label: str, what: str, hint: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"Enter {what} in {REASON_MAX:,} characters or fewer",
        },
    )


class BatchStartForm(GOVUKForm):
    record_class = forms.ChoiceField(
        label="Kind of records",
        choices=[(c.value, RECORD_CLASS_LABELS[c]) for c in RecordClass],
        widget=forms.HiddenInput,
        error_messages={
            "required": "Select the kind of records",
            "invalid_choice": "Select the kind of records",
        },
    )


class ExcludeForm(GOVUKForm):
    reason = _reason(
        "Why is this record being kept?",
        "why the record is being kept",
        "For example, the family has made a complaint that is not yet closed",
    )


class ApproveForm(GOVUKForm):
    confirm = forms.BooleanField(
        label="I have checked these records and approve what happens to them",
        error_messages={"required": "Confirm that you have checked the records"},
    )


class HoldFamilyForm(GOVUKForm):
    reference = forms.CharField(
        label="Family reference",
        help_text="For example, F-000123",
        max_length=12,
        error_messages={
            "required": "Enter the family reference",
            "max_length": "Enter a family reference like F-000123",
        },
    )


class HoldForm(GOVUKForm):
    on = forms.ChoiceField(
        label="Who is the hold on?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who the hold is on",
            "invalid_choice": "Select who the hold is on",
        },
    )
    reason = _reason(
        "Reason for the hold",
        "the reason for the hold",
        "For example, a claim against the council about this family's care, and its reference",
    )
    until = GOVUKDateField(
        label="Date the hold ends",
        help_text="Leave empty if it holds until you lift it. For example, 27 3 2027",
        required=False,
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        on = self.fields["on"]
        assert isinstance(on, forms.ChoiceField)
        on.choices = [
            ("family", "The whole family"),
            *((f"person-{pk}", name) for pk, name in members),
        ]


class LiftForm(GOVUKForm):
    lift_reason = _reason("Why is the hold being lifted?", "why the hold is being lifted")


class PolicyForm(GOVUKForm):
    years = forms.IntegerField(
        label="Years kept",
        min_value=1,
        max_value=MAX_YEARS,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter the number of years",
            "invalid": "Enter the number of years as a whole number, like 6",
            "min_value": "Enter a number of years from 1 to 100",
            "max_value": "Enter a number of years from 1 to 100",
        },
    )
    action = forms.ChoiceField(
        label="What happens when they are due",
        choices=RetentionAction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happens to the records"},
    )
    source = forms.CharField(
        label="Where the period comes from",
        help_text="For example, the council's retention schedule, line 14",
        max_length=SOURCE_MAX,
        required=False,
        error_messages={
            "max_length": f"Enter where the period comes from in {SOURCE_MAX} characters or fewer"
        },
    )
