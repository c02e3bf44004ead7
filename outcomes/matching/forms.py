"""Forms for the review queue and undoing a link. They check input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from oneplan.forms import GOVUKForm

NEW_PERSON = "new"


class MatchDecisionForm(GOVUKForm):
    decision = forms.ChoiceField(
        label="Is this the same person?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether this is the same person",
            "invalid_choice": "Select whether this is the same person",
        },
    )
    note = forms.CharField(
        label="Note",
        help_text="Why you decided this. It is kept with the decision.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )

    def __init__(self, *args: Any, candidates: list[tuple[int, str]], **kwargs: Any) -> None:
        """``candidates``: (review id, how to name the candidate) in the page's order."""
        super().__init__(*args, **kwargs)
        field = self.fields["decision"]
        assert isinstance(field, forms.ChoiceField)
        if len(candidates) == 1:
            field.choices = [
                (str(candidates[0][0]), "Same person: link"),
                (NEW_PERSON, "Different people: create a new person"),
            ]
        else:
            field.label = "Which person is this?"
            field.choices = [
                *[(str(pk), f"Same person as {name}: link") for pk, name in candidates],
                (NEW_PERSON, "Different people: none of these, create a new person"),
            ]


class UnlinkForm(GOVUKForm):
    reason = forms.CharField(
        label="Why is this link wrong?",
        help_text="This is kept with the decision and shown on the person's sources page.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter why the link is wrong",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )
