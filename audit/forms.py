"""Forms for the access log pages. They check input; selectors do the reading."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from agencies.models import User
from audit import selectors
from oneplan.forms import GOVUKDateField, GOVUKForm


class UserActivityForm(GOVUKForm):
    """Whose activity, and between which dates (both optional, both included)."""

    username = forms.CharField(
        label="Username",
        help_text="The name they sign in with, for example jsmith",
        max_length=150,
        error_messages={
            "required": "Enter a username",
            "max_length": "The username must be 150 characters or fewer",
        },
    )
    date_from = GOVUKDateField(
        label="Start date", required=False, help_text="For example, 1 3 2025"
    )
    date_to = GOVUKDateField(label="End date", required=False, help_text="For example, 31 3 2025")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}
        )

    def clean_username(self) -> User:
        username = str(self.cleaned_data["username"])
        user = selectors.user_get_by_username(username)
        if user is None:
            raise forms.ValidationError(
                "There is no user with that username. Check it is spelt correctly",
                code="unknown",
            )
        return user

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from: datetime.date | None = cleaned.get("date_from")
        date_to: datetime.date | None = cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned
