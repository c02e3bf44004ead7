"""The meeting forms. They check input; ``lcgs.meetings.services`` enforces the rules."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from agencies.models import LCG, Agency, Staff
from families.models import Family, Track
from families.states import chosen_transitions, transition_label
from lcgs.allocation.selectors import LEAD_ROLES, lead_agency_choices
from lcgs.meetings.services import LOCATION_MAX_LENGTH, REASON_MAX_LENGTH
from oneplan.forms import GOVUKDateField, GOVUKForm
from plans.models import Goal

_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def parse_time(text: str) -> datetime.time | None:
    """A 24-hour time typed as "10:30", "9.15" or "14:00"; None if it is not one."""
    match = _TIME.match(text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


def meeting_start(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The meeting's start in the service's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, time))


class MeetingForm(GOVUKForm):
    lcg = forms.ModelChoiceField(
        label="Which LCG is meeting?",
        queryset=LCG.objects.none(),
        empty_label="Select an LCG",
        error_messages={"required": "Select an LCG", "invalid_choice": "Select an LCG"},
    )
    day = GOVUKDateField(label="Date of the meeting", help_text="For example, 27 3 2026")
    time = forms.CharField(
        label="Time it starts",
        help_text="Use the 24-hour clock, for example 10:30 or 14:00",
        max_length=5,
        error_messages={"required": "Enter the time the meeting starts"},
    )
    location = forms.CharField(
        label="Where",
        required=False,
        max_length=LOCATION_MAX_LENGTH,
        error_messages={"max_length": "The place must be 200 characters or fewer"},
    )

    def __init__(self, *args: Any, lcgs: list[LCG] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lcg"]
        assert isinstance(field, forms.ModelChoiceField)
        if lcgs is None:
            del self.fields["lcg"]
        else:
            field.queryset = LCG.objects.filter(pk__in=[lcg.pk for lcg in lcgs]).order_by("name")
            if len(lcgs) == 1:
                # A coordinator of one LCG has nothing to choose.
                field.initial = lcgs[0].pk

    def clean_time(self) -> datetime.time:
        parsed = parse_time(self.cleaned_data["time"])
        if parsed is None:
            raise forms.ValidationError("Enter a real time, like 10:30 or 14:00")
        return parsed

    def starts_at(self) -> datetime.datetime:
        return meeting_start(self.cleaned_data["day"], self.cleaned_data["time"])


class AttendeesForm(GOVUKForm):
    attendees = forms.ModelMultipleChoiceField(
        label="Who is coming?",
        help_text="Staff of the LCG's agencies. Those from an agency not otherwise working "
        "with a family on the agenda can see that family from the meeting's start until "
        "it is closed (at most 24 hours).",
        queryset=Staff.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select staff of the LCG's agencies"},
    )

    def __init__(self, *args: Any, choices: QuerySet[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = choices
        field.label_from_instance = _staff_label  # type: ignore[method-assign,assignment]


def _staff_label(staff: Staff) -> str:
    title = f", {staff.job_title}" if staff.job_title else ""
    return f"{staff.display_name}{title} ({staff.agency.name})"


class AgendaAddForm(GOVUKForm):
    reference = forms.CharField(
        label="Family reference",
        help_text="A family of this LCG, for example F000123",
        max_length=12,
        error_messages={"required": "Enter the family's reference"},
    )


class AllocationDecisionForm(GOVUKForm):
    track = forms.ChoiceField(
        label="Which track?",
        choices=Track.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a track", "invalid_choice": "Select a track"},
    )
    lead_agency = forms.ModelChoiceField(
        label="Lead agency",
        queryset=Agency.objects.none(),
        empty_label="Select a lead agency",
        error_messages={
            "required": "Select a lead agency",
            "invalid_choice": "Select a lead agency",
        },
    )
    lead_professional = forms.ModelChoiceField(
        label="Lead professional",
        help_text="A key worker or practitioner of the lead agency. Leave it for the lead "
        "agency to name one later.",
        queryset=Staff.objects.none(),
        required=False,
        empty_label="The lead agency names one later",
        error_messages={"invalid_choice": "Select a lead professional"},
    )
    reason = forms.CharField(
        label="Why",
        help_text="Kept in the family's history with the meeting named.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        error_messages={
            "required": "Enter the reason for the allocation",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["lead_agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = lead_agency_choices()
        lead = self.fields["lead_professional"]
        assert isinstance(lead, forms.ModelChoiceField)
        lead.queryset = (
            Staff.objects.filter(
                user__is_active=True,
                agency__is_active=True,
                roles__overlap=[role.value for role in LEAD_ROLES],
            )
            .select_related("user", "agency")
            .order_by("agency__name", "user__last_name", "user__first_name")
        )
        lead.label_from_instance = _staff_label  # type: ignore[method-assign,assignment]


class StatusDecisionForm(GOVUKForm):
    to_status = forms.ChoiceField(
        label="New status",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the new status",
            "invalid_choice": "Select the new status",
        },
    )
    reason = forms.CharField(
        label="Why",
        help_text="Kept in the family's history with the meeting named.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        error_messages={
            "required": "Enter the reason for the change",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, family: Family, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (s.value, transition_label(family.status, s)) for s in chosen_transitions(family.status)
        ]


class ActionDecisionForm(GOVUKForm):
    goal = forms.ModelChoiceField(
        label="Under which goal?",
        queryset=Goal.objects.none(),
        empty_label="Select a goal",
        error_messages={"required": "Select a goal", "invalid_choice": "Select a goal"},
    )
    agency = forms.ModelChoiceField(
        label="Which agency will do it?",
        help_text="An agency not yet on the team around the family joins it.",
        queryset=Agency.objects.none(),
        empty_label="Select an agency",
        error_messages={"required": "Select an agency", "invalid_choice": "Select an agency"},
    )
    description = forms.CharField(
        label="What will be done",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": "Enter what will be done",
            "max_length": "What will be done must be 2,000 characters or fewer",
        },
    )
    due_on = GOVUKDateField(label="Due date", help_text="For example, 27 3 2026")

    def __init__(self, *args: Any, goals: list[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goal = self.fields["goal"]
        assert isinstance(goal, forms.ModelChoiceField)
        goal.queryset = Goal.objects.filter(pk__in=[g.pk for g in goals]).order_by("position", "pk")
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = Agency.objects.filter(is_active=True).order_by("name")


class ReviewDecisionForm(GOVUKForm):
    next_review_on = GOVUKDateField(
        label="Date of the next review", help_text="After today, for example 27 3 2026"
    )


class ConfirmForm(GOVUKForm):
    """A button that confirms (closing a meeting, taking a family off the agenda)."""
