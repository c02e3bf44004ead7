"""Django forms rendered as GOV.UK Design System markup.

``FORM_RENDERER = "oneplan.forms.GOVUKFormRenderer"`` makes ``{{ form }}`` render an error
summary, then each field as a ``govuk-form-group`` with its label (or fieldset legend),
hint, error message and a GOV.UK widget.

How the widgets get their GOV.UK markup
---------------------------------------
We do NOT override Django's templates under ``templates/django/forms/widgets/``: they are
global, so that would also restyle every widget in the Django admin (whose forms use the
same renderer) and any third-party form. Instead ``GOVUKField`` picks a template under
``templates/govuk/forms/widgets/`` from the widget's class and renders the widget's own
context (``Widget.get_context``) with it, adding the GOV.UK classes, error modifiers and
``aria-describedby``. Only ``{{ form }}`` / ``{{ field.as_field_group }}`` use it; widgets
it does not know (``SplitDateTimeWidget`` and so on) fall back to Django's own markup
inside the form group, so nothing disappears.

Pages that want the error summary above their ``<h1>`` can include
``govuk/error_summary.html`` there and ``govuk/forms/fields.html`` inside the ``<form>``
instead of ``{{ form }}``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import BaseRenderer, TemplatesSetting
from django.forms.utils import pretty_name
from django.forms.widgets import Input
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe

from oneplan.text_limits import too_long_message, too_short_message

__all__ = [
    "DateInputWidget",
    "GOVUKBoundField",
    "GOVUKDateField",
    "GOVUKField",
    "GOVUKForm",
    "GOVUKFormMixin",
    "GOVUKFormRenderer",
    "GOVUKModelForm",
]

DATE_PARTS: tuple[str, str, str] = ("day", "month", "year")

_MONTHS: tuple[str, ...] = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


def _join(*classes: str) -> str:
    return " ".join(c for c in classes if c)


def _lower_first(text: str) -> str:
    """'Date of birth' -> 'date of birth', but leave acronyms alone ('EHCP review')."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------
# Date input
# ---------------------------------------------------------------------------


class DateInputWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year text inputs in a fieldset.

    Inputs are named ``<name>_day``, ``<name>_month`` and ``<name>_year`` and get ids
    ``<id>_day`` and so on. Pass ``autocomplete="bday"`` for a date of birth.
    """

    template_name = "govuk/forms/widgets/date_input.html"

    def __init__(
        self, attrs: dict[str, Any] | None = None, *, autocomplete: str | None = None
    ) -> None:
        widths = {"day": "govuk-input--width-2", "month": "govuk-input--width-2"}
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {}
        for part in DATE_PARTS:
            part_attrs: dict[str, Any] = {
                "class": _join(
                    "govuk-input govuk-date-input__input", widths.get(part, "govuk-input--width-4")
                ),
                "inputmode": "numeric",
            }
            if autocomplete:
                part_attrs["autocomplete"] = f"{autocomplete}-{part}"
            widgets[part] = forms.TextInput(attrs=part_attrs)
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str | None]:
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        id_ = context["widget"]["attrs"].get("id")
        for part, subwidget in zip(DATE_PARTS, context["widget"]["subwidgets"], strict=True):
            if id_:
                subwidget["attrs"]["id"] = f"{id_}_{part}"
            subwidget["part"] = part
            subwidget["label"] = part.capitalize()
        return context

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_day" if id_ else ""


class GOVUKDateField(forms.MultiValueField):
    """A date entered as day, month and year, validated as the Design System says.

    Error messages (override any with ``error_messages``; they may use ``{label}``
    (lower case first letter), ``{Label}``, ``{article}`` and, for ``incomplete``,
    ``{missing}``):

    - nothing entered: "Enter a date of birth"
    - part missing: "Date of birth must include a month" / "... a day and month"
    - year not 4 digits: "Year must include 4 numbers"
    - impossible: "Date of birth must be a real date" (31 2 2024, 13 in the month)
    - with ``allow_future=False``: "Date of birth must be today or in the past"

    Months may also be typed as names or abbreviations ("feb", "February"). On error the
    inputs show exactly what was typed, and only the wrong parts are highlighted.
    """

    widget = DateInputWidget
    default_error_messages = {
        "required": "Enter {article} {label}",
        "incomplete": "{Label} must include {missing}",
        "invalid": "{Label} must be a real date",
        "invalid_year": "Year must include 4 numbers",
        "future": "{Label} must be today or in the past",
    }

    def __init__(
        self,
        *,
        allow_future: bool = True,
        autocomplete: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", DateInputWidget(autocomplete=autocomplete))
        fields = (
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
        )
        super().__init__(fields=fields, require_all_fields=True, **kwargs)
        self.allow_future = allow_future
        # Which of day/month/year the last error was about, so only those inputs are
        # highlighted. Fields are copied per form instance, so this is per form.
        self.invalid_parts: tuple[str, ...] = ()
        self._name_label = ""

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> BoundField:
        # Remember the name so messages can say "Date of birth" when no label is given.
        self._name_label = pretty_name(field_name)
        return super().get_bound_field(form, field_name)

    # -- messages ----------------------------------------------------------

    def _message(self, code: str, **extra: str) -> str:
        label = str(self.label) if self.label else (self._name_label or "date")
        lower = _lower_first(label)
        article = "an" if lower[:1].lower() in "aeio" else "a"
        return str(self.error_messages[code]).format(
            label=lower, Label=_upper_first(label), article=article, **extra
        )

    def _fail(self, code: str, parts: Sequence[str], **extra: str) -> ValidationError:
        self.invalid_parts = tuple(parts)
        return ValidationError(self._message(code, **extra), code=code)

    # -- cleaning ----------------------------------------------------------

    def clean(self, value: Any) -> datetime.date | None:
        self.invalid_parts = ()
        if isinstance(value, datetime.date):  # a disabled field gets its initial value
            date: datetime.date | None = value
        else:
            date = self.compress(value)
        if date is None:
            if self.required:
                raise self._fail("required", DATE_PARTS)
            return None
        if not self.allow_future and date > timezone.localdate():
            raise self._fail("future", DATE_PARTS)
        self.run_validators(date)
        return date

    def compress(self, data_list: Any) -> datetime.date | None:
        """Turn the typed [day, month, year] into a date, or None if all are empty."""
        raw = list(data_list or [])[:3]
        raw += [""] * (3 - len(raw))
        day_s, month_s, year_s = (str(part or "").strip() for part in raw)
        typed = {"day": day_s, "month": month_s, "year": year_s}
        if not any(typed.values()):
            return None

        missing = [part for part in DATE_PARTS if not typed[part]]
        if missing:
            raise self._fail("incomplete", missing, missing="a " + " and ".join(missing))
        if _is_number(year_s) and len(year_s) != 4:
            raise self._fail("invalid_year", ["year"])

        day = _parse_day(day_s)
        month = _parse_month(month_s)
        wrong = [
            part
            for part, ok in (("day", day), ("month", month), ("year", _is_number(year_s)))
            if not ok
        ]
        if wrong:
            raise self._fail("invalid", wrong)
        assert day is not None and month is not None
        try:
            return datetime.date(int(year_s), month, day)
        except ValueError:
            # 31 2 2024: every part is possible on its own, so highlight the whole date.
            raise self._fail("invalid", DATE_PARTS) from None


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _parse_day(text: str) -> int | None:
    if _is_number(text) and 1 <= int(text) <= 31:
        return int(text)
    return None


def _parse_month(text: str) -> int | None:
    if _is_number(text):
        return int(text) if 1 <= int(text) <= 12 else None
    name = text.lower().rstrip(".")
    for number, month in enumerate(_MONTHS, start=1):
        if name == month or (len(name) >= 3 and month.startswith(name)):
            return number
    return None


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------

# (widget class, kind). Order matters: subclasses before their bases.
_WIDGET_KINDS: tuple[tuple[type[forms.Widget], str], ...] = (
    (DateInputWidget, "date"),
    (forms.CheckboxSelectMultiple, "checkboxes"),
    (forms.RadioSelect, "radios"),
    (forms.CheckboxInput, "checkbox"),
    (forms.Select, "select"),
    (forms.Textarea, "textarea"),
    (forms.PasswordInput, "password"),
    (forms.FileInput, "file"),
    (forms.HiddenInput, "hidden"),
    (Input, "input"),
)

# kind -> (classes for the control, extra class when the field has an error)
_CONTROL_CLASSES: dict[str, tuple[str, str]] = {
    "input": ("govuk-input", "govuk-input--error"),
    "password": (
        "govuk-input govuk-password-input__input govuk-js-password-input-input",
        "govuk-input--error",
    ),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "radios": ("govuk-radios__input", ""),
    "checkboxes": ("govuk-checkboxes__input", ""),
    "checkbox": ("govuk-checkboxes__input", ""),
}

# Kinds whose widget's own "class" goes on the wrapper (govuk-radios--inline and so on).
_WRAPPED_KINDS = frozenset({"radios", "checkboxes", "checkbox"})


class GOVUKField:
    """Everything ``govuk/forms/field.html`` needs to render one bound field."""

    def __init__(self, bound_field: BoundField) -> None:
        self.field = bound_field

    @cached_property
    def kind(self) -> str:
        widget = self.field.field.widget
        if widget.is_hidden:
            return "hidden"
        for widget_class, kind in _WIDGET_KINDS:
            if isinstance(widget, widget_class):
                return kind
        return "other"

    @property
    def template_name(self) -> str | None:
        """The GOV.UK widget template, or None to use the widget's own markup."""
        if self.kind in ("hidden", "other"):
            return None
        if self.kind == "date":
            return "govuk/forms/widgets/date_input.html"
        return f"govuk/forms/widgets/{self.kind}.html"

    @property
    def fieldset(self) -> bool:
        """Radios, checkboxes and dates are grouped in a fieldset with a legend."""
        return self.kind != "checkbox" and bool(self.field.use_fieldset)

    @property
    def optional(self) -> bool:
        return not self.field.field.required and self.kind != "checkbox"

    @property
    def label(self) -> str:
        return str(self.field.label)

    @property
    def is_page_heading(self) -> bool:
        return getattr(self.field.form, "page_heading_field", None) == self.field.name

    @property
    def hint_id(self) -> str:
        auto_id = self.field.auto_id
        return f"{auto_id}_helptext" if auto_id and self.field.help_text else ""

    @property
    def error_id(self) -> str:
        auto_id = self.field.auto_id
        return f"{auto_id}_error" if auto_id and self.field.errors else ""

    @property
    def describedby(self) -> str:
        """ids for aria-describedby: any set on the widget, then the hint and error."""
        own = str(self.field.field.widget.attrs.get("aria-describedby", ""))
        return _join(own, self.hint_id, self.error_id)

    @property
    def invalid_parts(self) -> tuple[str, ...]:
        """For a date with errors, the parts to highlight (all if we do not know)."""
        if self.kind != "date" or not self.field.errors:
            return ()
        return getattr(self.field.field, "invalid_parts", ()) or DATE_PARTS

    @property
    def error_href_id(self) -> str:
        """The id the error summary links to: the first input a user needs to fix."""
        bf = self.field
        auto_id = bf.auto_id
        if not auto_id:
            return ""
        if self.kind == "date":
            parts = self.invalid_parts or DATE_PARTS
            return f"{auto_id}_{parts[0]}"
        if self.kind in ("radios", "checkboxes"):
            subwidgets = bf.subwidgets
            if subwidgets:
                return str(subwidgets[0].id_for_label) or auto_id
            return auto_id
        if isinstance(bf.field.widget, forms.MultiWidget):
            return bf.id_for_label or f"{auto_id}_0"
        return bf.id_for_label or auto_id

    @cached_property
    def widget(self) -> SafeString:
        bf = self.field
        template_name = self.template_name
        if template_name is None:
            return mark_safe(str(bf))  # noqa: S308 - BoundField.__str__ returns SafeString
        widget = bf.field.widget
        if bf.field.localize:
            widget.is_localized = True
        kind = self.kind
        has_errors = bool(bf.errors)

        attrs: dict[str, Any] = dict(bf.build_widget_attrs({}, widget))
        if bf.auto_id and "id" not in widget.attrs:
            attrs["id"] = bf.auto_id
        own_class = str(widget.attrs.get("class", ""))
        base_class, error_class = _CONTROL_CLASSES.get(kind, ("", ""))
        if kind in _WRAPPED_KINDS:
            attrs["class"] = base_class
        elif kind != "date":  # date parts carry their own classes
            attrs["class"] = _join(base_class, own_class, error_class if has_errors else "")
        if self.fieldset:
            attrs.pop("aria-describedby", None)  # it goes on the <fieldset>
        elif self.describedby:
            attrs["aria-describedby"] = self.describedby
        else:
            attrs.pop("aria-describedby", None)
        if kind == "password":
            for name, value in (("spellcheck", "false"), ("autocapitalize", "none")):
                if name not in widget.attrs:
                    attrs[name] = value
            if "autocomplete" not in widget.attrs:
                attrs["autocomplete"] = "current-password"
        if isinstance(widget, forms.EmailInput) and "spellcheck" not in widget.attrs:
            attrs["spellcheck"] = "false"
        if kind == "date":
            attrs.pop("aria-invalid", None)  # set on the wrong parts only, below

        context = widget.get_context(bf.html_name, bf.value(), attrs)
        # No maxlength: a browser silently cuts what is typed or pasted at the limit, so
        # the end of a long note would be lost without a word. The server's message says
        # what is wrong and keeps the text (the GOV.UK Design System's advice).
        context["widget"]["attrs"].pop("maxlength", None)
        context["widget"]["attrs"].pop("minlength", None)
        if kind == "date":
            invalid = self.invalid_parts
            for subwidget in context["widget"]["subwidgets"]:
                if subwidget.get("part") in invalid:
                    sub_attrs = subwidget["attrs"]
                    sub_attrs["class"] = _join(sub_attrs.get("class", ""), "govuk-input--error")
                    sub_attrs["aria-invalid"] = "true"
        context["govuk"] = {
            "label": self.label,
            "wrapper_class": own_class if kind in _WRAPPED_KINDS else "",
            "has_errors": has_errors,
        }
        html = bf.form.renderer.render(template_name, context)
        if bf.field.show_hidden_initial:
            html += str(bf.as_hidden(only_initial=True))
        return mark_safe(html)  # noqa: S308 - rendered by the template engine, autoescaped


