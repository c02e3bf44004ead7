"""The form the lead practitioner records an outcome with."""

from __future__ import annotations

from typing import Any

from django import forms

from oneplan.forms import GOVUKForm
from outcomes.results.recorded import RecordableNeed
from outcomes.results.recorded_services import REASON_MAX, REASON_MIN


class RecordedOutcomeForm(GOVUKForm):
    need = forms.ChoiceField(
        label="Which need is the outcome for?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the need the outcome is for",
            "invalid_choice": "Select one of the family's needs",
        },
    )
    positive = forms.ChoiceField(
        label="Is the outcome positive?",
        widget=forms.RadioSelect,
        choices=[("yes", "Yes, a positive outcome"), ("no", "No, not a positive outcome")],
        error_messages={"required": "Select yes if the outcome is positive"},
    )
    reason = forms.CharField(
        label="Why?",
        help_text=(
            "Say what you saw, when, and where it is recorded (for example, the review on "
            "3 March or the health visitor's letter). Internal audit checks every recorded "
            "outcome."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=REASON_MIN,
        max_length=REASON_MAX,
        error_messages={
            "required": "Enter why the outcome is positive or not",
            "min_length": f"The reason must be at least {REASON_MIN} characters: say what "
            "you saw and where it is recorded",
            "max_length": f"The reason must be {REASON_MAX:,} characters or fewer",
        },
    )

    def __init__(self, *args: Any, needs: list[RecordableNeed], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["need"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (n.code, f"{n.label} (found during the work)" if n.added else n.label) for n in needs
        ]
