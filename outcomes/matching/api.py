"""REST API for the review queue and undoing links: the same selectors, policy and
services as the pages. Programme managers only; anyone else signed in gets 403."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import User
from audit.services import access_event_record, access_events_record_many
from oneplan.text_limits import TextLimitsMixin
from outcomes.matching import selectors, services
from outcomes.matching.access import can_review_matches
from outcomes.matching.scoring import FIELD_LABELS, outcome_level
from outcomes.models import MatchReview, SourcePerson

RULE = "programme managers only"


class SourceRecordSerializer(serializers.ModelSerializer[SourcePerson]):
    agency = serializers.CharField(source="agency.code")
    person = serializers.IntegerField(source="person_id", allow_null=True)

    class Meta:
        model = SourcePerson
        fields = [
            "id",
            "agency",
            "source_person_id",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "person",
            "match_method",
            "match_score",
            "match_fields",
            "linked_at",
        ]


class ReviewListSerializer(SourceRecordSerializer):
    best_score = serializers.FloatField()
    candidate_count = serializers.IntegerField()
    waiting_since = serializers.DateTimeField()

    class Meta(SourceRecordSerializer.Meta):
        fields = [
            *SourceRecordSerializer.Meta.fields,
            "best_score",
            "candidate_count",
            "waiting_since",
        ]


class FieldAgreementSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(help_text="given_name, family_name, date_of_birth, ...")
    name = serializers.CharField(help_text="The field's name in words")
    outcome = serializers.CharField(help_text="agrees, nickname, typo, day_month_swapped, ...")
    level = serializers.ChoiceField(choices=["agrees", "close", "differs", "missing"])


class CandidateSerializer(serializers.Serializer[Any]):
    review = serializers.IntegerField(help_text="The review to name when deciding")
    person = serializers.IntegerField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    sex = serializers.CharField()
    address = serializers.CharField(help_text="Withheld when it is a protected address")
    family = serializers.CharField(allow_null=True, help_text="Current family reference")
    score = serializers.FloatField()
    status = serializers.CharField()
    agreement = FieldAgreementSerializer(many=True)


class ReviewDetailSerializer(serializers.Serializer[Any]):
    record = SourceRecordSerializer()
    address = serializers.CharField(help_text="The record's address, or withheld")
    pending = serializers.BooleanField(help_text="True while waiting for a decision")
    candidates = CandidateSerializer(many=True)


class DecideSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    review = serializers.IntegerField(help_text="One of the record's pending reviews")
    same_person = serializers.BooleanField(
        help_text="True: the record is this review's candidate. False: it is none of its "
        "candidates, and becomes a new person."
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class UnlinkSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


def _detail(comparison: selectors.ReviewComparison) -> dict[str, Any]:
    return {
        "record": comparison.source,
        "address": comparison.source_address_text,
        "pending": comparison.pending,
        "candidates": [
            {
                "review": c.review.pk,
                "person": c.person.pk,
                "given_name": c.person.given_name,
                "family_name": c.person.family_name,
                "date_of_birth": c.person.date_of_birth,
                "sex": c.person.sex,
                "address": c.address_text,
                "family": c.family.reference if c.family else None,
                "score": c.review.score,
                "status": c.review.status,
                "agreement": [
                    {
                        "field": name,
                        "name": FIELD_LABELS.get(name, name),
                        "outcome": outcome,
                        "level": outcome_level(outcome).value,
                    }
                    for name, outcome in c.comparison.fields.items()
                ],
            }
            for c in comparison.candidates
        ],
    }


def _reviewer(request: Request) -> User:
    user = request.user
    if not isinstance(user, User) or not can_review_matches(user):
        raise PermissionDenied("Only programme managers decide matches")
    return user


class MatchReviewViewSet(viewsets.GenericViewSet[SourcePerson]):
    """Agency records waiting for a person to decide who they are. The id is the
    record's (SourcePerson) id."""

    access_rule = RULE
    queryset = SourcePerson.objects.none()
    serializer_class = ReviewListSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[SourcePerson]:
        return selectors.match_review_list_for_user(_reviewer(self.request))

    def list(self, request: Request) -> Response:
        user = _reviewer(request)
        page = self.paginate_queryset(self.get_queryset())
        shown = list(page or [])
        if shown:
            access_events_record_many(
                user=user,
                family_ids=selectors.candidate_family_ids([s.pk for s in shown]),
                object_type="match_review",
                request=request,
                detail={"api": True, "sources": [s.pk for s in shown]},
            )
        return self.get_paginated_response(ReviewListSerializer(shown, many=True).data)

    def _comparison(self, request: Request, pk: str) -> tuple[User, selectors.ReviewComparison]:
        user = _reviewer(request)
        source = selectors.match_review_source_get_for_user_or_404(user, int(pk))
        comparison = selectors.review_comparison(source, user)
        for candidate in comparison.candidates:
            access_event_record(
                user=user,
                action="api_read",
                object_type="person",
                object_id=str(candidate.person.pk),
                family_id=candidate.family.pk if candidate.family else None,
                family_reference=candidate.family.reference if candidate.family else "",
                purpose="Deciding a match in the review queue",
                request=request,
                detail={"source": source.pk},
            )
        return user, comparison

    @extend_schema(responses=ReviewDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        _, comparison = self._comparison(request, pk)
        return Response(ReviewDetailSerializer(_detail(comparison)).data)

    @extend_schema(request=DecideSerializer, responses=SourceRecordSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        """Decide: the same person as one candidate (link), or none of them (new person)."""
        user = _reviewer(request)
        source = selectors.match_review_source_get_for_user_or_404(user, int(pk))
        payload = DecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = MatchReview.objects.filter(
            pk=payload.validated_data["review"], source=source
        ).first()
        if review is None:
            raise ValidationError({"review": ["Name one of this record's reviews"]})
        decided = services.match_review_decide(
            actor=user,
            review=review,
            same_person=payload.validated_data["same_person"],
            note=payload.validated_data["note"],
        )
        return Response(SourceRecordSerializer(decided).data)


class SourcePersonViewSet(viewsets.GenericViewSet[SourcePerson]):
    """An agency's record of a person, as matched."""

    access_rule = RULE
    queryset = SourcePerson.objects.none()
    serializer_class = SourceRecordSerializer
    lookup_value_regex = "[0-9]+"

    @extend_schema(request=UnlinkSerializer, responses=SourceRecordSerializer)
    @action(detail=True, methods=["post"])
    def unlink(self, request: Request, pk: str) -> Response:
        """Undo a wrong link: the record becomes a new person, with its evidence."""
        user = _reviewer(request)
        source = selectors.linked_source_get_for_user_or_404(user, int(pk))
        payload = UnlinkSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        undone = services.source_link_undo(
            actor=user, source=source, reason=payload.validated_data["reason"]
        )
        return Response(SourceRecordSerializer(undone).data)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("match-reviews", MatchReviewViewSet, basename="match-review")
    router.register("source-people", SourcePersonViewSet, basename="source-person")
