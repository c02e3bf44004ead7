"""REST API for reviews, agreements, case notes and the chronology of one family.

The same selectors, policy and services as the pages: a family outside the user's scope
answers 404, a write the user may not make answers 403 and changes nothing, and a
refused write answers 400 naming the field (``new_actions.0.due_on`` and so on).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import Agency, User
from audit.services import access_event_record
from families.access.access import can_view_families
from families.filters import query_parameters
from families.models import Family, Person
from families.selectors import family_get_for_user_or_404
from oneplan.text_limits import TextLimitsMixin, model_max_length
from plans.models import (
    Action,
    ActionStatus,
    Agreement,
    AgreementMethod,
    CaseNote,
    GoalRating,
    GoalRatingValue,
    Plan,
    Review,
)
from plans.plan.selectors import agreements_changed_since, plan_for_user_or_404
from plans.review import access, selectors, services
from plans.review.chronology import ChronologyEntry, chronology_for_user
from plans.review.filters import ChronologyParameters

REFERENCE = OpenApiParameter(
    "reference", str, OpenApiParameter.PATH, description="The family's reference"
)


def _name(user: User) -> str:
    return user.get_full_name() or user.username


# ---------------------------------------------------------------------------
# Serializers
# ---------------------------------------------------------------------------


class FamilyMemberRefSerializer(serializers.Serializer[Person]):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


class PlanReviewRatingSerializer(serializers.ModelSerializer[GoalRating]):
    goal_id = serializers.IntegerField()
    goal_title = serializers.CharField(source="goal.title")

    class Meta:
        model = GoalRating
        fields = ["goal_id", "goal_title", "rating", "comment"]


class PlanReviewActionSerializer(serializers.ModelSerializer[Action]):
    agency = serializers.CharField(source="agency.code", allow_null=True, default=None)
    family_member_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "goal_id",
            "description",
            "owner",
            "agency",
            "family_member_id",
            "due_on",
            "status",
        ]


class PlanReviewListSerializer(serializers.ModelSerializer[Review]):
    new_action_count = serializers.IntegerField()
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "held_on",
            "next_review_on",
            "summary",
            "new_action_count",
            "created_by",
            "created_at",
        ]

    def get_created_by(self, review: Review) -> str:
        return _name(review.created_by)


class PlanReviewDetailSerializer(serializers.Serializer[selectors.ReviewDetail]):
    id = serializers.IntegerField(source="review.pk")
    held_on = serializers.DateField(source="review.held_on")
    next_review_on = serializers.DateField(source="review.next_review_on")
    attendee_agencies = serializers.SerializerMethodField()
    attendee_members = serializers.SerializerMethodField()
    other_attendees = serializers.CharField(source="review.other_attendees")
    summary = serializers.CharField(source="review.summary")
    decisions = serializers.CharField(source="review.decisions")
    ratings = PlanReviewRatingSerializer(many=True)
    actions_created = PlanReviewActionSerializer(many=True)
    created_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="review.created_at")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_attendee_agencies(self, detail: selectors.ReviewDetail) -> list[str]:
        return [a.code for a in detail.review.attendee_agencies.all()]

    @extend_schema_field(FamilyMemberRefSerializer(many=True))
    def get_attendee_members(self, detail: selectors.ReviewDetail) -> list[dict[str, Any]]:
        return [{"id": p.pk, "name": p.full_name} for p in detail.review.attendee_members.all()]

    def get_created_by(self, detail: selectors.ReviewDetail) -> str:
        return _name(detail.review.created_by)


# Agency codes in request bodies (Agency.code's own limit).
AGENCY_CODE_MAX_LENGTH = model_max_length(Agency, "code")


class PlanReviewRatingInputSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    goal_id = serializers.IntegerField()
    rating = serializers.ChoiceField(choices=GoalRatingValue.choices)
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.TEXT_MAX_LENGTH
    )


class PlanReviewNewActionSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    goal_id = serializers.IntegerField()
    description = serializers.CharField(max_length=services.TEXT_MAX_LENGTH)
    due_on = serializers.DateField()
    agency = serializers.CharField(
        required=False,
        allow_null=True,
        default=None,
        max_length=AGENCY_CODE_MAX_LENGTH,
        help_text="Code of the agency that will do it; leave out for a family commitment",
    )
    family_member_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="For a family commitment: who in the family, if one person",
    )


class PlanReviewActionChangeSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    action_id = serializers.IntegerField()
    expected_version = serializers.IntegerField(
        help_text="The action's version you started from; a stale one is refused"
    )
    status = serializers.ChoiceField(
        choices=ActionStatus.choices, required=False, allow_blank=True, default=""
    )
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    # The review page's limit for the same answer.
    not_done_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )


class PlanReviewCreateSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    held_on = serializers.DateField()
    next_review_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Defaults to ONEPLAN_REVIEW_INTERVAL_WEEKS (6) weeks after held_on",
    )
    attendee_agencies = serializers.ListField(
        child=serializers.CharField(max_length=AGENCY_CODE_MAX_LENGTH),
        required=False,
        default=list,
        help_text="Agency codes",
    )
    attendee_members = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Ids of family members",
    )
    other_attendees = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500
    )
    summary = serializers.CharField(max_length=services.TEXT_MAX_LENGTH)
    decisions = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.TEXT_MAX_LENGTH
    )
    ratings = PlanReviewRatingInputSerializer(many=True, required=False, default=list)
    new_actions = PlanReviewNewActionSerializer(many=True, required=False, default=list)
    action_changes = PlanReviewActionChangeSerializer(many=True, required=False, default=list)


class PlanAgreementSerializer(serializers.ModelSerializer[Agreement]):
    signed_by = FamilyMemberRefSerializer(many=True)
    recorded_by = serializers.SerializerMethodField()
    changed_since = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "plan_version",
            "agreed_on",
            "method",
            "note",
            "signed_by",
            "recorded_by",
            "recorded_at",
            "changed_since",
        ]

    def get_recorded_by(self, agreement: Agreement) -> str:
        return _name(agreement.recorded_by)

    def get_changed_since(self, agreement: Agreement) -> bool:
        """True when what the family agreed to has changed since this agreement
        (``plans.plan.rules.changes_since_agreed``): progress, statuses, notes and
        reviews are not changes."""
        plan: Plan = self.context["plan"]
        answers: dict[int, bool] = self.context.setdefault("_changed_since", {})
        if agreement.pk not in answers:
            answers.update(
                agreements_changed_since(plan, list(Agreement.objects.filter(plan=plan)))
            )
        return answers[agreement.pk]


class PlanAgreementCreateSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    agreed_on = serializers.DateField()
    method = serializers.ChoiceField(choices=AgreementMethod.choices)
    signed_by = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the family members who agreed"
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.NOTE_MAX_LENGTH
    )
    expected_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The plan version the family was shown; refused if the plan changed since",
    )


class FamilyCaseNoteSerializer(serializers.ModelSerializer[CaseNote]):
    person = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()

    class Meta:
        model = CaseNote
        fields = ["id", "text", "person", "is_restricted", "author", "created_at"]

    @extend_schema_field(FamilyMemberRefSerializer(allow_null=True))
    def get_person(self, note: CaseNote) -> dict[str, Any] | None:
        person = note.person
        return {"id": person.pk, "name": person.full_name} if person else None

    def get_author(self, note: CaseNote) -> str:
        return _name(note.author)


class FamilyCaseNoteCreateSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    text = serializers.CharField(max_length=services.NOTE_MAX_LENGTH)
    person_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    is_restricted = serializers.BooleanField(required=False, default=False)


class FamilyChronologyEntrySerializer(serializers.Serializer[ChronologyEntry]):
    kind = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    date_only = serializers.BooleanField()
    title = serializers.CharField()
    detail = serializers.CharField()
    who = serializers.CharField()
    url = serializers.CharField(help_text="The page this entry is about, if any")
    is_restricted = serializers.BooleanField()


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------


class _FamilyScoped(viewsets.GenericViewSet[Any]):
    def _user(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        if not can_view_families(user):
            raise PermissionDenied("Your account does not give access to families")
        return user

    def _plan(self) -> tuple[User, Plan]:
        user = self._user()
        return user, plan_for_user_or_404(user, self.kwargs["reference"])

    def _family(self) -> tuple[User, Family]:
        user = self._user()
        return user, family_get_for_user_or_404(user, self.kwargs["reference"])

    def _record(self, user: User, family: Family, object_type: str, object_id: object) -> None:
        access_event_record(
            user=user,
            action="api_read",
            object_type=object_type,
            object_id=str(object_id),
            family_id=family.pk,
            family_reference=family.reference,
            request=self.request,
        )


@extend_schema(parameters=[REFERENCE])
class ReviewViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, _FamilyScoped
):
    """Team around the family meetings of one family's plan, newest first."""

    access_rule = (
        "read: anyone who can see the family's plan; record: the lead professional and "
        "the family's LCG coordinators (404 outside scope)"
    )
    queryset = Review.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "list":
            return PlanReviewListSerializer
        if self.action == "create":
            return PlanReviewCreateSerializer
        return PlanReviewDetailSerializer

    def get_queryset(self):
        user, plan = self._plan()
        self._record(user, plan.family, "reviews", plan.pk)
        return selectors.review_list_for_user(user, plan)

    @extend_schema(responses=PlanReviewDetailSerializer)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user, plan = self._plan()
        detail = selectors.review_get_for_user_or_404(user, plan, int(kwargs["pk"]))
        self._record(user, plan.family, "review", detail.review.pk)
        return Response(PlanReviewDetailSerializer(detail).data)

    @extend_schema(request=PlanReviewCreateSerializer, responses={201: PlanReviewDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user, plan = self._plan()
        if not access.can_record_review(user, plan.family):
            raise PermissionDenied("You cannot record reviews for this family")
        payload = PlanReviewCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        agencies = _agency_ids(data["attendee_agencies"], "attendee_agencies")
        new_actions = []
        for index, item in enumerate(data["new_actions"]):
            agency_id = None
            if item["agency"]:
                agency_id = _agency_ids([item["agency"]], f"new_actions.{index}.agency")[0]
            new_actions.append(
                services.NewActionInput(
                    goal_id=item["goal_id"],
                    description=item["description"],
                    due_on=item["due_on"],
                    agency_id=agency_id,
                    family_member_id=item["family_member_id"],
                )
            )
        review = services.review_record(
            actor=user,
            plan=plan,
            held_on=data["held_on"],
            next_review_on=data["next_review_on"],
            attendee_agency_ids=agencies,
            attendee_member_ids=data["attendee_members"],
            other_attendees=data["other_attendees"],
            summary=data["summary"],
            decisions=data["decisions"],
            ratings=[services.GoalRatingInput(**r) for r in data["ratings"]],
            new_actions=new_actions,
            action_changes=[services.ActionChangeInput(**c) for c in data["action_changes"]],
        )
        detail = selectors.review_get_for_user_or_404(user, plan, review.pk)
        return Response(PlanReviewDetailSerializer(detail).data, status=status.HTTP_201_CREATED)


def _agency_ids(codes: list[str], field: str) -> list[int]:
    found = dict(Agency.objects.filter(code__in=codes).values_list("code", "pk"))
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError({field: [f"No agency has the code {unknown[0]}"]})
    return [found[c] for c in codes]


@extend_schema(parameters=[REFERENCE])
class AgreementViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, _FamilyScoped):
    """The family's agreements to its plan, newest first. ``changed_since`` says whether
    what the family agreed to has changed since that agreement (progress, statuses,
    notes and reviews are not changes)."""

    access_rule = (
        "read: anyone who can see the family's plan; record: the lead professional and "
        "the family's LCG coordinators (404 outside scope)"
    )
    queryset = Agreement.objects.none()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return PlanAgreementCreateSerializer if self.action == "create" else PlanAgreementSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["plan"] = getattr(self, "_current_plan", None)
        return context

    def get_queryset(self):
        user, plan = self._plan()
        self._current_plan = plan
        self._record(user, plan.family, "agreements", plan.pk)
        return selectors.agreement_list_for_user(user, plan)

    @extend_schema(request=PlanAgreementCreateSerializer, responses={201: PlanAgreementSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user, plan = self._plan()
        if not access.can_agree_plan(user, plan.family):
            raise PermissionDenied("You cannot record agreement for this family")
        payload = PlanAgreementCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        agreement = services.agreement_record(
            actor=user,
            plan=plan,
            agreed_on=data["agreed_on"],
            method=data["method"],
            signed_by_ids=data["signed_by"],
            note=data["note"],
            expected_version=data["expected_version"],
        )
        plan.refresh_from_db(fields=["version", "status", "agreed_terms"])
        return Response(
            PlanAgreementSerializer(agreement, context={"plan": plan}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(parameters=[REFERENCE])
class CaseNoteViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, _FamilyScoped):
    """Notes on the family or its members, newest first. Restricted notes are listed
    only for users under the restricted-information rule; others never learn of them.
    Notes cannot be changed or deleted."""

    access_rule = (
        "read: anyone who can see the family; add: the lead professional, LCG coordinators "
        "and case workers of agencies working with the family (404 outside scope)"
    )
    queryset = CaseNote.objects.none()

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "create":
            return FamilyCaseNoteCreateSerializer
        return FamilyCaseNoteSerializer

    def get_queryset(self):
        user, family = self._family()
        self._record(user, family, "case_notes", family.pk)
        return selectors.case_note_list_for_user(user, family)

    @extend_schema(
        request=FamilyCaseNoteCreateSerializer, responses={201: FamilyCaseNoteSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user, family = self._family()
        if not access.can_add_case_note(user, family):
            raise PermissionDenied("You cannot add notes for this family")
        payload = FamilyCaseNoteCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        person = None
        if data["person_id"] is not None:
            people = selectors.family_people(family)
            person = next((p for p in people if p.pk == data["person_id"]), None)
            if person is None:
                raise ValidationError({"person_id": ["Select someone who is or was in the family"]})
        note = services.case_note_add(
            actor=user,
            family=family,
            text=data["text"],
            person=person,
            is_restricted=data["is_restricted"],
        )
        return Response(FamilyCaseNoteSerializer(note).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[REFERENCE])
class ChronologyViewSet(mixins.ListModelMixin, _FamilyScoped):
    """Everything that happened with the family, newest first, from every registered
    source. Restricted entries are left out for users outside the restricted rule."""

    access_rule = "anyone who can see the family; restricted entries follow the restricted rule"
    serializer_class = FamilyChronologyEntrySerializer
    queryset = CaseNote.objects.none()
    filterset_class = ChronologyParameters

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user, family = self._family()
        wanted = query_parameters(self)
        entries = chronology_for_user(
            user, family, kinds=wanted["kind"], since=wanted["since"], until=wanted["until"]
        )
        self._record(user, family, "chronology", family.pk)
        page = self.paginate_queryset(entries)
        shown: list[ChronologyEntry] = list(page) if page is not None else entries
        data = FamilyChronologyEntrySerializer(shown, many=True).data  # type: ignore[arg-type]
        return self.get_paginated_response(data) if page is not None else Response(data)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    family = r"families/(?P<reference>[^/.]+)"
    router.register(f"{family}/reviews", ReviewViewSet, basename="family-review")
    router.register(f"{family}/agreements", AgreementViewSet, basename="family-agreement")
    router.register(f"{family}/notes", CaseNoteViewSet, basename="family-case-note")
    router.register(f"{family}/chronology", ChronologyViewSet, basename="family-chronology")
