"""REST API for the daily work: the same selectors and rules as the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import User
from agencies.roles import Role
from audit.services import access_events_record_many
from families.access import staff_for
from families.models import Family
from plans.models import Action
from plans.work import access, selectors
from plans.work.forms import KEY_WORKER_OUTSIDE_SCOPE
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


class MyActionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Action]):
    """Your actions: your agency's actions in family plans that name you or no one,
    in families you may see. For agency practitioners and key workers."""

    access_rule = (
        "case workers (agency practitioners, family support workers): only their own "
        "agency's actions that name them or no one, in families they may see"
    )
    serializer_class = MyActionSerializer
    queryset = Action.objects.none()

    def _user(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        if not access.can_view_my_actions(user):
            raise PermissionDenied("My actions is for practitioners and key workers")
        return user

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_queryset(self) -> QuerySet[Action]:
        user = self._user()
        show = self.request.query_params.get("show", selectors.ActionShow.OPEN.value)
        if show not in {s.value for s in selectors.ActionShow}:
            raise ValidationError(
                {"show": [f"Choose one of: {', '.join(s.value for s in selectors.ActionShow)}"]}
            )
        return selectors.owned_action_list_for_user(
            user, show=selectors.ActionShow(show), today=timezone.localdate()
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "show",
                str,
                enum=[s.value for s in selectors.ActionShow],
                description=(
                    "overdue; due_soon (today to 7 days ahead); open (default); "
                    "done (completed in the last 14 days)"
                ),
            )
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        page = getattr(self.paginator, "page", None)
        shown: list[Action] = list(page.object_list) if page is not None else []
        _record(
            request,
            self._user(),
            [a.plan.family for a in shown],
            {"show": request.query_params.get("show", "open")},
        )
        return response


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


class MyFamilyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Family]):
    """Families you lead (or, for LCG coordinators, families led in your LCGs) with
    what needs attention, most attention first."""

    access_rule = (
        "lead professionals (their own families) and LCG coordinators (families led in "
        "the LCGs they coordinate, filterable by key worker)"
    )
    serializer_class = MyFamilySerializer
    queryset = Family.objects.none()

    def _user(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        if not access.can_view_my_families(user):
            raise PermissionDenied("My families is for key workers and LCG coordinators")
        return user

    def get_serializer_context(self) -> dict[str, Any]:
        # One clock reading per request, shared by the query and the flags' words.
        if not hasattr(self, "_now"):
            self._now = timezone.now()
        return {
            **super().get_serializer_context(),
            "today": timezone.localdate(self._now),
            "now": self._now,
        }

    def _filters(self, user: User) -> dict[str, Any]:
        params = self.request.query_params
        filters: dict[str, Any] = {
            "attention_only": params.get("attention", "").lower() in ("1", "true", "yes")
        }
        raw = params.get("key_worker", "")
        if raw:
            staff = staff_for(user)
            allowed = (
                {s.pk for s in selectors.key_worker_choices_for_user(user)}
                if staff is not None and staff.has_role(Role.LCG_COORDINATOR)
                else set()
            )
            if not raw.isdigit() or int(raw) not in allowed:
                raise ValidationError({"key_worker": [KEY_WORKER_OUTSIDE_SCOPE]})
            filters["key_worker_id"] = int(raw)
        return filters

    def get_queryset(self) -> QuerySet[Family]:
        user = self._user()
        context = self.get_serializer_context()
        return selectors.attention_family_list_for_user(
            user, today=context["today"], now=context["now"], **self._filters(user)
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "key_worker",
                int,
                description="Staff id of a lead professional (LCG coordinators only)",
            ),
            OpenApiParameter("attention", bool, description="Only families that need attention"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        page = getattr(self.paginator, "page", None)
        shown: list[Family] = list(page.object_list) if page is not None else []
        _record(request, self._user(), shown, dict(request.query_params.items()))
        return response


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("my-actions", MyActionViewSet, basename="my-action")
    router.register("my-families", MyFamilyViewSet, basename="my-family")
