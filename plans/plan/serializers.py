"""How plans, needs, goals, actions, progress notes and versions look in the API (the
shapes the OpenAPI schema publishes)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers

from agencies.models import Agency, Staff, User
from families.access.access import family_permissions, family_scope, staff_for
from families.models import Family, Person
from oneplan.api_errors import ErrorDetailSerializer
from oneplan.text_limits import TextLimitsMixin, model_max_length
from plans.models import (
    Action,
    ActionProgressNote,
    Goal,
    Need,
    Plan,
    PlanVersion,
)
from plans.plan import rules, selectors
from plans.plan.access import action_updatable
from plans.plan.forms import TEXT_MAX
from plans.restricted import is_restricted_need

# ---------------------------------------------------------------------------
# Serializers
# ---------------------------------------------------------------------------


# Serializer context: the viewer's permissions by family id, worked out once a request.
FAMILY_PERMISSIONS = "family_permissions"
MEMBERS_MESSAGE = "Select people who are in the family now"
NEEDS_MESSAGE = "Select needs of this family"


def ids_field(queryset: QuerySet[Any], message: str, **kwargs: Any) -> Any:
    """A field of ids that answers a missing id, a malformed one and (through the service)
    another family's with the same message, so a reply never tells them apart."""
    return serializers.PrimaryKeyRelatedField(
        queryset=queryset,
        error_messages={"does_not_exist": message, "incorrect_type": message},
        **kwargs,
    )


class PlanNeedSerializer(TextLimitsMixin, serializers.ModelSerializer[Need]):
    family = serializers.CharField(source="family.reference", read_only=True)
    kind = serializers.ChoiceField(
        choices=rules.NEED_KINDS,
        write_only=True,
        required=False,
        help_text="When adding a need found during the work: its headline, or other",
    )
    members = ids_field(Person.objects.all(), MEMBERS_MESSAGE, many=True, required=False)
    is_closed = serializers.BooleanField(
        write_only=True, required=False, help_text="Close (true) or re-open (false)"
    )
    restricted = serializers.SerializerMethodField()

    class Meta:
        model = Need
        fields = [
            "id",
            "family",
            "code",
            "kind",
            "label",
            "detail",
            "source",
            "framework",
            "members",
            "identified_on",
            "closed_on",
            "is_closed",
            "restricted",
        ]
        read_only_fields = ["code", "source", "framework", "identified_on", "closed_on"]
        extra_kwargs = {"label": {"required": False}, "detail": {"max_length": TEXT_MAX}}

    def get_restricted(self, need: Need) -> bool:
        return is_restricted_need(need.code)


class PlanProgressNoteSerializer(TextLimitsMixin, serializers.ModelSerializer[ActionProgressNote]):
    author = serializers.SerializerMethodField()

    class Meta:
        model = ActionProgressNote
        fields = ["id", "text", "author", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"text": {"max_length": TEXT_MAX}}

    def get_author(self, note: ActionProgressNote) -> str:
        return note.author.get_full_name() or note.author.username


@extend_schema_field(OpenApiTypes.STR)
class NamedUserField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: User) -> str:
        return value.get_full_name() or value.username


