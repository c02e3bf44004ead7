"""Forms for the plan pages. They check input; services enforce the rules.

Every edit form carries the version it started from in a hidden ``version`` field, so
the service can refuse a save from a stale version (no lost updates).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.http import QueryDict

from agencies.models import Agency, Staff
from agencies.roles import Role
from families.models import Family, Person
from oneplan.dates import govuk_date
from oneplan.forms import GOVUKDateField, GOVUKForm
from plans.models import ActionOwner, ActionStatus, Goal, GoalStatus, Need, NeedSource
from plans.plan.rules import NEED_KINDS

TEXT_MAX = 5000
NEED_TOO_LONG = "The need must be 200 characters or fewer"


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class VersionedForm(GOVUKForm):
    """A form for changing something that already exists."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    # Fields shown side by side when someone else saved first: (field, label).
    conflict_fields: tuple[str, ...] = ()

    def with_version(self, version: int) -> VersionedForm:
        """The same form, showing what was typed, now carrying ``version``: saving it
        again overwrites the other person's change knowingly."""
        data = QueryDict(mutable=True)
        data.update(self.data)
        data[self.add_prefix("version")] = str(version)
        return type(self)(data, **self.init_kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Subclasses with keyword arguments of their own replace this, so that
        # with_version can build the same form again.
        self.init_kwargs: dict[str, Any] = {}

    def current_value(self, name: str, current: models.Model) -> Any:
        return getattr(current, name)


def current_members(family: Family) -> QuerySet[Person]:
    return Person.objects.filter(
        memberships__family=family, memberships__end_date__isnull=True
    ).order_by("date_of_birth", "pk")


def _members_field(label: str) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class PlanVoiceForm(VersionedForm):
    working_well = forms.CharField(
        label="What is working well",
        help_text="In the family's words",
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(),
    )
    worries = forms.CharField(
        label="What we are worried about",
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(),
    )
    family_wants = forms.CharField(
        label="What the family wants to change",
        help_text="In the family's words",
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(),
    )
    conflict_fields = ("working_well", "worries", "family_wants")


class NeedAddForm(GOVUKForm):
    kind = forms.ChoiceField(
        label="What kind of need is it?",
        choices=NEED_KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of need this is"},
    )
    label = forms.CharField(
        label="The need, in a few words",
        help_text="For example, Rent arrears since the move",
        max_length=200,
        error_messages={
            "required": "Enter the need, in a few words",
            "max_length": NEED_TOO_LONG,
        },
    )
    detail = forms.CharField(
        label="More detail", required=False, max_length=TEXT_MAX, widget=_textarea()
    )
    members = _members_field("Who is it about?")

    def __init__(self, *args: Any, family: Family, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "members", current_members(family))


class NeedEditForm(VersionedForm):
    label = forms.CharField(
        label="The need, in a few words",
        max_length=200,
        error_messages={
            "required": "Enter the need, in a few words",
            "max_length": NEED_TOO_LONG,
        },
    )
    detail = forms.CharField(
        label="More detail", required=False, max_length=TEXT_MAX, widget=_textarea()
    )
    members = _members_field("Who is it about?")
    is_closed = forms.BooleanField(
        label="This need is closed: it has been met or no longer applies",
        required=False,
    )
    conflict_fields: tuple[str, ...] = ("label", "detail", "members", "is_closed")

    def __init__(self, *args: Any, family: Family, need: Need, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init_kwargs = {"family": family, "need": need}
        _set_queryset(self, "members", current_members(family))
        if need.source != NeedSource.PRACTITIONER:
            # Identified needs keep the framework's words.
            del self.fields["label"]
            self.conflict_fields = ("detail", "members", "is_closed")

    def current_value(self, name: str, current: models.Model) -> Any:
        assert isinstance(current, Need)
        if name == "is_closed":
            return current.closed_on is not None
        if name == "members":
            return list(current.members.all())
        return super().current_value(name, current)


class GoalForm(GOVUKForm):
    title = forms.CharField(
        label="Goal",
        help_text="What the family and the team are working towards, for example, "
        "Jordan goes to school every day",
        max_length=300,
        error_messages={"required": "Enter the goal"},
    )
    description = forms.CharField(
        label="More detail", required=False, max_length=TEXT_MAX, widget=_textarea(3)
    )
    needs = forms.ModelMultipleChoiceField(
        label="Which needs does it cover?",
        queryset=Need.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    members = _members_field("Who is it for?")

    def __init__(self, *args: Any, family: Family, needs: QuerySet[Need], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "needs", needs)
        _set_queryset(self, "members", current_members(family))


class GoalEditForm(VersionedForm):
    title = GoalForm.base_fields["title"]
    description = GoalForm.base_fields["description"]
    status = forms.ChoiceField(
        label="Status",
        choices=GoalStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the goal's status"},
    )
    needs = GoalForm.base_fields["needs"]
    members = _members_field("Who is it for?")
    conflict_fields = ("title", "description", "status", "needs", "members")

    def __init__(self, *args: Any, family: Family, needs: QuerySet[Need], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init_kwargs = {"family": family, "needs": needs}
        _set_queryset(self, "needs", needs)
        _set_queryset(self, "members", current_members(family))

    def current_value(self, name: str, current: models.Model) -> Any:
        assert isinstance(current, Goal)
        if name in ("needs", "members"):
            return list(getattr(current, name).all())
        return super().current_value(name, current)


class _StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Staff)
        return f"{obj.display_name}, {obj.agency.name}"


class PractitionerSelect(forms.Select):
    """Each practitioner's option names their agency (``data-agency``), so that with
    JavaScript the list follows the agency chosen (plans/plan/action_form.html).
    Without it every practitioner is listed, and the form checks the one chosen works
    for the agency."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)
        staff = getattr(option["value"], "instance", None)
        if isinstance(staff, Staff):
            option["attrs"]["data-agency"] = str(staff.agency_id)
        return option


def _action_fields() -> dict[str, forms.Field]:
    return {
        "description": forms.CharField(
            label="What will be done",
            max_length=TEXT_MAX,
            widget=_textarea(3),
            error_messages={"required": "Enter what will be done"},
        ),
        "owner": forms.ChoiceField(
            label="Who will do it?",
            choices=ActionOwner.choices,
            widget=forms.RadioSelect,
            error_messages={"required": "Select who will do it"},
        ),
        "agency": forms.ModelChoiceField(
            label="Agency",
            help_text="An agency not yet on the team around the family is added to it.",
            queryset=Agency.objects.none(),
            required=False,
            empty_label="Select an agency",
        ),
        "practitioner": _StaffChoiceField(
            label="Named practitioner",
            help_text="If one person at the agency will do it",
            queryset=Staff.objects.none(),
            required=False,
            empty_label="No one named",
            widget=PractitionerSelect,
        ),
        "family_member": forms.ModelChoiceField(
            label="Family member",
            help_text="If it is one person's commitment",
            queryset=Person.objects.none(),
            required=False,
            empty_label="The whole family",
        ),
        "due_on": GOVUKDateField(label="Due date", help_text="For example, 27 3 2026"),
    }


def _action_querysets(form: forms.Form, family: Family) -> None:
    _set_queryset(form, "agency", Agency.objects.filter(is_active=True).order_by("name"))
    _set_queryset(
        form,
        "practitioner",
        Staff.objects.filter(
            agency__is_active=True,
            user__is_active=True,
            roles__overlap=[Role.AGENCY_PRACTITIONER.value, Role.FAMILY_SUPPORT_WORKER.value],
        )
        .select_related("user", "agency")
        .order_by("user__last_name", "user__first_name"),
    )
    _set_queryset(form, "family_member", current_members(family))


def _clean_owner(form: forms.Form, data: dict[str, Any]) -> dict[str, Any]:
    agency, practitioner = data.get("agency"), data.get("practitioner")
    if data.get("owner") == ActionOwner.AGENCY and not agency:
        form.add_error("agency", "Select the agency that will do this")
    if (
        data.get("owner") == ActionOwner.AGENCY
        and isinstance(agency, Agency)
        and isinstance(practitioner, Staff)
        and practitioner.agency_id != agency.pk
    ):
        form.add_error(
            "practitioner",
            f"{practitioner.display_name} does not work for {agency.name}. Select someone "
            f"who works for {agency.name}, or No one named",
        )
    if data.get("owner") == ActionOwner.FAMILY:
        data["agency"] = None
        data["practitioner"] = None
    else:
        data["family_member"] = None
    return data


class ActionForm(GOVUKForm):
    def __init__(self, *args: Any, family: Family, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_action_fields())
        _action_querysets(self, family)

    def clean(self) -> dict[str, Any]:
        return _clean_owner(self, super().clean() or {})


class ActionEditForm(VersionedForm):
    goal = forms.ModelChoiceField(label="Goal", queryset=Goal.objects.none(), empty_label=None)
    conflict_fields = (
        "description",
        "goal",
        "owner",
        "agency",
        "practitioner",
        "family_member",
        "due_on",
    )

    def __init__(self, *args: Any, family: Family, goals: QuerySet[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init_kwargs = {"family": family, "goals": goals}
        self.fields.update(_action_fields())
        _action_querysets(self, family)
        _set_queryset(self, "goal", goals)

    def clean(self) -> dict[str, Any]:
        return _clean_owner(self, super().clean() or {})


class ActionProgressForm(VersionedForm):
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the action's status"},
    )
    not_done_reason = forms.CharField(
        label="Why was it not done?",
        help_text="Only if it was not done",
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(3),
        error_messages={"max_length": "The reason must be 5,000 characters or fewer"},
    )
    note = forms.CharField(
        label="Progress note",
        help_text="What has happened since the last update",
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(4),
    )
    conflict_fields = ("status", "not_done_reason")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == ActionStatus.NOT_DONE and not data.get("not_done_reason", ""):
            self.add_error("not_done_reason", "Enter why the action was not done")
        return data


class VersionCompareForm(GOVUKForm):
    older = forms.TypedChoiceField(label="Compare version", coerce=int)
    newer = forms.TypedChoiceField(label="with version", coerce=int)

    def __init__(self, *args: Any, numbers: Iterable[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(n, f"Version {n}") for n in numbers]
        for name in ("older", "newer"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = choices


def display(value: Any, field: forms.Field | None = None) -> str:
    """A value as the pages show it: dates in GOV.UK style, choices by their label,
    lists joined, yes/no for ticks."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return govuk_date(value)
    if isinstance(value, (list, tuple, QuerySet)):
        return ", ".join(str(v) for v in value)
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return str(dict(list(field.choices)).get(value, value))  # type: ignore[arg-type]
    if isinstance(field, _StaffChoiceField) and isinstance(value, Staff):
        return field.label_from_instance(value)
    return str(value)


def conflict_rows(form: VersionedForm, current: models.Model) -> list[tuple[str, str, str]]:
    """(label, as saved by the other person, as typed by this user) for each field."""
    rows = []
    for name in form.conflict_fields:
        if name not in form.fields:
            continue
        field = form.fields[name]
        rows.append(
            (
                str(field.label),
                display(form.current_value(name, current), field),
                display(form.cleaned_data.get(name), field),
            )
        )
    return rows
