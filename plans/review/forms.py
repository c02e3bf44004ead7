"""Forms for reviews, agreement, case notes and the chronology filter.

They check what was typed and say exactly what is missing; the services enforce the
rules. The review form is one page that works without JavaScript: a rating for each
open goal, a row for each action still to do, and a fixed number of blank rows for new
actions (blank rows are ignored).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms import BoundField
from django.http import QueryDict

from agencies.models import Agency
from families.models import Person
from oneplan.dates import govuk_date
from oneplan.forms import GOVUKDateField, GOVUKForm
from plans.models import Action, ActionStatus, AgreementMethod, Goal, GoalRatingValue
from plans.review.services import (
    NOTE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    ActionChangeInput,
    GoalRatingInput,
    NewActionInput,
)

# Blank rows for new actions on the review page. More decisions than this: record the
# review, then add actions on the plan (or record the rest as "other decisions").
NEW_ACTION_ROWS = 3


def _text(label: str, *, required: bool = False, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


@dataclass(frozen=True)
class GoalRow:
    goal: Goal
    rating: BoundField
    comment: BoundField


@dataclass(frozen=True)
class ActionRow:
    action: Action
    status: BoundField
    due_on: BoundField
    not_done_reason: BoundField
    version: BoundField

    @property
    def has_errors(self) -> bool:
        return any(f.errors for f in (self.status, self.due_on, self.not_done_reason))


@dataclass(frozen=True)
class GoalSection:
    """One open goal on the review page, in a section of its own that opens and closes
    (a review of ten goals would otherwise be a page many screens long): its rating,
    its comment and its actions still to do. It is open when something in it needs
    correcting."""

    goal: Goal
    rating: BoundField
    comment: BoundField
    actions: list[ActionRow]

    @property
    def has_errors(self) -> bool:
        return bool(self.rating.errors or self.comment.errors) or any(
            row.has_errors for row in self.actions
        )

    @property
    def rated(self) -> str:
        """How the goal is going, as chosen so far ("" when not yet)."""
        value = self.rating.value()
        return GoalRatingValue(value).label if value in GoalRatingValue.values else ""


@dataclass(frozen=True)
class NewActionRow:
    number: int
    goal: BoundField
    description: BoundField
    owner: BoundField
    due_on: BoundField


class ReviewForm(GOVUKForm):
    held_on = GOVUKDateField(
        label="Date of the review",
        allow_future=False,
        help_text="For example, 27 3 2026",
        error_messages={
            "required": "Enter the date of the review",
            "future": "The date of the review must be today or in the past",
        },
    )
    attendee_agencies = forms.MultipleChoiceField(
        label="Agencies that came",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attendee_members = forms.MultipleChoiceField(
        label="Family members who came",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_attendees = forms.CharField(
        label="Anyone else who came",
        required=False,
        max_length=500,
        help_text="For example, a grandparent or a family friend",
        error_messages={"max_length": "Anyone else who came must be 500 characters or fewer"},
    )
    summary = _text(
        "Summary of the meeting",
        required=True,
        rows=5,
        error_messages={
            "required": "Enter a summary of the meeting",
            "max_length": "The summary must be 10,000 characters or fewer",
        },
    )

    def __init__(
        self,
        *args: Any,
        goals: list[Goal],
        actions: list[Action],
        agencies: list[Agency],
        members: list[Person],
        interval_weeks: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        self.actions = actions
        self._set_choices("attendee_agencies", [(str(a.pk), a.name) for a in agencies])
        self._set_choices("attendee_members", [(str(p.pk), p.full_name) for p in members])

        for goal in goals:
            self.fields[f"rating_{goal.pk}"] = forms.ChoiceField(
                label=f"How is '{goal.title}' going?",
                choices=GoalRatingValue.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Select how '{goal.title}' is going"},
            )
            self.fields[f"comment_{goal.pk}"] = _text(
                f"Comment on '{goal.title}'",
                error_messages={"max_length": "The comment must be 10,000 characters or fewer"},
            )

        for action in actions:
            label = str(action)
            statuses = [
                (s.value, s.label)
                for s in (ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.NOT_DONE)
                if s.value != action.status
            ]
            self.fields[f"change_{action.pk}_status"] = forms.ChoiceField(
                label=f"Status of '{label}'",
                required=False,
                choices=[("", f"No change ({action.get_status_display().lower()})"), *statuses],
            )
            self.fields[f"change_{action.pk}_due_on"] = GOVUKDateField(
                label=f"New due date for '{label}'",
                required=False,
                help_text=f"Now due {govuk_date(action.due_on)}. Leave blank to keep it.",
            )
            self.fields[f"change_{action.pk}_not_done_reason"] = forms.CharField(
                label=f"Why '{label}' was not done",
                required=False,
                max_length=2000,
                error_messages={
                    "max_length": f"The reason '{label}' was not done must be 2,000 characters "
                    "or fewer"
                },
                help_text="Only if it was not done",
            )
            self.fields[f"change_{action.pk}_version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=action.version
            )

        goal_choices = [("", "Select a goal"), *((str(g.pk), g.title) for g in goals)]
        owner_choices = [
            ("", "Select who will do it"),
            *((f"agency:{a.pk}", a.name) for a in agencies),
            ("family", "The family"),
            *((f"member:{p.pk}", f"{p.full_name} (family)") for p in members),
        ]
        for row in range(1, NEW_ACTION_ROWS + 1):
            self.fields[f"new_{row}_goal"] = forms.ChoiceField(
                label="Goal", required=False, choices=goal_choices
            )
            self.fields[f"new_{row}_description"] = _text(
                "What will be done",
                error_messages={
                    "max_length": "What will be done must be 10,000 characters or fewer"
                },
            )
            self.fields[f"new_{row}_owner"] = forms.ChoiceField(
                label="Who will do it", required=False, choices=owner_choices
            )
            self.fields[f"new_{row}_due_on"] = GOVUKDateField(label="Due date", required=False)

        self.fields["decisions"] = _text(
            "Other decisions",
            rows=4,
            help_text="Anything else the meeting decided that is not an action",
            error_messages={"max_length": "Other decisions must be 10,000 characters or fewer"},
        )
        self.fields["next_review_on"] = GOVUKDateField(
            label="Date of the next review",
            required=False,
            help_text=(
                f"Usually 6 to 8 weeks away. Leave blank for {interval_weeks} weeks after "
                "this review."
            ),
        )
        # Rows the user filled in, by their position in the list sent to the service.
        self._new_rows: list[int] = []

    def _set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    # -- grouped fields for the template ----------------------------------

    def goal_rows(self) -> list[GoalRow]:
        return [GoalRow(g, self[f"rating_{g.pk}"], self[f"comment_{g.pk}"]) for g in self.goals]

    def action_rows(self) -> list[ActionRow]:
        return [
            ActionRow(
                a,
                self[f"change_{a.pk}_status"],
                self[f"change_{a.pk}_due_on"],
                self[f"change_{a.pk}_not_done_reason"],
                self[f"change_{a.pk}_version"],
            )
            for a in self.actions
        ]

    def goal_sections(self) -> list[GoalSection]:
        """Each open goal with its rating, comment and actions still to do."""
        actions = self.action_rows()
        return [
            GoalSection(
                g,
                self[f"rating_{g.pk}"],
                self[f"comment_{g.pk}"],
                [row for row in actions if row.action.goal_id == g.pk],
            )
            for g in self.goals
        ]

    def other_action_rows(self) -> list[ActionRow]:
        """Actions still to do under goals no longer being worked on."""
        rated = {g.pk for g in self.goals}
        return [row for row in self.action_rows() if row.action.goal_id not in rated]

    def other_actions_have_errors(self) -> bool:
        return any(row.has_errors for row in self.other_action_rows())

    def new_actions_open(self) -> bool:
        """The new actions' section is open when any row was filled in or has errors."""
        names = [name for name in self.fields if name.startswith("new_")]
        return any(self[name].errors for name in names) or any(
            value for key, value in self.data.items() if key.startswith("new_") and value
        )

    def new_action_rows(self) -> list[NewActionRow]:
        return [
            NewActionRow(
                row,
                self[f"new_{row}_goal"],
                self[f"new_{row}_description"],
                self[f"new_{row}_owner"],
                self[f"new_{row}_due_on"],
            )
            for row in range(1, NEW_ACTION_ROWS + 1)
        ]

    # -- validation --------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for row in range(1, NEW_ACTION_ROWS + 1):
            self._clean_new_row(data, row)
        for action in self.actions:
            prefix = f"change_{action.pk}"
            if (
                data.get(f"{prefix}_status") == ActionStatus.NOT_DONE
                and not (data.get(f"{prefix}_not_done_reason") or "").strip()
            ):
                self.add_error(f"{prefix}_not_done_reason", f"Enter why '{action}' was not done")
        held_on = data.get("held_on")
        next_on = data.get("next_review_on")
        if held_on and next_on and next_on <= held_on:
            self.add_error(
                "next_review_on", "The next review must be after the date of this review"
            )
        return data

    def _clean_new_row(self, data: dict[str, Any], row: int) -> None:
        names = [f"new_{row}_{part}" for part in ("goal", "description", "owner", "due_on")]
        if any(name in self.errors for name in names):
            return
        values = [data.get(name) for name in names]
        if not any(v for v in values):
            return
        goal, description, owner, due_on = values
        if not goal:
            self.add_error(names[0], f"Select the goal for new action {row}")
        if not (description or "").strip():
            self.add_error(names[1], f"Enter what will be done for new action {row}")
        if not owner:
            self.add_error(names[2], f"Select who will do new action {row}")
        if not due_on:
            self.add_error(names[3], f"Enter a due date for new action {row}")

    # -- what the service needs ---------------------------------------------

    def ratings(self) -> list[GoalRatingInput]:
        data = self.cleaned_data
        return [
            GoalRatingInput(g.pk, data[f"rating_{g.pk}"], data.get(f"comment_{g.pk}") or "")
            for g in self.goals
        ]

    def new_actions(self) -> list[NewActionInput]:
        data = self.cleaned_data
        self._new_rows = []
        inputs: list[NewActionInput] = []
        for row in range(1, NEW_ACTION_ROWS + 1):
            goal = data.get(f"new_{row}_goal")
            if not goal:
                continue
            owner = str(data.get(f"new_{row}_owner") or "")
            kind, _, ident = owner.partition(":")
            due_on = data.get(f"new_{row}_due_on")
            assert isinstance(due_on, datetime.date)
            inputs.append(
                NewActionInput(
                    goal_id=int(goal),
                    description=data.get(f"new_{row}_description") or "",
                    due_on=due_on,
                    agency_id=int(ident) if kind == "agency" else None,
                    family_member_id=int(ident) if kind == "member" else None,
                )
            )
            self._new_rows.append(row)
        return inputs

    def action_changes(self) -> list[ActionChangeInput]:
        data = self.cleaned_data
        changes: list[ActionChangeInput] = []
        for action in self.actions:
            prefix = f"change_{action.pk}"
            status = data.get(f"{prefix}_status") or ""
            due_on = data.get(f"{prefix}_due_on")
            if not status and not due_on:
                continue
            version = data.get(f"{prefix}_version")
            changes.append(
                ActionChangeInput(
                    action_id=action.pk,
                    # The version the page showed: a change saved since then is refused.
                    expected_version=action.version if version is None else version,
                    status=status,
                    due_on=due_on,
                    not_done_reason=data.get(f"{prefix}_not_done_reason") or "",
                )
            )
        return changes

    def refresh_versions(self) -> None:
        """After a conflict, re-show the form with the versions the actions have now: the
        user has been told what changed, and saving again should not clash again."""
        data: QueryDict | dict[str, Any] = (
            self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
        )
        for action in self.actions:
            data[f"change_{action.pk}_version"] = str(action.version)
        self.data = data

    def field_for(self, service_field: str | None) -> str | None:
        """The form field a service error names (``ratings.<goal>.rating``,
        ``new_actions.<index>.<part>``, ``action_changes.<action>.<part>``)."""
        if not service_field:
            return None
        parts = service_field.split(".")
        if len(parts) == 3 and parts[0] == "ratings":
            name = f"rating_{parts[1]}" if parts[2] == "rating" else f"comment_{parts[1]}"
        elif len(parts) == 3 and parts[0] == "new_actions":
            index = int(parts[1])
            row = self._new_rows[index] if index < len(self._new_rows) else index + 1
            part = parts[2] if parts[2] in ("goal", "description", "due_on") else "owner"
            name = f"new_{row}_{part}"
        elif len(parts) == 3 and parts[0] == "action_changes":
            part = parts[2] if parts[2] in ("due_on", "not_done_reason") else "status"
            name = f"change_{parts[1]}_{part}"
        else:
            name = service_field
        return name if name in self.fields else None


class AgreementForm(GOVUKForm):
    agreed_on = GOVUKDateField(
        label="Date the family agreed the plan",
        allow_future=False,
        help_text="For example, 27 3 2026",
        error_messages={
            "required": "Enter the date the family agreed the plan",
            "future": "The date the family agreed the plan must be today or in the past",
        },
    )
    signed_by = forms.MultipleChoiceField(
        label="Who in the family agreed the plan?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select who in the family agreed the plan"},
    )
    method = forms.ChoiceField(
        label="How did they agree it?",
        choices=AgreementMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the family agreed the plan"},
    )
    note = _text(
        "Note",
        help_text="For example, what the family asked to change next time",
        error_messages={"max_length": "The note must be 10,000 characters or fewer"},
    )
    plan_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, members: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["signed_by"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(p.pk), p.full_name) for p in members]


class CaseNoteForm(GOVUKForm):
    text = forms.CharField(
        label="Note",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Notes cannot be changed once saved. To correct one, add a new note.",
        error_messages={
            "required": "Enter the note",
            "max_length": "The note must be 10,000 characters or fewer",
        },
    )
    person = forms.ChoiceField(label="Who is the note about?", required=False)
    is_restricted = forms.BooleanField(
        label="This note is restricted",
        required=False,
        help_text=(
            "Only the lead professional, the LCG's coordinators and the data protection "
            "officer will see it. Use it for safeguarding, health or police information."
        ),
    )

    def __init__(self, *args: Any, people: list[Person], may_restrict: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "The whole family"), *((str(p.pk), p.full_name) for p in people)]
        if not may_restrict:
            del self.fields["is_restricted"]


class ChronologyFilterForm(GOVUKForm):
    kind = forms.MultipleChoiceField(
        label="Show only", required=False, widget=forms.CheckboxSelectMultiple
    )
    since = GOVUKDateField(label="From", required=False, help_text="For example, 1 1 2026")
    until = GOVUKDateField(label="To", required=False, help_text="For example, 31 3 2026")

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = kinds

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The 'to' date must be the same as or after the 'from' date")
        return data
