"""Forms of the programme reporting pages. They check the input's shape; the services
check the rules."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from oneplan.forms import GOVUKForm
from outcomes.money.rules import financial_year_label
from outcomes.reporting.quarterly import COLUMNS, return_quarters
from outcomes.reporting.rules import FIGURES, parse_month, quarter_label
from outcomes.reporting.selectors import TRACKS, UNASSIGNED, FamiliesQuery
from outcomes.reporting.services import PRESET_NAME_MAX, SOURCE_MAX, TARGET_MAX


def _years_field(label: str = "Financial year") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        error_messages={
            "required": "Select a financial year",
            "invalid_choice": "Select a financial year from the list",
        },
    )


class DashboardForm(GOVUKForm):
    """The year shown, and the figure the charts draw (a GET form: the page works
    without JavaScript)."""

    year = _years_field()
    chart = forms.ChoiceField(
        label="Figure the charts show",
        choices=[(figure.key, figure.label) for figure in FIGURES],
        error_messages={"invalid_choice": "Select a figure from the list"},
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(str(year), financial_year_label(year)) for year in years]


class FamiliesFilterForm(GOVUKForm):
    """The families list's filters, as the dashboard's links set them."""

    year = _years_field()
    figure = forms.ChoiceField(
        choices=[(figure.key, figure.label) for figure in FIGURES],
        error_messages={
            "required": "Select a figure",
            "invalid_choice": "Select a figure from the list",
        },
    )
    lcg = forms.CharField(
        required=False,
        max_length=20,
        error_messages={"max_length": "Select an LCG from the dashboard"},
    )
    track = forms.ChoiceField(
        required=False,
        choices=[("", "Any track"), *TRACKS],
        error_messages={"invalid_choice": "Select a track from the list"},
    )
    month = forms.CharField(
        required=False,
        max_length=7,
        error_messages={"max_length": "Select a month of the financial year"},
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(str(year), financial_year_label(year)) for year in years]

    def clean_lcg(self) -> str:
        value: str = self.cleaned_data.get("lcg", "")
        if value and value != UNASSIGNED and not value.isdigit():
            raise forms.ValidationError("Select an LCG from the dashboard")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        month, year = data.get("month"), data.get("year")
        if month and year is not None and parse_month(month, year) is None:
            self.add_error("month", "Select a month of the financial year")
        return data

    def query(self) -> FamiliesQuery:
        data = self.cleaned_data
        return FamiliesQuery(
            year=data["year"],
            figure=data["figure"],
            lcg=data.get("lcg", ""),
            track=data.get("track", ""),
            month=data.get("month", ""),
        )


def _target_field(label: str, what: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=TARGET_MAX,
        error_messages={
            "invalid": f"Enter the target for {what} as a whole number, like 500",
            "min_value": f"The target for {what} cannot be negative",
            "max_value": f"Enter a target for {what} of {TARGET_MAX:,} or fewer",
        },
    )


class TargetForm(GOVUKForm):
    """A year's targets: one per figure, each optional (empty: no target)."""

    identified = _target_field("Families identified", "families identified")
    attached = _target_field("Families attached", "families attached")
    agreed = _target_field("Families with an agreed plan", "families with an agreed plan")
    claimed = _target_field("Families with results claimed", "families with results claimed")
    sustained = _target_field(
        "Families sustaining outcomes one year on", "families sustaining outcomes one year on"
    )
    source = forms.CharField(
        label="Where the targets come from",
        help_text="For example, the council's cabinet report of 3 March",
        max_length=SOURCE_MAX,
        error_messages={
            "required": "Enter where the targets come from",
            "max_length": f"Where the targets come from must be {SOURCE_MAX} characters or fewer",
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        figures = [figure.key for figure in FIGURES]
        if not self.errors and all(data.get(key) is None for key in figures):
            self.add_error("identified", "Enter a target for at least one figure")
        return data


class QuarterlyReturnForm(GOVUKForm):
    """The quarter and the columns of a return, and a name to save the columns under."""

    period = forms.ChoiceField(
        label="Quarter",
        error_messages={
            "required": "Select a quarter",
            "invalid_choice": "Select a quarter from the list",
        },
    )
    columns = forms.MultipleChoiceField(
        label="Columns",
        help_text="The file has these columns in this order",
        widget=forms.CheckboxSelectMultiple,
        choices=[(column.key, column.heading) for column in COLUMNS],
        error_messages={
            "required": "Select at least one column",
            "invalid_choice": "Select columns from the list",
        },
    )
    preset_name = forms.CharField(
        label="Save these columns as a layout named",
        help_text="Leave empty not to save them. A layout with the same name is replaced.",
        required=False,
        max_length=PRESET_NAME_MAX,
        error_messages={
            "max_length": f"The layout's name must be {PRESET_NAME_MAX} characters or fewer"
        },
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["period"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (f"{year}-{quarter}", quarter_label(year, quarter))
            for year, quarter in return_quarters(today)
        ]

    def period_chosen(self) -> tuple[int, int]:
        year, quarter = str(self.cleaned_data["period"]).split("-")
        return int(year), int(quarter)
