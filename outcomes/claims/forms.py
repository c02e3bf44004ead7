"""Forms of the claim pages."""

from __future__ import annotations

from typing import Any

from django import forms

from oneplan.forms import GOVUKDateField, GOVUKForm


class ClaimBatchForm(GOVUKForm):
    window_start = GOVUKDateField(
        label="Window starts",
        help_text="For example, 1 4 2025",
        error_messages={"required": "Enter the day the window starts"},
    )
    window_end = GOVUKDateField(
        label="Window ends",
        help_text="For example, 30 6 2025",
        error_messages={"required": "Enter the day the window ends"},
    )
    sample_percent = forms.IntegerField(
        label="Share of claims sampled for internal audit (%)",
        initial=10,
        min_value=0,
        max_value=100,
        error_messages={
            "required": "Enter the share of claims to sample, from 0 to 100",
            "invalid": "Enter the share of claims to sample as a whole number, from 0 to 100",
            "min_value": "The share of claims to sample must be 0 or more",
            "max_value": "The share of claims to sample must be 100 or less",
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end < start:
            self.add_error("window_end", "The window must end on or after the day it starts")
        return data


class ClaimRemoveForm(GOVUKForm):
    reason = forms.CharField(
        label="Why is this family taken out of the batch?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter why the family is removed from the batch",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )
