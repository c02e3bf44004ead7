"""REST API for the daily work: the same selectors and rules as the pages."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import User
from agencies.request_user import request_user_or_403
from audit.services import access_events_record_many
from families.filters import query_parameters
from families.models import Family
from plans.models import Action
from plans.work import access, selectors
from plans.work.filters import MyActionParameters, MyFamilyFilter, action_show
from plans.work.rules import FlagColour, PlanState, action_due
from plans.work.views import action_update_url


def _record(request: Request, user: User, families: list[Family], filters: dict[str, Any]) -> None:
    seen: dict[int, str] = {}
    for family in families:
        seen.setdefault(family.pk, family.reference)
    if seen:
        access_events_record_many(
            user=user,
            family_ids=list(seen),
            family_references=list(seen.values()),
            filters=filters,
            request=request,
            detail={"api": True},
        )


_M = TypeVar("_M", bound=Model)


class _OwnWorkViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[_M]):
    """A list of the caller's own work, for the roles its policy lets in (403 for the
    rest); the families on the page answered are recorded as seen."""

    def _user(self) -> User:
        raise NotImplementedError

    def _families(self, shown: list[_M]) -> list[Family]:
        raise NotImplementedError

    def _filters(self, request: Request) -> dict[str, Any]:
        raise NotImplementedError

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        page = getattr(self.paginator, "page", None)
        shown: list[_M] = list(page.object_list) if page is not None else []
        _record(request, self._user(), self._families(shown), self._filters(request))
        return response


class MyActionSerializer(serializers.ModelSerializer[Action]):
    family_reference = serializers.CharField(source="plan.family.reference")
    goal = serializers.CharField(source="goal.title")
    agency = serializers.CharField(source="agency.code")
    practitioner = serializers.CharField(
        source="practitioner.display_name", allow_null=True, default=None
    )
    overdue = serializers.SerializerMethodField()
    update_url = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "family_reference",
            "goal",
            "description",
            "agency",
            "practitioner",
            "due_on",
            "status",
            "completed_on",
            "overdue",
            "version",
            "update_url",
        ]

    def get_overdue(self, action: Action) -> bool:
        if action.status not in selectors.OPEN_STATUS_VALUES:
            return False
        return action_due(action.due_on, self.context["today"]) == "overdue"

    def get_update_url(self, action: Action) -> str:
        """The page where the action is updated."""
        return action_update_url(action)


class MyActionViewSet(_OwnWorkViewSet[Action]):
    """Your actions: your agency's actions in family plans that name you or no one,
    in families you may see. For agency practitioners and key workers."""

    access_rule = (
        "case workers (agency practitioners, family support workers): only their own "
        "agency's actions that name them or no one, in families they may see"
    )
    serializer_class = MyActionSerializer
    queryset = Action.objects.none()
    filterset_class = MyActionParameters

    def _user(self) -> User:
        return request_user_or_403(
            self.request,
            access.can_view_my_actions,
            "My actions is for practitioners and key workers",
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_queryset(self) -> QuerySet[Action]:
        user = self._user()
        self._show = action_show(query_parameters(self))
        return selectors.owned_action_list_for_user(
            user, show=self._show, today=timezone.localdate()
        )

    def _families(self, shown: list[Action]) -> list[Family]:
        return [a.plan.family for a in shown]

    def _filters(self, request: Request) -> dict[str, Any]:
        return {"show": self._show.value}


class AttentionFlagSerializer(serializers.Serializer[Any]):
    # Plain strings, not enums: a schema enum named after a common field name ("key")
    # would collide with other areas' enums of the same name.
    key = serializers.CharField(
        help_text="overdue_actions, review, plan, drift or needs_without_goal"
    )
    text = serializers.CharField(help_text="What needs attention, in words")
    colour = serializers.CharField(
        help_text="The GOV.UK tag colour: " + ", ".join(c.value for c in FlagColour)
    )


class MyFamilySerializer(serializers.ModelSerializer[Family]):
    lcg = serializers.CharField(source="lcg.code", allow_null=True, default=None)
    lead_professional = serializers.CharField(source="lead_professional.display_name")
    lead_professional_id = serializers.IntegerField()
    overdue_actions = serializers.IntegerField(help_text="Open actions past their due date")
    next_review_on = serializers.SerializerMethodField()
    plan_state = serializers.ChoiceField(
        choices=[s.value for s in PlanState],
        help_text="none: no plan; draft: never agreed; changed: changed since the family "
        "agreed it; agreed",
    )
    last_activity_at = serializers.DateTimeField(
        allow_null=True,
        help_text="Latest change to the plan, progress note, review or action update",
    )
    needs_without_goal = serializers.IntegerField(
        help_text="Open needs with family members that no open goal works on"
    )
    attention = serializers.IntegerField(help_text="How many of the flags are raised")
    flags = serializers.SerializerMethodField()

    class Meta:
        model = Family
        fields = [
            "reference",
            "status",
            "lcg",
            "lead_professional",
            "lead_professional_id",
            "overdue_actions",
            "next_review_on",
            "plan_state",
            "last_activity_at",
            "needs_without_goal",
            "attention",
            "flags",
        ]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_next_review_on(self, family: Family) -> Any:
        return selectors.attention_facts(family).next_review_on

    @extend_schema_field(AttentionFlagSerializer(many=True))
    def get_flags(self, family: Family) -> list[dict[str, str]]:
        flags = selectors.family_attention_flags(
            family, today=self.context["today"], now=self.context["now"]
        )
        return [{"key": f.key, "text": f.text, "colour": f.colour.value} for f in flags]


class MyFamilyViewSet(_OwnWorkViewSet[Family]):
    """Families you lead (or, for LCG coordinators, families led in your LCGs) with
    what needs attention, most attention first."""

    access_rule = (
        "lead professionals (their own families) and LCG coordinators (families led in "
        "the LCGs they coordinate, filterable by key worker)"
    )
    serializer_class = MyFamilySerializer
    queryset = Family.objects.none()
    filterset_class = MyFamilyFilter

    def _user(self) -> User:
        return request_user_or_403(
            self.request,
            access.can_view_my_families,
            "My families is for key workers and LCG coordinators",
        )

    def get_serializer_context(self) -> dict[str, Any]:
        # One clock reading per request, shared by the query and the flags' words.
        if not hasattr(self, "_now"):
            self._now = timezone.now()
        return {
            **super().get_serializer_context(),
            "today": timezone.localdate(self._now),
            "now": self._now,
        }

    def get_queryset(self) -> QuerySet[Family]:
        user = self._user()
        context = self.get_serializer_context()
        # Narrowed by MyFamilyFilter (filterset_class).
        return selectors.attention_family_list_for_user(
            user, today=context["today"], now=context["now"]
        )

    def _families(self, shown: list[Family]) -> list[Family]:
        return shown

    def _filters(self, request: Request) -> dict[str, Any]:
        return dict(request.query_params.items())


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("my-actions", MyActionViewSet, basename="my-action")
    router.register("my-families", MyFamilyViewSet, basename="my-family")
