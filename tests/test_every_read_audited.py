"""Every read audited (issue 14): every page and API route that answers 200 with a family
or a person in it has written an access event by then.

The walk uses the permission matrix's own enumeration: each route's URL comes from its
rows (``tests/test_permission_matrix.py``: the family routes, the other routes and every
app's table), built in that table's world, and every route the URL configuration serves
(``tests.test_routes._walk``) must have a row. Each GET row is asked as the first and
the last persona the matrix says gets 200 (the matrix itself asks everyone); a route
with only POST (or other) rows is asked with GET as every persona its rows name, so a
form's GET is walked too. Routes the matrix asks in tests of its own (API tokens, break
glass through the API) are rows here. A response "shows a family or person" when:

- the route names a family (its ``reference`` keyword names one), or
- the body holds a canary: any family's reference, or a person's given name and family
  name both as words (pages, JSON, CSV, and the text of spreadsheets and PDFs), or
- it is a file to download (``Content-Disposition: attachment``): a file leaves the
  service, so its download is recorded whatever it holds.

Such a response must have written an access event during the request (a refusal does
not count), and when the route names a family, one about that family (or a list event
that shows it).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import Resolver404, get_resolver, resolve, reverse

from audit.models import AccessAction, AccessEvent
from conftest import World, build_world, client_for
from families.models import Family, Person
from plans.tests.test_review_support import pdf_text
from tests import test_permission_matrix as matrix
from tests.matrix import PERSONAS, Table
from tests.test_routes import _library_reason, _walk


@dataclass(frozen=True)
class Row:
    """A request the walk makes: a route's URL in its world, and who to ask."""

    label: str
    url: Callable[[Any], str]
    personas: tuple[str, ...]
    method: str


@dataclass(frozen=True)
class Source:
    """A world and the rows asked in it."""

    name: str
    build: Callable[[], Any]
    people: Callable[[Any], World]
    rows: list[Row]


def _family_route_rows() -> list[Row]:
    rows = []
    for route in matrix.FAMILY_ROUTES:
        for key, attribute in matrix.FAMILIES.items():
            if route.method == "get":
                personas = tuple(p for p in PERSONAS if route.expect(p, key) == 200)
            else:
                personas = tuple(PERSONAS)

            def url(w: World, name: str = route.name, family: str = attribute) -> str:
                return reverse(name, args=[getattr(w, family).reference])

            rows.append(Row(f"{route.name} ({key})", url, personas, route.method))
    for name, method, expect, _data in matrix.OTHER_ROUTES:
        personas = (
            tuple(p for p in PERSONAS if expect(p) == 200) if method == "get" else tuple(PERSONAS)
        )
        rows.append(Row(name, lambda w, n=name: reverse(n), personas, method))
    return rows


def _table_rows(table: Table) -> list[Row]:
    rows = []
    for case in table.cases:
        if case.method == "get":
            personas = tuple(p for p, code in case.expect.items() if code == 200)
        else:
            # Asked with GET only when the route has no GET row: as everyone the row
            # names, so a form whose POST nobody may make is still reached.
            personas = tuple(case.expect)
        rows.append(Row(f"{table.name}: {case.id}", case.url, personas, case.method))
    return rows


@dataclass
class TokenWorld:
    world: World
    token: int


def _token_world() -> TokenWorld:
    world = build_world()
    return TokenWorld(world=world, token=matrix._token_of(world.keyworker))


# Routes the permission matrix asks in tests of their own (test_token_revocation_routes,
# test_own_tokens_api, test_break_glass_api) rather than in a table.
OWN_TEST_ROWS = [
    Row(
        "tokens:revoke", lambda w: reverse("tokens:revoke", args=[w.token]), ("keyworker",), "post"
    ),
    Row(
        "tokens:dpo-revoke",
        lambda w: reverse("tokens:dpo-revoke", args=[w.token]),
        ("dpo",),
        "post",
    ),
    Row(
        "tokens:dpo-revoke-user",
        lambda w: reverse("tokens:dpo-revoke-user", args=[w.world.keyworker.user_id]),
        ("dpo",),
        "post",
    ),
    Row("api-tokens-list", lambda w: "/api/auth/tokens/", ("keyworker", "dpo"), "get"),
    Row("api-break-glass", lambda w: "/api/break-glass/", ("keyworker", "coordinator"), "post"),
]


