"""GOV.UK Design System markup from oneplan.forms: the renderer, GOVUKDateField, base.html.

No database: these only build forms and render templates.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.template import engines
from django.test import RequestFactory
from django.test.html import Element, parse_html
from django.utils import timezone

from oneplan.forms import GOVUKDateField, GOVUKForm, GOVUKFormRenderer

# ---------------------------------------------------------------------------
# A little HTML querying on top of Django's own parser
# ---------------------------------------------------------------------------


def _walk(node: Element) -> Iterator[Element]:
    yield node
    for child in node.children:
        if isinstance(child, Element):
            yield from _walk(child)


def attr(element: Element, name: str) -> str | None:
    for key, value in element.attributes:
        if key == name:
            return "" if value is None else str(value)
    return None


def classes(element: Element) -> set[str]:
    return set((attr(element, "class") or "").split())


def text(element: Element) -> str:
    parts: list[str] = []
    for child in element.children:
        parts.append(text(child) if isinstance(child, Element) else str(child))
    return " ".join(" ".join(parts).split())


def find_all(html: str | Element, tag: str | None = None, **attrs: str) -> list[Element]:
    """Elements with this tag whose attributes equal `attrs` (class_ means 'has class')."""
    root = parse_html(html) if isinstance(html, str) else html
    wanted_class = attrs.pop("class_", None)
    found = []
    for element in _walk(root):
        if tag and element.name != tag:
            continue
        if wanted_class and wanted_class not in classes(element):
            continue
        if all(
            attr(element, key.rstrip("_").replace("_", "-")) == value
            for key, value in attrs.items()
        ):
            found.append(element)
    return found


def find(html: str | Element, tag: str | None = None, **attrs: str) -> Element:
    found = find_all(html, tag, **attrs)
    assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
    return found[0]


def by_id(html: str | Element, element_id: str) -> Element:
    return find(html, None, id=element_id)


def form_group_of(html: str, element_id: str) -> Element:
    """The outermost govuk-form-group that contains the element with this id."""
    for group in find_all(html, "div", class_="govuk-form-group"):
        if find_all(group, None, id=element_id):
            return group
    raise AssertionError(f"no form group contains #{element_id}")


# ---------------------------------------------------------------------------
# The form under test
# ---------------------------------------------------------------------------

CONTACT_CHOICES = [("email", "Email"), ("phone", "Phone"), ("letter", "Letter")]
NEEDS_CHOICES = [("housing", "Housing"), ("health", "Health"), ("school", "School attendance")]


class FamilyMemberForm(GOVUKForm):
    full_name = forms.CharField(label="Full name", help_text="As they would write it")
    email = forms.EmailField(label="Email address")
    contact = forms.ChoiceField(
        label="How should we contact them?", choices=CONTACT_CHOICES, widget=forms.RadioSelect
    )
    needs = forms.MultipleChoiceField(
        label="Needs", choices=NEEDS_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea)
    date_of_birth = GOVUKDateField(label="Date of birth", help_text="For example, 27 3 2007")
    nickname = forms.CharField(label="Preferred name", required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)


VALID = {
    "full_name": "Sam Jones",
    "email": "sam@example.org",
    "contact": "phone",
    "needs": ["housing", "school"],
    "notes": "Met at school",
    "date_of_birth_day": "7",
    "date_of_birth_month": "3",
    "date_of_birth_year": "2012",
    "nickname": "",
    "token": "abc",
}

# Typed values that fail: full name missing, bad email, impossible date. Everything
# typed must come back exactly as typed.
INVALID = {
    **VALID,
    "full_name": "",
    "email": "not-an-email",
    "notes": "Line one & <two>",
    "nickname": "Sammy",
    "date_of_birth_day": "31",
    "date_of_birth_month": "2",
    "date_of_birth_year": "2024",
}


@pytest.fixture
def unbound_html() -> str:
    return str(FamilyMemberForm())


@pytest.fixture
def invalid_form() -> FamilyMemberForm:
    form = FamilyMemberForm(data=INVALID)
    assert not form.is_valid()
    return form


@pytest.fixture
def invalid_html(invalid_form: FamilyMemberForm) -> str:
    return str(invalid_form)


def test_settings_use_the_govuk_renderer() -> None:
    assert isinstance(forms.Form().renderer, GOVUKFormRenderer)
    assert isinstance(FamilyMemberForm().renderer, GOVUKFormRenderer)


# -- unbound ------------------------------------------------------------------


def test_unbound_form_has_no_error_summary_or_error_styles(unbound_html: str) -> None:
    assert not find_all(unbound_html, class_="govuk-error-summary")
    assert not find_all(unbound_html, class_="govuk-form-group--error")
    assert not find_all(unbound_html, class_="govuk-error-message")
    assert "govuk-input--error" not in unbound_html


def test_each_visible_field_is_a_form_group_with_a_label(unbound_html: str) -> None:
    label = find(unbound_html, "label", for_="id_full_name")
    assert classes(label) == {"govuk-label"}
    assert text(label) == "Full name"
    assert classes(by_id(unbound_html, "id_full_name")) == {"govuk-input"}
    assert classes(by_id(unbound_html, "id_notes")) == {"govuk-textarea"}
    assert classes(form_group_of(unbound_html, "id_email")) == {"govuk-form-group"}


def test_no_label_colon_and_no_html5_required(unbound_html: str) -> None:
    assert "Full name:" not in unbound_html
    assert not find_all(unbound_html, "input", required="")


def test_optional_fields_say_so_and_required_ones_have_no_marker(unbound_html: str) -> None:
    assert text(find(unbound_html, "label", for_="id_nickname")) == "Preferred name (optional)"
    assert text(find(unbound_html, "label", for_="id_full_name")) == "Full name"
    assert "*" not in unbound_html


def test_hint_is_linked_with_aria_describedby(unbound_html: str) -> None:
    hint = by_id(unbound_html, "id_full_name_helptext")
    assert classes(hint) == {"govuk-hint"}
    assert text(hint) == "As they would write it"
    assert attr(by_id(unbound_html, "id_full_name"), "aria-describedby") == "id_full_name_helptext"
    # A field without a hint or error has no aria-describedby at all.
    assert attr(by_id(unbound_html, "id_email"), "aria-describedby") is None


def test_radios_and_checkboxes_are_fieldsets_with_legends(unbound_html: str) -> None:
    radios = find(unbound_html, "div", class_="govuk-radios")
    assert attr(radios, "data-module") == "govuk-radios"
    fieldset = form_group_of(unbound_html, "id_contact_0").children[0]
    assert isinstance(fieldset, Element) and fieldset.name == "fieldset"
    assert text(find(fieldset, "legend")) == "How should we contact them?"
    first = by_id(unbound_html, "id_contact_0")
    assert classes(first) == {"govuk-radios__input"}
    assert attr(first, "type") == "radio"
    assert text(find(unbound_html, "label", for_="id_contact_0")) == "Email"

    assert find(unbound_html, "div", class_="govuk-checkboxes")
    assert classes(by_id(unbound_html, "id_needs_2")) == {"govuk-checkboxes__input"}
    assert text(find(unbound_html, "label", for_="id_needs_2")) == "School attendance"


def test_date_field_is_the_govuk_date_input(unbound_html: str) -> None:
    fieldset = find(unbound_html, "fieldset", role="group")
    assert text(find(fieldset, "legend")) == "Date of birth"
    assert attr(fieldset, "aria-describedby") == "id_date_of_birth_helptext"
    assert find(fieldset, "div", class_="govuk-date-input", id="id_date_of_birth")
    widths = {"day": "govuk-input--width-2", "month": "govuk-input--width-2"}
    for part in ("day", "month", "year"):
        element = by_id(fieldset, f"id_date_of_birth_{part}")
        assert attr(element, "name") == f"date_of_birth_{part}"
        assert attr(element, "type") == "text"
        assert attr(element, "inputmode") == "numeric"
        assert classes(element) == {
            "govuk-input",
            "govuk-date-input__input",
            widths.get(part, "govuk-input--width-4"),
        }
        assert text(find(fieldset, "label", for_=f"id_date_of_birth_{part}")) == part.title()


def test_hidden_fields_have_no_form_group() -> None:
    html = str(FamilyMemberForm(initial={"token": "xyz"}))
    token = find(html, "input", name="token")
    assert attr(token, "type") == "hidden"
    assert attr(token, "value") == "xyz"
    with pytest.raises(AssertionError):
        form_group_of(html, "id_token")


def test_initial_date_is_shown_in_the_parts() -> None:
    html = str(FamilyMemberForm(initial={"date_of_birth": datetime.date(2012, 3, 7)}))
    assert attr(by_id(html, "id_date_of_birth_day"), "value") == "7"
    assert attr(by_id(html, "id_date_of_birth_month"), "value") == "3"
    assert attr(by_id(html, "id_date_of_birth_year"), "value") == "2012"


# -- bound with errors -----------------------------------------------------------


def test_error_summary_lists_each_error_linked_to_its_field(invalid_html: str) -> None:
    summary = find(invalid_html, "div", class_="govuk-error-summary")
    assert attr(summary, "data-module") == "govuk-error-summary"
    assert find(summary, "div", role="alert")
    assert text(find(summary, "h2", class_="govuk-error-summary__title")) == "There is a problem"
    links = {attr(a, "href"): text(a) for a in find_all(summary, "a")}
    assert links == {
        "#id_full_name": "This field is required.",
        "#id_email": "Enter a valid email address.",
        "#id_date_of_birth_day": "Date of birth must be a real date",
    }
    # The summary comes first, before any field.
    assert invalid_html.index("govuk-error-summary") < invalid_html.index("govuk-form-group")


def test_fields_with_errors_are_styled_and_others_are_not(invalid_html: str) -> None:
    for element_id in ("id_full_name", "id_email"):
        assert "govuk-form-group--error" in classes(form_group_of(invalid_html, element_id))
        assert "govuk-input--error" in classes(by_id(invalid_html, element_id))
        assert attr(by_id(invalid_html, element_id), "aria-invalid") == "true"
    assert "govuk-form-group--error" not in classes(form_group_of(invalid_html, "id_nickname"))
    assert "govuk-input--error" not in classes(by_id(invalid_html, "id_nickname"))


def test_error_message_has_hidden_prefix_and_is_described(invalid_html: str) -> None:
    message = by_id(invalid_html, "id_full_name_error")
    assert classes(message) == {"govuk-error-message"}
    assert text(message) == "Error: This field is required."
    assert text(find(message, "span", class_="govuk-visually-hidden")) == "Error:"
    assert (
        attr(by_id(invalid_html, "id_full_name"), "aria-describedby")
        == "id_full_name_helptext id_full_name_error"
    )
    assert attr(by_id(invalid_html, "id_email"), "aria-describedby") == "id_email_error"
    date_fieldset = find(invalid_html, "fieldset", role="group")
    assert (
        attr(date_fieldset, "aria-describedby")
        == "id_date_of_birth_helptext id_date_of_birth_error"
    )


def test_everything_typed_is_shown_again(invalid_html: str) -> None:
    assert attr(by_id(invalid_html, "id_email"), "value") == "not-an-email"
    assert attr(by_id(invalid_html, "id_nickname"), "value") == "Sammy"
    assert attr(by_id(invalid_html, "id_full_name"), "value") is None
    assert text(by_id(invalid_html, "id_notes")) == "Line one & <two>"
    assert "Line one &amp; &lt;two&gt;" in invalid_html  # escaped, not injected
    assert attr(find(invalid_html, "input", name="contact", value="phone"), "checked") == ""
    assert attr(find(invalid_html, "input", name="contact", value="email"), "checked") is None
    checked = {
        attr(box, "value")
        for box in find_all(invalid_html, "input", name="needs")
        if attr(box, "checked") is not None
    }
    assert checked == {"housing", "school"}
    for part, typed in (("day", "31"), ("month", "2"), ("year", "2024")):
        element = by_id(invalid_html, f"id_date_of_birth_{part}")
        assert attr(element, "value") == typed
        assert "govuk-input--error" in classes(element)  # a real-date error: whole date


def test_non_field_errors_are_listed_without_links() -> None:
    class SignInForm(forms.Form):  # not a GOVUKForm: any form gets the markup
        username = forms.CharField()

        def clean(self) -> dict[str, Any]:
            raise ValidationError("Please enter a correct username and password.")

    html = str(SignInForm(data={"username": "sam"}))
    summary = find(html, "div", class_="govuk-error-summary")
    items = find_all(summary, "li")
    assert [text(item) for item in items] == ["Please enter a correct username and password."]
    assert not find_all(summary, "a")
    assert attr(by_id(html, "id_username"), "value") == "sam"


def test_radio_errors_link_to_the_first_radio() -> None:
    form = FamilyMemberForm(data={**VALID, "contact": ""})
    html = str(form)
    summary = find(html, "div", class_="govuk-error-summary")
    assert [attr(a, "href") for a in find_all(summary, "a")] == ["#id_contact_0"]
    fieldset = find(html, "fieldset", aria_describedby="id_contact_error")
    assert find(fieldset, "p", class_="govuk-error-message")


def test_valid_form_cleans_the_date_to_a_date() -> None:
    form = FamilyMemberForm(data=VALID)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == datetime.date(2012, 3, 7)
    assert not find_all(str(form), class_="govuk-error-summary")


def test_page_heading_field_puts_the_label_in_the_h1() -> None:
    class NameForm(GOVUKForm):
        page_heading_field = "full_name"
        full_name = forms.CharField(label="What is their full name?")

    h1 = find(str(NameForm()), "h1", class_="govuk-label-wrapper")
    label = find(h1, "label", for_="id_full_name")
    assert classes(label) == {"govuk-label", "govuk-label--l"}


# ---------------------------------------------------------------------------
# GOVUKDateField: the Design System's date error messages
# ---------------------------------------------------------------------------


class DateForm(GOVUKForm):
    date_of_birth = GOVUKDateField(label="Date of birth")


DATE_CASES = [
    # (day, month, year), expected message, parts highlighted
    (("", "", ""), "Enter a date of birth", {"day", "month", "year"}),
    (("  ", "", " "), "Enter a date of birth", {"day", "month", "year"}),
    (("12", "", "1990"), "Date of birth must include a month", {"month"}),
    (("", "5", "1990"), "Date of birth must include a day", {"day"}),
    (("", "", "1990"), "Date of birth must include a day and month", {"day", "month"}),
    (("12", "5", ""), "Date of birth must include a year", {"year"}),
    (("31", "2", "2024"), "Date of birth must be a real date", {"day", "month", "year"}),
    (("29", "2", "2023"), "Date of birth must be a real date", {"day", "month", "year"}),
    (("12", "13", "1990"), "Date of birth must be a real date", {"month"}),
    (("32", "1", "1990"), "Date of birth must be a real date", {"day"}),
    (("x", "y", "1990"), "Date of birth must be a real date", {"day", "month"}),
    (("12", "5", "199O"), "Date of birth must be a real date", {"year"}),
    (("12", "5", "90"), "Year must include 4 numbers", {"year"}),
]


@pytest.mark.parametrize(("typed", "message", "highlighted"), DATE_CASES)
def test_date_errors(typed: tuple[str, str, str], message: str, highlighted: set[str]) -> None:
    day, month, year = typed
    form = DateForm(
        data={"date_of_birth_day": day, "date_of_birth_month": month, "date_of_birth_year": year}
    )
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == [message]

    html = str(form)
    for part, value in zip(("day", "month", "year"), typed, strict=True):
        element = by_id(html, f"id_date_of_birth_{part}")
        assert (attr(element, "value") or "") == (value or "")  # exactly as typed
        assert ("govuk-input--error" in classes(element)) == (part in highlighted), part
    first = next(p for p in ("day", "month", "year") if p in highlighted)
    summary = find(html, "div", class_="govuk-error-summary")
    assert [attr(a, "href") for a in find_all(summary, "a")] == [f"#id_date_of_birth_{first}"]
    assert text(by_id(html, "id_date_of_birth_error")) == f"Error: {message}"


VALID_DATES = [
    (("7", "3", "2012"), datetime.date(2012, 3, 7)),
    ((" 07 ", "03", "2012"), datetime.date(2012, 3, 7)),
    (("29", "2", "2024"), datetime.date(2024, 2, 29)),
    (("1", "feb", "2020"), datetime.date(2020, 2, 1)),
    (("1", "September", "2020"), datetime.date(2020, 9, 1)),
    (("1", "Sept", "2020"), datetime.date(2020, 9, 1)),
]


@pytest.mark.parametrize(("typed", "expected"), VALID_DATES)
def test_valid_dates(typed: tuple[str, str, str], expected: datetime.date) -> None:
    day, month, year = typed
    form = DateForm(
        data={"date_of_birth_day": day, "date_of_birth_month": month, "date_of_birth_year": year}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == expected
    assert type(form.cleaned_data["date_of_birth"]) is datetime.date


def test_messages_use_the_field_name_when_there_is_no_label() -> None:
    class PlanForm(GOVUKForm):
        end_date = GOVUKDateField()
        review_date = GOVUKDateField()

    form = PlanForm(data={"review_date_day": "1", "review_date_year": "2025"})
    assert not form.is_valid()
    assert form.errors["end_date"] == ["Enter an end date"]
    assert form.errors["review_date"] == ["Review date must include a month"]


def test_optional_empty_date_is_none() -> None:
    class OptionalForm(GOVUKForm):
        closed_on = GOVUKDateField(label="Date closed", required=False)

    form = OptionalForm(data={})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["closed_on"] is None
    assert "Date closed (optional)" in text(find(str(form), "legend"))


def test_future_dates_can_be_refused() -> None:
    class BirthForm(GOVUKForm):
        date_of_birth = GOVUKDateField(label="Date of birth", allow_future=False)

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    form = BirthForm(
        data={
            "date_of_birth_day": str(tomorrow.day),
            "date_of_birth_month": str(tomorrow.month),
            "date_of_birth_year": str(tomorrow.year),
        }
    )
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == ["Date of birth must be today or in the past"]


def test_custom_messages_can_use_the_label() -> None:
    class IssuedForm(GOVUKForm):
        issued = GOVUKDateField(
            label="Date issued",
            error_messages={"required": "Enter the date the order was issued"},
        )

    form = IssuedForm(data={})
    assert form.errors["issued"] == ["Enter the date the order was issued"]


def test_disabled_date_keeps_its_initial_value() -> None:
    class LockedForm(GOVUKForm):
        started = GOVUKDateField(label="Start date", disabled=True)

    form = LockedForm(data={}, initial={"started": datetime.date(2024, 4, 1)})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["started"] == datetime.date(2024, 4, 1)


# ---------------------------------------------------------------------------
# base.html's <title> convention
# ---------------------------------------------------------------------------

BASE_CONTEXT = {
    "service_name": "OnePlan",
    "council_name": "Test Council",
    "service_navigation": [],
    "demo_mode": False,
}


def render_page(source: str, **context: Any) -> str:
    template = engines["django"].from_string(source)
    return template.render({**BASE_CONTEXT, **context})


def title_of(html: str) -> str:
    start = html.index("<title>") + len("<title>")
    return html[start : html.index("</title>")]


@pytest.mark.parametrize(
    ("source", "context", "title"),
    [
        ('{% extends "base.html" %}', {}, "OnePlan"),
        (
            '{% extends "base.html" %}{% block page_title %}Families{% endblock %}',
            {},
            "Families - OnePlan",
        ),
        (
            '{% extends "base.html" %}{% block page_title %}Add a family{% endblock %}',
            {"form": "bound-with-errors"},
            "Error: Add a family - OnePlan",
        ),
        (
            '{% extends "base.html" %}{% block page_title %}{{ name }}{% endblock %}',
            {"name": "Smith <family>"},
            "Smith &lt;family&gt; - OnePlan",
        ),
    ],
)
def test_page_title(source: str, context: dict[str, Any], title: str) -> None:
    if context.get("form") == "bound-with-errors":
        context = {**context, "form": DateForm(data={})}
    assert title_of(render_page(source, **context)) == title


# ---------------------------------------------------------------------------
# govuk/pagination.html
# ---------------------------------------------------------------------------


def render_pagination(page_number: int, query: str, pages: int = 10) -> str:
    request = RequestFactory().get(f"/families/?{query}")
    page_obj = Paginator(list(range(pages * 5)), 5).page(page_number)
    template = engines["django"].from_string('{% include "govuk/pagination.html" %}')
    return template.render({"page_obj": page_obj}, request=request)


def test_pagination_keeps_other_parameters_and_marks_the_current_page() -> None:
    html = render_pagination(5, "status=open&lcg=WINCHESTER&page=5")
    nav = find(html, "nav", class_="govuk-pagination")
    assert attr(nav, "aria-label") == "Pagination"
    assert attr(find(nav, "a", rel="prev"), "href") == "?status=open&lcg=WINCHESTER&page=4"
    assert attr(find(nav, "a", rel="next"), "href") == "?status=open&lcg=WINCHESTER&page=6"
    items = find_all(nav, "li")
    shown = [text(item) for item in items]
    assert shown == ["1", "⋯", "4", "5", "6", "⋯", "10"]
    current = find(nav, "a", aria_current="page")
    assert text(current) == "5"
    assert attr(current, "aria-label") == "Page 5"


def test_pagination_first_page_has_no_previous_and_one_page_shows_nothing() -> None:
    html = render_pagination(1, "")
    assert not find_all(html, "a", rel="prev")
    assert attr(find(html, "a", rel="next"), "href") == "?page=2"
    assert render_pagination(1, "", pages=1).strip() == ""
