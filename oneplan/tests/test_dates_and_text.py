"""Dates, long text and wording, the same everywhere (the "new user's tour" issue).

- Dates and times in one GOV.UK style and in UK time: "5 December 2026", "7:03pm",
  never "6:52p.m.", "19:08" or "05 December".
- Every free-text field has a length limit, and going over it is said in words ("Note
  must be 10,000 characters or fewer"), on pages and in the API alike.
- Long words wrap inside the page instead of widening it.
- Labels do not say "(optional)" twice.
"""

from __future__ import annotations

import copy
import datetime
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pghistory.models
import pytest
import time_machine
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer
from rest_framework import serializers

from conftest import World, client_for
from oneplan.dates import UK_TIME, govuk_date, govuk_datetime, govuk_time
from oneplan.forms import GOVUKForm, GOVUKFormMixin, form_text_limits
from oneplan.tests.test_form_renderer import attr, find, find_all, text
from oneplan.text_limits import TextLimitsMixin, message_label, too_long_message
from plans.models import CaseNote
from plans.review.services import case_note_add
from tests.test_journeys import sign_in

ROOT = Path(settings.BASE_DIR)
APPS = ("oneplan", "agencies", "lcgs", "families", "plans", "outcomes", "audit")
UTC = datetime.UTC
TOO_LONG = re.compile(r"^.+ must (each )?be [\d,]+ characters or fewer$")


# ---------------------------------------------------------------------------
# Dates and times
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (datetime.date(2026, 12, 5), "5 December 2026"),
        (datetime.date(2026, 1, 31), "31 January 2026"),
        # A moment gives the day it was in the UK: 11:30pm UTC in summer is the next day.
        (datetime.datetime(2026, 5, 31, 23, 30, tzinfo=UTC), "1 June 2026"),
        (datetime.datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "31 December 2026"),
        (None, ""),
    ],
)
def test_dates_read_day_month_year_without_a_leading_zero(
    value: datetime.date | None, words: str
) -> None:
    assert govuk_date(value) == words


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (datetime.time(9, 5), "9:05am"),
        (datetime.time(19, 3), "7:03pm"),
        (datetime.time(19, 0), "7pm"),
        (datetime.time(12, 0), "midday"),
        (datetime.time(0, 0), "midnight"),
        (datetime.time(12, 30), "12:30pm"),
        (datetime.time(0, 30), "12:30am"),
        (datetime.time(23, 59), "11:59pm"),
        # UK time whatever the zone: 6:52pm UTC is 6:52pm in winter and 7:52pm in summer.
        (datetime.datetime(2026, 12, 5, 18, 52, tzinfo=UTC), "6:52pm"),
        (datetime.datetime(2026, 6, 5, 18, 52, tzinfo=UTC), "7:52pm"),
        (None, ""),
    ],
)
def test_times_read_the_govuk_way(value: datetime.time | datetime.datetime, words: str) -> None:
    assert govuk_time(value) == words


def test_a_moment_reads_date_at_time_in_uk_time() -> None:
    assert govuk_datetime(datetime.datetime(2026, 12, 5, 19, 3, tzinfo=UTC)) == (
        "5 December 2026 at 7:03pm"
    )
    assert govuk_datetime(datetime.datetime(2026, 6, 30, 23, 0, tzinfo=UTC)) == (
        "1 July 2026 at midnight"
    )
    assert govuk_datetime(None) == ""


def test_uk_time_is_the_projects_time_zone() -> None:
    assert str(UK_TIME) == settings.TIME_ZONE


def test_the_filters_need_no_load_and_say_nothing_for_no_date() -> None:
    template = Template(
        "[{{ day|govuk_date }}] [{{ moment|govuk_time }}] [{{ moment|govuk_datetime }}] "
        "[{{ day|govuk_datetime }}] [{{ missing|govuk_date }}] [{{ text|govuk_datetime }}]"
    )
    html = template.render(
        Context(
            {
                "day": datetime.date(2026, 12, 5),
                "moment": datetime.datetime(2026, 12, 5, 19, 3, tzinfo=UTC),
                "missing": None,
                "text": "not a date",
            }
        )
    )
    assert html == (
        "[5 December 2026] [7:03pm] [5 December 2026 at 7:03pm] [5 December 2026] [] []"
    )


