"""Filters of the daily-work pages. Query strings, so every filter is a link to share."""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import Staff
from oneplan.forms import GOVUKForm
from plans.work.selectors import ACTION_SHOW_LABELS, ActionShow

KEY_WORKER_OUTSIDE_SCOPE = "Select a key worker who leads families in an LCG you coordinate"


class MyActionsFilterForm(GOVUKForm):
    show = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[(show.value, label) for show, label in ACTION_SHOW_LABELS.items()],
        error_messages={
            "invalid_choice": ("Select overdue, due in the next 7 days, all open or done recently")
        },
    )

    def chosen(self) -> ActionShow:
        """What to show: the valid choice, else all open actions."""
        if self.is_valid() and self.cleaned_data["show"]:
            return ActionShow(self.cleaned_data["show"])
        return ActionShow.OPEN


class MyFamiliesFilterForm(GOVUKForm):
    key_worker = forms.TypedChoiceField(
        label="Key worker",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": KEY_WORKER_OUTSIDE_SCOPE},
    )
    attention = forms.BooleanField(
        label="Only families that need attention",
        required=False,
    )

    def __init__(
        self, *args: Any, key_workers: list[Staff], coordinator: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if coordinator:
            field = self.fields["key_worker"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                ("", "All key workers"),
                *[(str(s.pk), s.display_name) for s in key_workers],
            ]
        else:
            # A key worker's list is their own families: nothing to choose.
            del self.fields["key_worker"]