class GOVUKBoundField(BoundField):
    """A BoundField with a ``govuk`` helper (used by the templates in templates/govuk/)."""

    @cached_property
    def govuk(self) -> GOVUKField:
        return GOVUKField(self)


def govuk_field(bound_field: BoundField) -> GOVUKField:
    helper = getattr(bound_field, "govuk", None)
    return helper if isinstance(helper, GOVUKField) else GOVUKField(bound_field)


class GOVUKFormRenderer(TemplatesSetting):
    """Renders forms and fields with the templates in templates/govuk/forms/."""

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
    bound_field_class = GOVUKBoundField

    def render(
        self,
        template_name: str,
        context: dict[str, Any],
        request: HttpRequest | None = None,
    ) -> str:
        # Give the field template its helper even for forms with their own BoundField class.
        if template_name == self.field_template_name and "govuk" not in context:
            field = context.get("field")
            if isinstance(field, BoundField):
                context = {**context, "govuk": govuk_field(field)}
        return super().render(template_name, context, request)


# ---------------------------------------------------------------------------
# Form base classes
# ---------------------------------------------------------------------------


def form_text_limits(fields: Mapping[str, forms.Field]) -> None:
    """Put the length checks of text ``fields`` in words ("Note must be 10,000 characters
    or fewer", ``oneplan.text_limits``), unless a field has a message of its own."""
    for name, field in fields.items():
        if not isinstance(field, forms.CharField):
            continue
        label = field.label or pretty_name(name)
        # Django fills in the validator's %(limit_value)s and so on: a "%" in a label
        # must stay a "%".
        if field.max_length is not None:
            message = too_long_message(label, int(field.max_length)).replace("%", "%%")
            field.error_messages.setdefault("max_length", message)
        if field.min_length is not None:
            message = too_short_message(label, int(field.min_length)).replace("%", "%%")
            field.error_messages.setdefault("min_length", message)


class GOVUKFormMixin:
    """GOV.UK conventions for a form.

    - no ":" after labels;
    - no HTML ``required`` attributes, so browsers do not show their own error messages
      (the Design System's server-side messages are clearer; also add ``novalidate``
      to the ``<form>``);
    - ``page_heading_field``: the name of a field whose label or legend is the page's
      ``<h1>`` (the one-question-per-page pattern);
    - text too long or too short is said in words (``form_text_limits``).
    """

    default_renderer: BaseRenderer | type[BaseRenderer] | None = GOVUKFormRenderer
    use_required_attribute = False
    page_heading_field: ClassVar[str | None] = None
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def full_clean(self) -> None:
        # Here rather than in __init__: many forms add fields after calling it.
        form_text_limits(self.fields)
        super().full_clean()  # type: ignore[misc]


class GOVUKForm(GOVUKFormMixin, forms.Form):
    """Base class for the service's forms."""


class GOVUKModelForm(GOVUKFormMixin, forms.ModelForm):
    """Base class for the service's model forms."""