def _project_files(*suffixes: str) -> Iterator[Path]:
    for app in (*APPS, "templates"):
        for path in sorted((ROOT / app).rglob("*")):
            if path.suffix in suffixes and "tests" not in path.parts:
                yield path


def test_no_template_formats_a_date_for_people_with_djangos_filters() -> None:
    """Django's ``date`` filter gives "6:52 p.m." and a different format on each page;
    only the machine-readable ``|date:"c"`` of a ``<time datetime>`` may stay."""
    found = []
    pattern = re.compile(r"\|\s*(date|time|naturaltime|naturalday)\b(:\s*(\"[^\"]*\"|'[^']*'))?")
    for path in _project_files(".html", ".txt"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in pattern.finditer(line):
                if match.group(1) == "date" and match.group(3) in ('"c"', "'c'"):
                    continue
                found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    assert found == []


# Formats for machines (file names), not people.
MACHINE_FORMATS = {("oneplan/dates.py", '"%Y-%m-%d-%H%M"')}


def test_no_python_formats_a_date_for_people_itself() -> None:
    """Messages, emails, PDFs and admin pages use ``oneplan.dates``: no "%d %B" ("05
    December") or "%H:%M" ("19:08") of their own."""
    found = []
    spec = re.compile(r"\{[^{}]*:%[^{}]*\}|strftime\((\"[^\"]*\"|'[^']*')")
    for path in _project_files(".py"):
        if "migrations" in path.parts:
            continue
        where = str(path.relative_to(ROOT))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in spec.finditer(line):
                if (where, match.group(1)) in MACHINE_FORMATS:
                    continue
                found.append(f"{where}:{number}: {match.group(0)}")
    assert found == []


@pytest.mark.parametrize(
    ("written_at", "shown"),
    [
        # Dates after the world is built: a note cannot be written before the key
        # worker's access to the family began.
        (datetime.datetime(2027, 12, 5, 19, 3, tzinfo=UTC), "5 December 2027 at 7:03pm"),
        (datetime.datetime(2027, 6, 5, 18, 52, tzinfo=UTC), "5 June 2027 at 7:52pm"),
    ],
)
def test_a_note_shows_when_it_was_written_in_govuk_style_and_uk_time(
    world: World, written_at: datetime.datetime, shown: str
) -> None:
    family = world.own_family
    with time_machine.travel(written_at, tick=False):
        case_note_add(actor=world.keyworker.user, family=family, text="Met the family")

    for url in (
        reverse("plans:case-notes", args=[family.reference]),
        reverse("families:detail", args=[family.reference]),
        reverse("plans:chronology", args=[family.reference]),
    ):
        html = client_for(world.keyworker).get(url).content.decode()
        assert shown in html, url
        assert "p.m." not in html and "a.m." not in html, url


# ---------------------------------------------------------------------------
# Length limits said in words
# ---------------------------------------------------------------------------


def _project_modules() -> Iterator[Any]:
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if any(part in info.name for part in (".tests", ".migrations", ".settings")):
                continue
            yield importlib.import_module(info.name)


def _classes(base: type, kind: type) -> list[type]:
    """Classes of the project's modules that are ``kind`` and ``base``, as their own."""
    found = []
    for module in _project_modules():
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and value.__module__ == module.__name__
                and issubclass(value, base)
                and issubclass(value, kind)
            ):
                found.append(value)
    return found


def _text_fields(form_class: type[forms.BaseForm]) -> dict[str, forms.CharField]:
    fields = copy.deepcopy(form_class.base_fields)
    form_text_limits(fields)
    return {
        name: field
        for name, field in fields.items()
        if isinstance(field, forms.CharField)
        and not field.widget.is_hidden
        and not isinstance(field.widget, forms.PasswordInput)
    }