def sources() -> list[Source]:
    return [
        Source("family routes", matrix.build_matrix_world, lambda w: w, _family_route_rows()),
        Source("routes with tests of their own", _token_world, lambda w: w.world, OWN_TEST_ROWS),
        *(
            Source(table.name, table.build, lambda w: w.world, _table_rows(table))
            for table in matrix.APP_TABLES
        ),
    ]


# --- What a response shows -------------------------------------------------------------


@dataclass(frozen=True)
class Canaries:
    """What names a family or a person in the world being walked."""

    references: dict[str, int]
    people: list[tuple[str, str]]
    pattern: re.Pattern[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        words = "|".join(re.escape(r) for r in sorted(self.references, key=len, reverse=True))
        object.__setattr__(self, "pattern", re.compile(rf"\b(?:{words})\b" if words else r"$^"))

    @classmethod
    def from_database(cls) -> Canaries:
        return cls(
            references=dict(Family.objects.values_list("reference", "pk")),
            people=[
                (given, family)
                for given, family in Person.objects.values_list("given_name", "family_name")
                if len(given) > 1 and len(family) > 1
            ],
        )

    def found_in(self, text: str) -> str:
        """The first canary in ``text`` (a reference, or "Given Family"), or ""."""
        match = self.pattern.search(text)
        if match:
            return match.group(0)
        for given, family in self.people:
            if re.search(rf"\b{re.escape(given)}\b", text) and re.search(
                rf"\b{re.escape(family)}\b", text
            ):
                return f"{given} {family}"
        return ""


def response_text(response: HttpResponseBase) -> str:
    """The words a response carries: a page, JSON or CSV as text; a spreadsheet's cells;
    a PDF's drawn text."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined, unused-ignore]
    else:
        content = response.content  # type: ignore[attr-defined, unused-ignore]
    kind = response.get("Content-Type", "")
    if content.startswith(b"%PDF") or "pdf" in kind:
        return pdf_text(content)
    if content.startswith(b"PK") or "spreadsheetml" in kind:
        from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            " ".join(str(value) for value in row if value is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return html.unescape(content.decode("utf-8", "replace"))


def is_download(response: HttpResponseBase) -> bool:
    return "attachment" in response.get("Content-Disposition", "")


def shows_case_data(response: HttpResponseBase, canaries: Canaries, family_id: int | None) -> str:
    """Why ``response`` shows a family or a person ("" if it does not)."""
    if family_id is not None:
        return "the route names a family"
    if is_download(response):
        return "a file to download"
    found = canaries.found_in(response_text(response))
    return f"the body holds {found}" if found else ""


def audit_gap(events: Iterable[AccessEvent], family_id: int | None, reference: str) -> str:
    """What is missing from the access events a request wrote ("" if nothing)."""
    shown = [e for e in events if e.action != AccessAction.REFUSED]
    if not shown:
        return "wrote no access event"
    if family_id is None:
        return ""
    for event in shown:
        if event.family_id == family_id:
            return ""
        listed = event.detail.get("families", []) if isinstance(event.detail, dict) else []
        if family_id in listed or reference in listed:
            return ""
        if reference in (event.detail.get("family_references") or []):
            return ""
    return f"wrote access events, none about {reference}"


# --- The walk ----------------------------------------------------------------------------


def _plain(route: str) -> str:
    """A route string without the "^" that starts a regular expression's part: the URL
    configuration's spelling and a resolved URL's differ only there."""
    return re.sub(r"(^|/)\^", r"\1", route)


def _route_of(url: str) -> tuple[str, dict[str, Any]] | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return _plain(match.route), match.kwargs


def served_routes() -> dict[str, str]:
    """Every route a person or program can ask for, by its route string (without "^"),
    with its name; library routes (test_routes.LIBRARY_ROUTES, each with its reason) and
    the router's ".json" twins of its routes are left out."""
    routes = {}
    for route, name, _callback in _walk(get_resolver().url_patterns):
        if _library_reason(route, name) is not None or "(?P<format>" in route:
            continue
        if name in NOT_WALKED:
            continue
        routes[_plain(route)] = name
    return routes


# Routes that show nobody, whatever is asked, and why they are not walked.
NOT_WALKED = {
    # The JSON 404 for any address under /api/ that names no endpoint.
    "api-not-found": "answers 404 to every request",
}


@dataclass
class Finding:
    label: str
    persona: str
    url: str
    why: str
    gap: str

    def __str__(self) -> str:
        return f"{self.label} as {self.persona}: GET {self.url} ({self.why}) {self.gap}"


@dataclass
class WalkResult:
    findings: list[Finding] = field(default_factory=list)
    walked: set[str] = field(default_factory=set)
    # Rows that could not be asked (a table whose world lacks what a row names).
    errors: list[str] = field(default_factory=list)
    # Each source's routes that have rows of other methods than GET.
    other_methods: dict[str, set[str]] = field(default_factory=dict)
    asked: int = 0
    shown: int = 0


def _client(people: World, persona: str) -> Client:
    return Client() if persona == "anonymous" else client_for(getattr(people, persona))


def _ask(client: Client, url: str, canaries: Canaries) -> tuple[int, str, str]:
    """GET ``url`` in a savepoint rolled back after: (status, why it shows case data,
    what its access events miss)."""
    resolved = _route_of(url)
    kwargs = resolved[1] if resolved else {}
    reference = kwargs.get("reference")
    family_id = canaries.references.get(reference) if isinstance(reference, str) else None
    with transaction.atomic():
        last = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(url)
        why = gap = ""
        if response.status_code == 200:
            why = shows_case_data(response, canaries, family_id)
            if why:
                gap = audit_gap(
                    AccessEvent.objects.filter(pk__gt=last), family_id, str(reference or "")
                )
        transaction.set_rollback(True)
    return response.status_code, why, gap


def _asked(row: Row) -> list[str]:
    """Who a row is asked as. A GET row: the first and the last persona the matrix lets
    in (a case worker and an oversight role, where both may), which keeps the walk to a
    few minutes; the matrix itself asks everyone. Any other row (asked with GET only for
    a route with no GET row): every signed-in persona it names."""
    signed_in = [p for p in row.personas if p != "anonymous"]
    if row.method == "get" and len(signed_in) > 2:
        return [signed_in[0], signed_in[-1]]
    return signed_in


def walk(source: Source, result: WalkResult, get_routes: set[str] | None = None) -> None:
    """Build ``source``'s world and ask its rows (GET rows; with ``get_routes``, the
    other rows of those routes, with GET), then throw the world away."""
    with transaction.atomic():
        world = source.build()
        people = source.people(world)
        canaries = Canaries.from_database()
        for row in source.rows:
            try:
                url = row.url(world)
            except Exception as exc:  # noqa: BLE001 - reported with the findings
                result.errors.append(f"{source.name}: {row.label}: {exc!r}")
                continue
            resolved = _route_of(url)
            route = resolved[0] if resolved else ""
            if row.method == "get":
                if get_routes is not None:
                    continue  # asked in the first pass
                result.walked.add(route)
            else:
                result.other_methods.setdefault(source.name, set()).add(route)
                if get_routes is None or route not in get_routes:
                    continue
            for persona in _asked(row):
                _status, why, gap = _ask(_client(people, persona), url, canaries)
                result.asked += 1
                if row.method != "get":
                    result.walked.add(route)
                if why:
                    result.shown += 1
                if gap:
                    result.findings.append(Finding(row.label, persona, url, why, gap))
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_every_read_that_shows_a_family_or_person_is_audited() -> None:
    # Given every route's rows in the permission matrix, in their worlds
    result = WalkResult()
    all_sources = sources()

    # When each GET row is asked as every persona who gets 200
    for source in all_sources:
        walk(source, result)
    # ... and each route with no GET row is asked with GET as its rows' personas
    unwalked = set(served_routes()) - result.walked
    for source in all_sources:
        if result.other_methods.get(source.name, set()) & unwalked:
            walk(source, result, get_routes=unwalked)

    # Then every route was walked, and every response that showed a family or person
    # wrote an access event (about that family, where the route names one)
    missing = {route: name for route, name in served_routes().items() if route not in result.walked}
    assert result.asked > 200 and result.shown > 100, (result.asked, result.shown)
    report = [
        "Reads with no access event:",
        *(str(finding) for finding in result.findings),
        "Routes with no row in the permission matrix:",
        *(f"{route} ({name})" for route, name in sorted(missing.items())),
        "Rows that could not be asked:",
        *result.errors,
    ]
    assert not result.findings and not missing and not result.errors, "\n".join(report)


# --- The walk can fail -------------------------------------------------------------------


def test_a_page_showing_a_canary_without_an_event_is_found(world: World) -> None:
    """The checks themselves: a response that shows a family's reference or a person's
    name, and wrote nothing, is a gap; one that wrote an event about another family is
    too; one that shows nobody is not."""
    from django.http import HttpResponse

    canaries = Canaries.from_database()
    family = world.own_family
    person = family.memberships.get().person

    by_reference = HttpResponse(f"<p>Family {family.reference}</p>")
    by_name = HttpResponse(
        f'{{"given_name": "{person.given_name}", "family_name": "{person.family_name}"}}',
        content_type="application/json",
    )
    nobody = HttpResponse("<p>Accessibility statement</p>")
    file = HttpResponse(b"counts", headers={"Content-Disposition": "attachment; filename=a.csv"})

    assert shows_case_data(by_reference, canaries, None) == f"the body holds {family.reference}"
    assert shows_case_data(by_name, canaries, None).endswith(person.family_name)
    assert shows_case_data(file, canaries, None) == "a file to download"
    assert shows_case_data(nobody, canaries, None) == ""
    assert shows_case_data(nobody, canaries, family.pk) == "the route names a family"
    assert audit_gap([], None, "") == "wrote no access event"
    other = AccessEvent(action="view", family_id=world.other_lcg_family.pk)
    assert audit_gap([other], family.pk, family.reference).startswith("wrote access events")
    mine = AccessEvent(action="view", family_id=family.pk)
    assert audit_gap([other, mine], family.pk, family.reference) == ""
    listed = AccessEvent(action="list", detail={"families": [family.pk]})
    assert audit_gap([listed], family.pk, family.reference) == ""
    refused = AccessEvent(action="refused", family_id=family.pk)
    assert audit_gap([refused], family.pk, family.reference) == "wrote no access event"


def test_the_walk_finds_a_route_that_writes_no_event(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real page with its access event switched off is reported by the walk."""
    from families import views

    monkeypatch.setattr(views, "access_event_record", lambda **kwargs: None)
    source = Source(
        "family page",
        lambda: world,
        lambda w: w,
        [
            Row(
                "families:detail",
                lambda w: reverse("families:detail", args=[w.own_family.reference]),
                ("keyworker",),
                "get",
            )
        ],
    )
    result = WalkResult()

    walk(source, result)

    assert [f.gap for f in result.findings] == ["wrote no access event"]
    assert result.walked == {"families/<str:reference>/"}
