"""REST API of retention (docs/retention.md), for the data protection officer only
(``access.can_manage_retention``; everyone else 403):

- ``GET /api/retention-reviews/``: the records due for review, then those held, each
  oldest due first (the first 200, as the page); ``POST
  /api/retention-reviews/{id}/keep/`` keeps one, with the reason, whether or not it is in
  a batch;
- ``GET, POST /api/retention-legal-holds/``: the holds (in place first); placing one on a
  family, or on one of its members; ``POST /api/retention-legal-holds/{id}/lift/``;
- ``GET, POST /api/retention-batches/``: the batches; starting one for a kind of record;
  ``GET /api/retention-batches/{id}/`` with its records and what its run did;
  ``POST /api/retention-batches/{id}/approve/`` and ``.../cancel/``;
- ``GET /api/retention-periods/``, ``GET, PATCH /api/retention-periods/{id}/``: the
  retention periods; a change needs the ETag read in If-Match (428 without, 412 stale).

The same access function, selectors and services as the pages (``views.py``); every
answer that names a family or a person writes an access event first.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import User
from agencies.request_user import request_user_or_403
from audit.models import AccessAction
from audit.services import access_events_record_many
from families.selectors import family_get_for_user_or_404
from lcgs.retention import selectors, services
from lcgs.retention.access import DENIED, RULE, can_manage_retention
from lcgs.retention.models import (
    AnonymisationRecord,
    LegalHold,
    RetentionAction,
    RetentionBatch,
    RetentionPolicy,
    RetentionReview,
)
from lcgs.retention.rules import COUNTED_FROM, MAX_YEARS, RECORD_CLASS_LABELS, RecordClass
from lcgs.retention.services import REASON_MAX, SOURCE_MAX
from lcgs.retention.views import hold_seen, holds_seen
from oneplan.api_errors import NOT_FOUND, ErrorDetailSerializer
from oneplan.pagination import StandardPagination
from oneplan.text_limits import TextLimitsMixin
from plans.plan.api_common import IF_MATCH, etag_for, expected_version_from, with_etag
from plans.plan.serializers import PRECONDITION_REQUIRED

PURPOSE = "Retention review"
RECORD_CLASSES = [(c.value, RECORD_CLASS_LABELS[c]) for c in RecordClass]


def _user(request: Request) -> User:
    return request_user_or_403(request, can_manage_retention, DENIED)


def _id(pk: str, what: str) -> int:
    """A path's id; anything else is not found, like an id nobody has."""
    if not pk.isdigit():
        raise Http404(f"No such {what}")
    return int(pk)


def _username(user: Model | None) -> str | None:
    return getattr(user, "username", None) if user is not None else None


def _families_seen(request: Request, user: User, reviews: list[RetentionReview]) -> None:
    """Records listed by family reference: one list event, as the pages write."""
    families = [r.family for r in reviews if r.family is not None]
    access_events_record_many(
        user=user,
        family_ids=[f.pk for f in families],
        family_references=[f.reference for f in families],
        purpose=PURPOSE,
        request=request,
    )


# --- Records due for review ----------------------------------------------------------------


class FeedRecordSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(source="agency.code", help_text="The agency's code")
    agency_name = serializers.CharField(source="agency.name")
    source_person_id = serializers.CharField(help_text="The agency's own reference")


class RetentionReviewSerializer(serializers.ModelSerializer[RetentionReview]):
    record_class_label = serializers.CharField(source="get_record_class_display")
    family = serializers.CharField(
        source="family.reference",
        allow_null=True,
        default=None,
        help_text="The family's reference; null for a feed record",
    )
    feed_record = FeedRecordSerializer(
        source="source_person",
        allow_null=True,
        default=None,
        help_text="An agency's record never matched to a family; null for a family, and "
        "for a feed record since deleted",
    )
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = RetentionReview
        fields = [
            "id",
            "record_class",
            "record_class_label",
            "family",
            "feed_record",
            "due_on",
            "status",
            "status_label",
            "batch",
            "excluded_reason",
            "decided_at",
        ]


class KeepRequestSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=REASON_MAX,
        help_text="Why the record is kept, for example an open complaint",
        error_messages={
            "required": "Enter why the record is being kept",
            "blank": "Enter why the record is being kept",
        },
    )


class RetentionReviewViewSet(viewsets.GenericViewSet[RetentionReview]):
    """The records due for review or held, and keeping one of them."""

    access_rule = RULE
    queryset = RetentionReview.objects.none()
    serializer_class = RetentionReviewSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    @extend_schema(operation_id="retention_reviews_list")
    def list(self, request: Request) -> Response:
        """Records due for review, then those held, each oldest due first (the first
        200; the rest after those are dealt with)."""
        user = _user(request)
        reviews = selectors.reviews_waiting(user)
        _families_seen(request, user, reviews)
        return Response(self.get_serializer(reviews, many=True).data)

    @extend_schema(
        operation_id="retention_reviews_keep",
        request=KeepRequestSerializer,
        responses={
            200: RetentionReviewSerializer,
            404: OpenApiResponse(
                ErrorDetailSerializer,
                "No record waiting for review (due, or in a batch not yet approved) has this id",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def keep(self, request: Request, pk: str) -> Response:
        """Keep one record: it is left out of review (and out of its batch), with the
        reason, and not listed again for the same due date."""
        user = _user(request)
        review = selectors.review_for_exclusion_or_404(user, _id(pk, "record"))
        payload = KeepRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        kept = services.retention_review_exclude(
            actor=user, review=review, reason=payload.validated_data["reason"]
        )
        kept.family, kept.source_person = review.family, review.source_person
        _families_seen(request, user, [kept])
        return Response(RetentionReviewSerializer(kept).data)


# --- Legal holds ---------------------------------------------------------------------------


class LegalHoldSerializer(serializers.ModelSerializer[LegalHold]):
    family = serializers.CharField(
        source="family.reference",
        allow_null=True,
        default=None,
        help_text="The family held; null for a hold on a person",
    )
    person = serializers.IntegerField(
        source="person.pk", allow_null=True, default=None, help_text="The person held"
    )
    person_name = serializers.SerializerMethodField()
    placed_by = serializers.SerializerMethodField()
    lifted_by = serializers.SerializerMethodField()
    in_place = serializers.SerializerMethodField(help_text="False once lifted")

    class Meta:
        model = LegalHold
        fields = [
            "id",
            "family",
            "person",
            "person_name",
            "reason",
            "placed_by",
            "placed_at",
            "until",
            "in_place",
            "lifted_by",
            "lifted_at",
            "lift_reason",
        ]

    def get_person_name(self, obj: LegalHold) -> str | None:
        if obj.person is None:
            return None
        return f"{obj.person.given_name} {obj.person.family_name}"

    def get_placed_by(self, obj: LegalHold) -> str | None:
        return _username(obj.placed_by)

    def get_lifted_by(self, obj: LegalHold) -> str | None:
        return _username(obj.lifted_by)

    def get_in_place(self, obj: LegalHold) -> bool:
        return obj.lifted_at is None


class LegalHoldRequestSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    family = serializers.CharField(
        max_length=12,
        help_text="The family's reference, like F-000123",
        error_messages={
            "required": "Enter the family reference",
            "blank": "Enter the family reference",
        },
    )
    person = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="To hold one member of the family (and every family they belong to): "
        "their person id. Null or left out: the whole family",
    )
    reason = serializers.CharField(
        max_length=REASON_MAX,
        help_text="For example, a claim against the council about this family's care",
        error_messages={
            "required": "Enter the reason for the hold",
            "blank": "Enter the reason for the hold",
        },
    )
    until = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The date the hold ends; null or left out: until it is lifted",
    )


class LiftRequestSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    lift_reason = serializers.CharField(
        max_length=REASON_MAX,
        error_messages={
            "required": "Enter why the hold is being lifted",
            "blank": "Enter why the hold is being lifted",
        },
    )


class LegalHoldViewSet(viewsets.GenericViewSet[LegalHold]):
    """Legal holds: while one is in place, its family's or person's records are not
    listed for review, and a batch that holds them skips them when it runs."""

    access_rule = RULE + "; a family that does not exist is 404"
    queryset = LegalHold.objects.none()
    serializer_class = LegalHoldSerializer
    pagination_class = StandardPagination
    filter_backends: list[Any] = []

    @extend_schema(operation_id="retention_legal_holds_list")
    def list(self, request: Request) -> Response:
        """The legal holds, those in place first, then lifted ones, a page at a time."""
        user = _user(request)
        holds = list(self.paginate_queryset(selectors.legal_hold_list(user)) or [])
        holds_seen(request, user, holds)
        return self.get_paginated_response(self.get_serializer(holds, many=True).data)

    @extend_schema(
        operation_id="retention_legal_holds_create",
        request=LegalHoldRequestSerializer,
        responses={
            201: LegalHoldSerializer,
            404: OpenApiResponse(ErrorDetailSerializer, NOT_FOUND),
        },
    )
    def create(self, request: Request) -> Response:
        """Place a legal hold on a family, or on one of its members."""
        user = _user(request)
        payload = LegalHoldRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        family = family_get_for_user_or_404(user, data["family"].strip().upper())
        person = None
        if data["person"] is not None:
            members = {m.person.pk: m.person for m in family.memberships.all()}
            person = members.get(data["person"])
            if person is None:
                raise ValidationError({"person": [f"Select a member of family {family.reference}"]})
        hold = services.legal_hold_place(
            actor=user,
            family=None if person is not None else family,
            person=person,
            reason=data["reason"],
            until=data["until"],
        )
        shown = selectors.legal_hold_get_or_404(user, hold.pk)
        hold_seen(request, user, shown, AccessAction.API_READ)
        return Response(LegalHoldSerializer(shown).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="retention_legal_holds_lift",
        request=LiftRequestSerializer,
        responses={
            200: LegalHoldSerializer,
            404: OpenApiResponse(
                ErrorDetailSerializer,
                "No legal hold in place has this id (or it has been lifted already)",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def lift(self, request: Request, pk: str) -> Response:
        """Lift a legal hold, saying why. The records it held are listed again the next
        night if their period has passed and nothing else holds them."""
        user = _user(request)
        hold = selectors.legal_hold_get_or_404(user, _id(pk, "legal hold"))
        if hold.lifted_at is not None:
            raise Http404("This legal hold has already been lifted")
        payload = LiftRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.legal_hold_lift(
            actor=user, hold=hold, reason=payload.validated_data["lift_reason"]
        )
        shown = selectors.legal_hold_get_or_404(user, hold.pk)
        hold_seen(request, user, shown, AccessAction.API_READ)
        return Response(LegalHoldSerializer(shown).data)


# --- Batches -------------------------------------------------------------------------------


class RetentionBatchSerializer(serializers.ModelSerializer[RetentionBatch]):
    record_class_label = serializers.CharField(source="get_record_class_display")
    status_label = serializers.CharField(source="get_status_display")
    records = serializers.SerializerMethodField(help_text="How many records the batch holds")
    created_by = serializers.SerializerMethodField()
    approved_by = serializers.SerializerMethodField()
    job = serializers.UUIDField(
        source="job_id",
        allow_null=True,
        default=None,
        help_text="The run, once approved: its progress at /api/jobs/{job}/",
    )

    class Meta:
        model = RetentionBatch
        fields = [
            "id",
            "record_class",
            "record_class_label",
            "action",
            "status",
            "status_label",
            "records",
            "created_by",
            "created_at",
            "approved_by",
            "approved_at",
            "job",
            "finished_at",
        ]

    def get_records(self, obj: RetentionBatch) -> int:
        count = getattr(obj, "item_count", None)
        return count if count is not None else obj.items.count()

    def get_created_by(self, obj: RetentionBatch) -> str | None:
        return _username(obj.created_by)

    def get_approved_by(self, obj: RetentionBatch) -> str | None:
        return _username(obj.approved_by)


class AnonymisationRecordSerializer(serializers.ModelSerializer[AnonymisationRecord]):
    approved_by = serializers.SerializerMethodField()
    rows_changed = serializers.DictField(
        child=serializers.IntegerField(), help_text='Rows changed per table ("families.Person")'
    )
    rows_deleted = serializers.DictField(child=serializers.IntegerField())

    class Meta:
        model = AnonymisationRecord
        fields = [
            "id",
            "action",
            "approved_by",
            "started_at",
            "finished_at",
            "records_done",
            "records_held",
            "rows_changed",
            "rows_deleted",
        ]

    def get_approved_by(self, obj: AnonymisationRecord) -> str | None:
        return _username(obj.approved_by)


class RetentionBatchDetailSerializer(serializers.Serializer[Any]):
    batch = RetentionBatchSerializer()
    items = RetentionReviewSerializer(many=True, help_text="The batch's records")
    record = AnonymisationRecordSerializer(
        allow_null=True, help_text="What the run did, once it is done; null before"
    )


class BatchStartRequestSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    record_class = serializers.ChoiceField(
        choices=RECORD_CLASSES,
        error_messages={
            "required": "Select the kind of records",
            "invalid_choice": "Select the kind of records",
        },
    )


class ApproveRequestSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    confirm = serializers.BooleanField(
        help_text="True: you have checked these records and approve what happens to them",
        error_messages={"required": "Confirm that you have checked the records"},
    )

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError("Confirm that you have checked the records")
        return value


class RetentionBatchViewSet(viewsets.GenericViewSet[RetentionBatch]):
    """Batches: records of one kind gathered for the DPO to read through and approve.
    Approving starts the run that anonymises (or deletes) them; it cannot be undone."""

    access_rule = RULE
    queryset = RetentionBatch.objects.none()
    serializer_class = RetentionBatchSerializer
    pagination_class = StandardPagination
    filter_backends: list[Any] = []

    def _detail(self, request: Request, user: User, batch_id: int) -> dict[str, Any]:
        batch = selectors.batch_get_or_404(user, batch_id)
        items = selectors.batch_items(user, batch)
        _families_seen(request, user, items)
        record = selectors.batch_record(user, batch)
        return dict(
            RetentionBatchDetailSerializer({"batch": batch, "items": items, "record": record}).data
        )

    @extend_schema(operation_id="retention_batches_list")
    def list(self, request: Request) -> Response:
        """Every batch, newest first, a page at a time."""
        user = _user(request)
        batches = self.paginate_queryset(selectors.batch_list(user)) or []
        return self.get_paginated_response(self.get_serializer(batches, many=True).data)

    @extend_schema(
        operation_id="retention_batches_retrieve", responses=RetentionBatchDetailSerializer
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        """One batch with its records and, once it has run, what the run did."""
        user = _user(request)
        return Response(self._detail(request, user, _id(pk, "batch")))

    @extend_schema(
        operation_id="retention_batches_create",
        request=BatchStartRequestSerializer,
        responses={201: RetentionBatchSerializer},
    )
    def create(self, request: Request) -> Response:
        """Start a batch: up to 200 of the kind's due records, oldest first. Records a
        legal hold stops are left out and shown as held."""
        user = _user(request)
        payload = BatchStartRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        batch = services.retention_batch_create(
            actor=user,
            record_class=payload.validated_data["record_class"],
            today=timezone.localdate(),
        )
        shown = selectors.batch_get_or_404(user, batch.pk)
        return Response(RetentionBatchSerializer(shown).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="retention_batches_approve",
        request=ApproveRequestSerializer,
        responses={200: RetentionBatchSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve a batch waiting for approval: OnePlan works through it in the
        background (follow ``job``). Legal holds are checked again when it runs."""
        user = _user(request)
        batch = selectors.batch_get_or_404(user, _id(pk, "batch"))
        payload = ApproveRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.retention_batch_approve(actor=user, batch=batch)
        shown = selectors.batch_get_or_404(user, batch.pk)
        return Response(RetentionBatchSerializer(shown).data)

    @extend_schema(
        operation_id="retention_batches_cancel",
        request=None,
        responses={200: RetentionBatchSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel a batch not yet approved: its records are due for review again."""
        user = _user(request)
        batch = selectors.batch_get_or_404(user, _id(pk, "batch"))
        services.retention_batch_cancel(actor=user, batch=batch)
        shown = selectors.batch_get_or_404(user, batch.pk)
        return Response(RetentionBatchSerializer(shown).data)


# --- Retention periods ---------------------------------------------------------------------


class RetentionPolicySerializer(TextLimitsMixin, serializers.ModelSerializer[RetentionPolicy]):
    record_class_label = serializers.CharField(source="get_record_class_display", read_only=True)
    counted_from = serializers.SerializerMethodField()
    years = serializers.IntegerField(
        min_value=1,
        max_value=MAX_YEARS,
        error_messages={
            "invalid": "Enter the number of years as a whole number, like 6",
            "min_value": f"Enter a number of years from 1 to {MAX_YEARS}",
            "max_value": f"Enter a number of years from 1 to {MAX_YEARS}",
        },
    )
    action = serializers.ChoiceField(
        choices=RetentionAction.choices,
        help_text="Families are always anonymised; feed records never matched may be deleted",
        error_messages={"invalid_choice": "Select what happens to the records"},
    )
    updated_by = serializers.SerializerMethodField()

    class Meta:
        model = RetentionPolicy
        fields = [
            "id",
            "record_class",
            "record_class_label",
            "counted_from",
            "years",
            "action",
            "source",
            "is_example",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = ["id", "record_class", "is_example", "updated_at"]
        # ``source`` is a serializer's own attribute: the field is set up here instead.
        extra_kwargs: dict[str, dict[str, Any]] = {
            "source": {
                "label": "Where the period comes from",
                "max_length": SOURCE_MAX,
                "help_text": "For example, the council's retention schedule, line 14",
            }
        }

    def get_counted_from(self, obj: RetentionPolicy) -> str:
        return COUNTED_FROM[RecordClass(obj.record_class)]

    def get_updated_by(self, obj: RetentionPolicy) -> str | None:
        return _username(obj.updated_by)


def _policy_etag(policy: RetentionPolicy) -> str:
    return etag_for(f"period{policy.pk}-", services.policy_version(policy))


class RetentionPeriodViewSet(viewsets.GenericViewSet[RetentionPolicy]):
    """How long each kind of record is kept before it is listed for review, and what
    happens to it then. A change takes effect at the next nightly listing."""

    access_rule = RULE
    queryset = RetentionPolicy.objects.none()
    serializer_class = RetentionPolicySerializer
    pagination_class = None
    filter_backends: list[Any] = []
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(operation_id="retention_periods_list")
    def list(self, request: Request) -> Response:
        """Every kind of record's period."""
        user = _user(request)
        return Response(self.get_serializer(selectors.policy_list(user), many=True).data)

    @extend_schema(operation_id="retention_periods_retrieve")
    def retrieve(self, request: Request, pk: str) -> Response:
        """One period, with its ETag for a change."""
        user = _user(request)
        policy = selectors.policy_get_or_404(user, _id(pk, "retention period"))
        return with_etag(RetentionPolicySerializer(policy).data, _policy_etag(policy))

    @extend_schema(
        operation_id="retention_periods_partial_update",
        request=RetentionPolicySerializer,
        parameters=[IF_MATCH],
        responses={
            200: RetentionPolicySerializer,
            412: OpenApiResponse(
                inline_serializer(
                    name="RetentionPeriodConflict",
                    fields={
                        "detail": serializers.CharField(),
                        "current": RetentionPolicySerializer(),
                    },
                ),
                "Someone changed the period after the version in If-Match: the period as "
                "it is now (its ETag in the ETag header)",
            ),
            428: PRECONDITION_REQUIRED,
        },
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change how long the records are kept, what happens to them, or where the
        period comes from. Saving confirms the period: it is no longer an example."""
        user = _user(request)
        policy = selectors.policy_get_or_404(user, _id(pk, "retention period"))
        expected = expected_version_from(request, f"period{policy.pk}-")
        payload = RetentionPolicySerializer(policy, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            changed = services.retention_policy_change(
                actor=user,
                policy=policy,
                years=data.get("years", policy.years),
                action=data.get("action", policy.action),
                source=data.get("source", policy.source),
                expected_version=expected,
            )
        except services.PolicyChanged as exc:
            current = exc.current
            return with_etag(
                {"detail": exc.message, "current": RetentionPolicySerializer(current).data},
                _policy_etag(current),
                status.HTTP_412_PRECONDITION_FAILED,
            )
        return with_etag(RetentionPolicySerializer(changed).data, _policy_etag(changed))


def register(router: BaseRouter) -> None:
    """Add retention's viewsets to the project's API router."""
    router.register("retention-reviews", RetentionReviewViewSet, basename="retention-reviews")
    router.register("retention-legal-holds", LegalHoldViewSet, basename="retention-legal-holds")
    router.register("retention-batches", RetentionBatchViewSet, basename="retention-batches")
    router.register("retention-periods", RetentionPeriodViewSet, basename="retention-periods")