def test_every_text_field_of_every_form_has_a_limit_said_in_words() -> None:
    checked = 0
    for form_class in _classes(GOVUKFormMixin, forms.BaseForm):
        for name, field in _text_fields(form_class).items():
            where = f"{form_class.__module__}.{form_class.__name__}.{name}"
            assert field.max_length is not None, f"{where} has no max_length"
            with pytest.raises(ValidationError) as refused:
                field.clean("x" * (field.max_length + 1))
            message = refused.value.messages[-1]
            # Ours, or the field's own words ("Enter a real postcode, like SO23 8UG").
            assert message == field.error_messages["max_length"], f"{where}: {message}"
            assert "Ensure" not in message, f"{where}: {message}"
            checked += 1
    assert checked > 30


class _NoteForm(GOVUKForm):
    note = forms.CharField(label="Note", max_length=10_000, widget=forms.Textarea)
    code = forms.CharField(label="Code", min_length=3, max_length=5)
    own = forms.CharField(max_length=5, error_messages={"max_length": "Keep it short"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"] = forms.CharField(
            label="Why was it not done?", required=False, max_length=2000
        )
        self.fields["percent"] = forms.CharField(label="Rate %", required=False, max_length=3)


def test_a_form_says_too_long_and_too_short_in_words_and_keeps_the_text() -> None:
    note = "x" * 60_000
    form = _NoteForm(
        {"note": note, "code": "ab", "own": "toolong", "reason": "y" * 2001, "percent": "1234"}
    )

    assert not form.is_valid()
    assert form.errors == {
        "note": ["Note must be 10,000 characters or fewer"],
        "code": ["Code must be 3 characters or more"],
        "own": ["Keep it short"],
        "reason": ["Your answer must be 2,000 characters or fewer"],
        "percent": ["Rate % must be 3 characters or fewer"],
    }
    html = str(form)
    assert "Ensure this value" not in html
    # What was typed is kept, all of it: no maxlength for the browser to cut it short.
    textarea = find(html, "textarea", name="note")
    assert attr(textarea, "maxlength") is None
    assert note in html
    assert all(attr(i, "maxlength") is None for i in find_all(html, "input"))


@pytest.mark.parametrize(
    ("label", "start"),
    [
        ("note", "Note"),
        ("Anyone else who came", "Anyone else who came"),
        ("Why was it not done?", "Your answer"),
        ("Which law? (for a statutory gateway)", "Your answer"),
        ("Why", "Your answer"),
        ("", "Your answer"),
    ],
)
def test_a_label_that_cannot_start_a_sentence_becomes_your_answer(label: str, start: str) -> None:
    assert message_label(label) == start
    assert too_long_message(label, 1000) == f"{start} must be 1,000 characters or fewer"


def _request_serializers() -> list[type[serializers.BaseSerializer[Any]]]:
    """The project's serializers that read a request body, known by the schema's
    request components ("PlanActionRequest", "PatchedPlanActionRequest")."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = set(schema["components"]["schemas"])
    found = []
    for serializer_class in _classes(serializers.Serializer, serializers.Serializer):
        name = serializer_class.__name__.removesuffix("Serializer")
        if {f"{name}Request", f"Patched{name}Request"} & components:
            found.append(serializer_class)
    return found


def test_every_text_field_the_api_reads_has_a_limit_said_in_words() -> None:
    checked = 0
    for serializer_class in _request_serializers():
        fields = serializer_class().fields
        for name, field in fields.items():
            if field.read_only:
                continue
            where = f"{serializer_class.__module__}.{serializer_class.__name__}.{name}"
            if isinstance(field, serializers.ListField):
                field = field.child  # a list of codes: each one is text
            if not isinstance(field, serializers.CharField):
                continue
            assert issubclass(serializer_class, TextLimitsMixin), where
            assert field.max_length is not None, f"{where} has no max_length"
            with pytest.raises(serializers.ValidationError) as refused:
                field.run_validation("x" * (field.max_length + 1))
            detail = refused.value.detail
            assert isinstance(detail, list)
            message = str(detail[0])
            assert TOO_LONG.match(message), f"{where}: {message}"
            checked += 1
    assert checked > 20


def test_a_60000_character_note_is_refused_in_words_by_the_page_and_the_api(
    world: World,
) -> None:
    family = world.own_family
    client = client_for(world.keyworker)
    note = "x" * 60_000

    page = client.post(reverse("plans:case-notes", args=[family.reference]), {"text": note})
    api = client.post(
        f"/api/families/{family.reference}/notes/", {"text": note}, content_type="application/json"
    )

    assert page.status_code == 400
    html = page.content.decode()
    assert "The note must be 10,000 characters or fewer" in html
    assert "Ensure this" not in html
    assert api.status_code == 400
    assert api.json() == {"text": ["Text must be 10,000 characters or fewer"]}
    assert not CaseNote.objects.filter(family=family).exists()


def test_the_api_refuses_a_long_progress_note_in_words(world: World) -> None:
    """A model's unlimited text field gets the page's limit in the API too."""
    field = _field("plans.plan.serializers", "PlanProgressNoteSerializer", "text")

    with pytest.raises(serializers.ValidationError) as refused:
        field.run_validation("x" * 60_000)

    assert refused.value.detail == ["Text must be 5,000 characters or fewer"]


def _field(module: str, name: str, field: str) -> serializers.Field[Any, Any, Any, Any]:
    serializer_class = getattr(importlib.import_module(module), name)
    return serializer_class().fields[field]


# ---------------------------------------------------------------------------
# Long words wrap
# ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_long_word_wraps_inside_the_page(
    live_server: LiveServer, world: World, browser: Browser
) -> None:
    family = world.own_family
    case_note_add(actor=world.keyworker.user, family=family, text="x" * 9_000)
    page = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    try:
        sign_in(page, live_server.url, "keyworker", check=False)
        for url in (
            reverse("plans:case-notes", args=[family.reference]),
            reverse("families:detail", args=[family.reference]),
            reverse("plans:chronology", args=[family.reference]),
        ):
            page.goto(live_server.url + url)
            assert page.get_by_text("x" * 50, exact=False).first.is_visible()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 1024, (url, width)
    finally:
        page.context.close()


# ---------------------------------------------------------------------------
# Wording
# ---------------------------------------------------------------------------


def test_no_label_says_optional_itself() -> None:
    """The GOV.UK renderer adds "(optional)" to a field that is not required."""
    labelled = [
        f"{form_class.__name__}.{name}"
        for form_class in _classes(GOVUKFormMixin, forms.BaseForm)
        for name, field in form_class.base_fields.items()
        if "(optional)" in str(field.label or "")
    ]
    assert labelled == []


def test_the_match_decision_note_says_optional_once() -> None:
    from outcomes.matching.forms import MatchDecisionForm

    html = str(MatchDecisionForm(candidates=[(1, "Oliver Ashby")]))

    assert text(find(html, "label", for_="id_note")) == "Note (optional)"


def test_the_admin_writes_lcg_in_capitals(world: World) -> None:
    """Not "Lcgs" or "Lcg memberships": names Django makes from "lcg" need giving."""
    for model in apps.get_models():
        if model._meta.app_label not in APPS or issubclass(model, pghistory.models.Event):
            continue
        for name in (model._meta.verbose_name, model._meta.verbose_name_plural):
            assert not re.search(r"\blcg", str(name), re.IGNORECASE) or "LCG" in str(name), name

    client = client_for(world.sysadmin)
    for url in (
        "/admin/",
        "/admin/agencies/",
        "/admin/agencies/lcg/",
        f"/admin/agencies/lcg/{world.winchester.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        words = " ".join(re.findall(r">([^<]+)<", response.content.decode()))
        assert re.findall(r".{0,40}\b(?:Lcgs?|lcgs?)\b.{0,40}", words) == [], url