class PlanActionSerializer(TextLimitsMixin, serializers.ModelSerializer[Action]):
    family = serializers.CharField(source="plan.family.reference", read_only=True)
    goal = ids_field(Goal.objects.none(), "Select a goal in this plan")
    agency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    practitioner = ids_field(
        Staff.objects.all(), "Select a practitioner", required=False, allow_null=True
    )
    family_member = ids_field(
        Person.objects.all(),
        "Select someone who is in the family now",
        required=False,
        allow_null=True,
    )
    updated_by = NamedUserField()
    can_update = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "family",
            "goal",
            "description",
            "owner",
            "agency",
            "practitioner",
            "family_member",
            "due_on",
            "status",
            "not_done_reason",
            "completed_on",
            "version",
            "updated_by",
            "updated_at",
            "can_update",
        ]
        read_only_fields = ["completed_on", "version", "updated_at"]
        extra_kwargs = {
            "description": {"max_length": TEXT_MAX},
            "not_done_reason": {"max_length": TEXT_MAX},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            field = self.fields["goal"]
            assert isinstance(field, serializers.PrimaryKeyRelatedField)
            field.queryset = Goal.objects.filter(
                plan__family__in=Family.objects.filter(family_scope(request.user))
            )

    def get_can_update(self, item: Action) -> bool:
        # ``can_update_action``, asking for the viewer's permissions once per family
        # (a view that has them already puts them in the context).
        user = self.context["request"].user
        known: dict[int, frozenset[str]] = self.context.setdefault(FAMILY_PERMISSIONS, {})
        family_id = item.plan.family_id
        if family_id not in known:
            known[family_id] = family_permissions(user, item.plan.family)
        return action_updatable(staff_for(user), known[family_id], item)


class PlanGoalSerializer(TextLimitsMixin, serializers.ModelSerializer[Goal]):
    family = serializers.CharField(source="plan.family.reference", read_only=True)
    needs = ids_field(Need.objects.all(), NEEDS_MESSAGE, many=True, required=False)
    members = ids_field(Person.objects.all(), MEMBERS_MESSAGE, many=True, required=False)
    updated_by = NamedUserField()
    actions = PlanActionSerializer(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = [
            "id",
            "family",
            "title",
            "description",
            "status",
            "position",
            "needs",
            "members",
            "version",
            "updated_by",
            "updated_at",
            "actions",
        ]
        read_only_fields = ["position", "version", "updated_at"]
        extra_kwargs = {"title": {"required": False}, "description": {"max_length": TEXT_MAX}}


class PlanAgreementStateSerializer(serializers.Serializer[Any]):
    """Where the plan stands with the family: the same answer as the plan page's."""

    status = serializers.ChoiceField(
        choices=[s.value for s in rules.AgreementStatus],
        help_text="draft: never agreed; agreed: as the family last agreed it; changed: "
        "what the family agreed to has changed since (progress, statuses, notes and "
        "reviews are not changes)",
    )
    agreed_on = serializers.DateField(allow_null=True)
    agreed_version = serializers.IntegerField(allow_null=True)
    changes = serializers.ListField(
        child=serializers.CharField(),
        help_text="What changed since the family agreed it, one line per change",
    )
    restricted_changes_hidden = serializers.IntegerField(
        help_text="Changes to restricted information left out because you cannot see it"
    )


class PlanSerializer(TextLimitsMixin, serializers.ModelSerializer[Plan]):
    family = serializers.CharField(source="family.reference", read_only=True)
    updated_by = NamedUserField()
    agreement = serializers.SerializerMethodField()
    needs = serializers.SerializerMethodField()
    goals = serializers.SerializerMethodField()
    needs_without_goal = serializers.SerializerMethodField(
        help_text="Ids of open needs no open goal covers (the plan cannot be agreed yet)"
    )
    restricted_needs_hidden = serializers.SerializerMethodField(
        help_text="How many restricted needs are left out because you cannot see them"
    )

    class Meta:
        model = Plan
        fields = [
            "family",
            "status",
            "agreement",
            "version",
            "working_well",
            "worries",
            "family_wants",
            "next_review_on",
            "updated_by",
            "updated_at",
            "needs",
            "goals",
            "needs_without_goal",
            "restricted_needs_hidden",
        ]
        read_only_fields = ["status", "version", "next_review_on", "updated_at"]
        extra_kwargs = {
            "working_well": {"max_length": TEXT_MAX},
            "worries": {"max_length": TEXT_MAX},
            "family_wants": {"max_length": TEXT_MAX},
        }

    def _page(self, plan: Plan) -> selectors.PlanPage:
        cache: dict[int, selectors.PlanPage] = self.context.setdefault("_pages", {})
        if plan.pk not in cache:
            known: dict[int, frozenset[str]] = self.context.setdefault(FAMILY_PERMISSIONS, {})
            cache[plan.pk] = selectors.plan_page_for_user(
                self.context["request"].user, plan.family, known.get(plan.family_id)
            )
        return cache[plan.pk]

    @extend_schema_field(PlanAgreementStateSerializer)
    def get_agreement(self, plan: Plan) -> dict[str, Any]:
        agreement = selectors.plan_agreement_for_user(plan, self._page(plan).content)
        latest = agreement.latest
        return {
            "status": agreement.status.value,
            "agreed_on": latest.agreed_on.isoformat() if latest else None,
            "agreed_version": latest.plan_version if latest else None,
            "changes": agreement.changes.in_words,
            "restricted_changes_hidden": agreement.changes.hidden,
        }

    @extend_schema_field(PlanNeedSerializer(many=True))
    def get_needs(self, plan: Plan) -> Any:
        page = self._page(plan)
        return PlanNeedSerializer([*page.needs, *page.closed_needs], many=True).data

    @extend_schema_field(PlanGoalSerializer(many=True))
    def get_goals(self, plan: Plan) -> Any:
        page = self._page(plan)
        goals = []
        for row in page.goals:
            data = dict(PlanGoalSerializer(row.goal, context=self.context).data)
            visible = {n.pk for n in row.needs}
            data["needs"] = [n for n in data["needs"] if n in visible]
            goals.append(data)
        return goals

    def get_needs_without_goal(self, plan: Plan) -> list[int]:
        return [n.pk for n in self._page(plan).uncovered]

    def get_restricted_needs_hidden(self, plan: Plan) -> int:
        return self._page(plan).hidden_restricted


class PlanStartSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    family = serializers.CharField(
        max_length=model_max_length(Family, "reference"),
        help_text="The family's reference, like F-000123",
    )


class PlanVersionSummarySerializer(serializers.ModelSerializer[PlanVersion]):
    created_by = NamedUserField()

    class Meta:
        model = PlanVersion
        fields = ["number", "summary", "created_by", "created_at"]


class PlanVersionDetailSerializer(serializers.ModelSerializer[PlanVersion]):
    created_by = NamedUserField()
    snapshot = serializers.JSONField(
        help_text="The whole plan as it stood; restricted needs are left out unless you "
        "can see restricted information"
    )

    class Meta:
        model = PlanVersion
        fields = ["number", "summary", "created_by", "created_at", "snapshot"]


def conflict_serializer(name: str, current: serializers.Serializer[Any]) -> Any:
    return OpenApiResponse(
        inline_serializer(
            name=name,
            fields={
                "detail": serializers.CharField(),
                "changed_by": serializers.CharField(),
                "changed_at": serializers.DateTimeField(),
                "current": current,
            },
        ),
        "Someone else saved it after the version in If-Match: the current version (its "
        "ETag in the ETag header), who changed it and when",
    )


PRECONDITION_REQUIRED = OpenApiResponse(ErrorDetailSerializer, "No If-Match header was sent")
