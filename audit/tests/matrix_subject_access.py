"""Subject access's authorisation table, asked by tests/test_permission_matrix.py.

Only the data protection officer may use any page or API route of subject access;
everyone else signed in gets 403, anonymous people sign in first (pages) or get 403
(API). Every denied request changes nothing (``_snapshot``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from audit.subject_access import services
from audit.subject_access.models import SubjectAccessItem, SubjectAccessRequest
from conftest import World, build_world
from oneplan.jobs import job_run
from tests.matrix import PERSONAS, RouteCase, Table

SIGN_IN = 302


def _only_dpo(ok: int, *, anonymous: int = SIGN_IN) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, 403) | {"dpo": ok, "anonymous": anonymous}


PAGE = _only_dpo(200)
POST = _only_dpo(302)
API = _only_dpo(200, anonymous=403)


@dataclass
class SarMatrixWorld:
    world: World
    person: int
    request: int
    redacted: int
    item: int


def _build() -> SarMatrixWorld:
    world = build_world()
    dpo = world.dpo.user
    person = world.own_family.memberships.get().person
    today = timezone.localdate()

    def recorded() -> SubjectAccessRequest:
        return services.subject_access_request_create(
            actor=dpo,
            person_id=person.pk,
            requester="self",
            requester_name="Matrix",
            requester_contact="Matrix",
            received_on=today,
            today=today,
        )

    request = recorded()
    job = services.subject_access_assemble_start(actor=dpo, request=request)
    job_run(job_id=str(job.pk))
    redacted = recorded()
    job = services.subject_access_assemble_start(actor=dpo, request=redacted)
    job_run(job_id=str(job.pk))
    for item in redacted.items.filter(needs_redaction=True):
        services.subject_access_item_decide(actor=dpo, item=item, decision="keep")
    services.subject_access_redaction_finish(actor=dpo, request=redacted)
    first = request.items.order_by("pk").first()
    assert first is not None
    return SarMatrixWorld(
        world=world, person=person.pk, request=request.pk, redacted=redacted.pk, item=first.pk
    )


def _snapshot(w: SarMatrixWorld) -> tuple[Any, ...]:
    return (
        sorted(
            SubjectAccessRequest.objects.values_list(
                "pk", "status", "due_on", "extension_months", "sent_on", "closed_reason"
            )
        ),
        sorted(
            SubjectAccessItem.objects.values_list(
                "pk", "redacted", "redacted_fields", "redaction_reason", "decided_at"
            )
        ),
    )


def _url(name: str, *args: Any) -> Any:
    return lambda w: reverse(
        f"audit:{name}", args=[getattr(w, a) if isinstance(a, str) else a for a in args]
    )


SUBJECT_ACCESS = Table(
    name="subject access",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase("subject-access", "get", _url("subject-access"), PAGE),
        RouteCase(
            "subject-access-find",
            "get",
            lambda w: reverse("audit:subject-access-find") + "?family_name=a",
            PAGE,
        ),
        RouteCase("subject-access-new", "get", _url("subject-access-new", "person"), PAGE),
        RouteCase(
            "subject-access-new",
            "post",
            _url("subject-access-new", "person"),
            POST,
            lambda w: {
                "requester": "self",
                "requester_name": "Matrix",
                "requester_contact": "Matrix",
                "received_on_day": "1",
                "received_on_month": "1",
                "received_on_year": "2025",
            },
        ),
        RouteCase("subject-access-request", "get", _url("subject-access-request", "request"), PAGE),
        RouteCase("subject-access-extend", "get", _url("subject-access-extend", "request"), PAGE),
        RouteCase(
            "subject-access-extend",
            "post",
            _url("subject-access-extend", "request"),
            POST,
            lambda w: {"months": "1", "reason": "Matrix"},
        ),
        RouteCase(
            "subject-access-assemble", "post", _url("subject-access-assemble", "request"), POST
        ),
        RouteCase("subject-access-items", "get", _url("subject-access-items", "request"), PAGE),
        RouteCase(
            "subject-access-item", "get", _url("subject-access-item", "request", "item"), PAGE
        ),
        RouteCase(
            "subject-access-item",
            "post",
            _url("subject-access-item", "request", "item"),
            POST,
            lambda w: {"decision": "withhold", "reason": "Matrix"},
        ),
        RouteCase("subject-access-finish", "post", _url("subject-access-finish", "request"), POST),
        RouteCase(
            "subject-access-bundle",
            "get",
            lambda w: reverse("audit:subject-access-bundle", args=[w.redacted, "csv"]),
            PAGE,
        ),
        RouteCase("subject-access-sent", "get", _url("subject-access-sent", "redacted"), PAGE),
        RouteCase(
            "subject-access-sent",
            "post",
            _url("subject-access-sent", "redacted"),
            POST,
            lambda w: {
                "sent_on_day": str(timezone.localdate().day),
                "sent_on_month": str(timezone.localdate().month),
                "sent_on_year": str(timezone.localdate().year),
            },
        ),
        RouteCase("subject-access-close", "get", _url("subject-access-close", "request"), PAGE),
        RouteCase(
            "subject-access-close",
            "post",
            _url("subject-access-close", "request"),
            POST,
            lambda w: {"reason": "Matrix"},
        ),
        RouteCase(
            "api-subject-access-requests", "get", lambda w: "/api/subject-access-requests/", API
        ),
        RouteCase(
            "api-subject-access-requests",
            "post",
            lambda w: "/api/subject-access-requests/",
            _only_dpo(201, anonymous=403),
            lambda w: {
                "person_id": w.person,
                "requester": "self",
                "requester_name": "Matrix",
                "requester_contact": "Matrix",
                "received_on": str(timezone.localdate()),
            },
            json=True,
        ),
        RouteCase(
            "api-subject-access-request",
            "get",
            lambda w: f"/api/subject-access-requests/{w.request}/",
            API,
        ),
        RouteCase(
            "api-subject-access-request-extend",
            "post",
            lambda w: f"/api/subject-access-requests/{w.request}/extend/",
            API,
            lambda w: {"months": 2, "reason": "Matrix"},
            json=True,
        ),
        RouteCase(
            "api-subject-access-request-assemble",
            "post",
            lambda w: f"/api/subject-access-requests/{w.request}/assemble/",
            _only_dpo(202, anonymous=403),
            json=True,
        ),
        RouteCase(
            "api-subject-access-request-bundle",
            "get",
            lambda w: f"/api/subject-access-requests/{w.redacted}/bundle/?file_format=pdf",
            API,
        ),
    ],
)

TABLES = [SUBJECT_ACCESS]
