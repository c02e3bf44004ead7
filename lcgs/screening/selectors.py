"""Reads for nominations and the screening list. Each takes the viewing user and returns
only what that user may see."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.http import Http404
from django.utils import timezone

from agencies.models import LCG, AnyUser, User
from agencies.roles import Role
from families.access.access import family_scope, staff_for
from families.models import Family
from families.selectors import family_list_for_user
from families.states import FamilyStatus
from lcgs.screening.access import can_screen, screening_scope
from outcomes.assessment.selectors import FrameworkChooser
from outcomes.frameworks.registry import CRITERIA, criterion_label
from outcomes.models import (
    Assessment,
    Framework,
    Nomination,
    NominationStatus,
)


class Source:
    """How a family came onto the screening list (the list's "source" filter)."""

    DATA = "data"
    NOMINATION = "nomination"
    BOTH = "both"
    CHOICES = (
        (DATA, "Agency data"),
        (NOMINATION, "Nomination"),
        (BOTH, "Both agency data and a nomination"),
    )


# ---------------------------------------------------------------------------
# Nominations
# ---------------------------------------------------------------------------


def with_criteria_labels(nominations: Iterable[Nomination]) -> list[Nomination]:
    """The nominations, each with ``criteria_labels`` (its criteria in words) for pages."""
    labelled = list(nominations)
    for nomination in labelled:
        nomination.criteria_labels = [  # type: ignore[attr-defined]
            criterion_label(nomination.framework, code) for code in nomination.criteria
        ]
    return labelled


def nomination_visible_q(user: AnyUser) -> Q:
    """Nominations ``user`` may see: their own, and those of families they screen.

    A nomination's reason is one agency's account of a family, so other professionals
    who merely see the family do not read it.
    """
    if not isinstance(user, User) or not user.is_authenticated:
        return Q(pk__in=[])
    screened = Family.objects.filter(screening_scope(user)).values("pk")
    return Q(nominated_by=user) | Q(family_id__in=screened)


def nomination_list_for_user(
    user: AnyUser, *, status: str = "", mine: bool = False
) -> QuerySet[Nomination]:
    """Nominations ``user`` may see, newest first, each knowing whether the user can
    open its family (``family_visible``) so lists link only where a link works."""
    nominations = Nomination.objects.filter(nomination_visible_q(user))
    if mine and isinstance(user, User):
        nominations = nominations.filter(nominated_by=user)
    if status:
        nominations = nominations.filter(status=status)
    return (
        nominations.select_related("family", "family__lcg", "agency", "nominated_by")
        .annotate(
            family_visible=Exists(
                Family.objects.filter(family_scope(user), pk=OuterRef("family_id"))
            )
        )
        .order_by("-created_at", "-pk")
    )


def nomination_get_for_user_or_404(user: AnyUser, nomination_id: int) -> Nomination:
    nomination = nomination_list_for_user(user).filter(pk=nomination_id).first()
    if nomination is None:
        raise Http404("No nomination found")
    return nomination


def nominations_for_family(user: AnyUser, family: Family) -> list[Nomination]:
    """The family's nominations ``user`` may see, newest first (family page panel)."""
    return with_criteria_labels(
        Nomination.objects.filter(nomination_visible_q(user), family=family)
        .select_related("agency", "nominated_by")
        .order_by("-created_at", "-pk")
    )


def criteria_choices(framework: str) -> list[tuple[str, str]]:
    """The criteria a nominator may tick under ``framework``, in the framework's order."""
    return list(CRITERIA.get(framework, []))


# ---------------------------------------------------------------------------
# The screening list
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionMark:
    code: str
    label: str
    from_data: bool
    nominated: bool


@dataclass(frozen=True)
class ScreeningEntry:
    """One family on the screening list, with why it is there."""

    family: Family
    main_carer: str | None
    framework: str
    assessment: Assessment | None
    nominations: list[Nomination]
    since: datetime.datetime

    @property
    def framework_label(self) -> str:
        return Framework(self.framework).label

    @property
    def problem_count(self) -> int:
        return len(CRITERIA.get(self.framework, []))

    @property
    def how_identified(self) -> list[str]:
        """ "Agency data: 3 of 6 problems", "Nominated by Hampshire Constabulary"."""
        lines: list[str] = []
        if self.assessment is not None:
            lines.append(
                f"Agency data: {self.assessment.met_count} of {self.problem_count} problems"
            )
        agencies = dict.fromkeys(n.agency.name for n in self.nominations)
        lines.extend(f"Nominated by {name}" for name in agencies)
        return lines

    @property
    def source(self) -> str:
        if self.assessment is not None and self.nominations:
            return Source.BOTH
        return Source.DATA if self.assessment is not None else Source.NOMINATION

    @property
    def criteria(self) -> list[CriterionMark]:
        """Every criterion the data found or a nominator believes applies, in the
        framework's order. Labels only: the reasons, some of which rest on restricted
        information, are on the screening page under the family's own permissions."""
        met: set[str] = set()
        if self.assessment is not None:
            met = {
                code
                for code, item in (self.assessment.criteria or {}).items()
                if isinstance(item, dict) and item.get("met")
            }
        nominated = {code for n in self.nominations for code in n.criteria}
        codes = [code for code, _ in CRITERIA.get(self.framework, [])]
        codes += sorted((met | nominated) - set(codes))
        return [
            CriterionMark(
                code, criterion_label(self.framework, code), code in met, code in nominated
            )
            for code in codes
            if code in met or code in nominated
        ]


def _framework_on_screening_day() -> Case:
    """The framework in force on the row's ``screening_day``, in SQL: the assessment's
    own chooser (``FrameworkChooser``) written as a CASE over its periods."""
    return FrameworkChooser.load().on_in_sql("screening_day")


def _eligible_assessments() -> QuerySet[Assessment]:
    return Assessment.objects.filter(is_current=True, eligible=True)


def _open_nominations() -> QuerySet[Nomination]:
    return Nomination.objects.filter(status=NominationStatus.OPEN)


def screening_list_for_user(
    user: AnyUser,
    *,
    lcg_id: int | None = None,
    unassigned: bool = False,
    source: str = "",
    reference: str = "",
) -> QuerySet[Family]:
    """Identified families that ``user`` screens and that are waiting for it: a current
    eligible assessment under the framework that applies to them (found in agencies'
    data), an open nomination, or both. Longest waiting first.

    A constant number of queries whatever the page size: the flags and dates are
    annotations, and assessments and nominations come in one prefetch each. Turn rows
    into ``ScreeningEntry`` with ``screening_entries``.
    """
    today = timezone.localdate()
    families = family_list_for_user(
        user, status=FamilyStatus.IDENTIFIED, lcg_id=lcg_id, unassigned=unassigned
    ).filter(screening_scope(user))
    if reference:
        families = families.filter(reference=reference)
    eligible = _eligible_assessments().filter(
        family=OuterRef("pk"), framework=OuterRef("screening_framework")
    )
    nominated = _open_nominations().filter(family=OuterRef("pk"))
    first_eligible = (
        Assessment.objects.filter(
            family=OuterRef("pk"), framework=OuterRef("screening_framework"), eligible=True
        )
        .order_by("assessed_at")
        .values("assessed_at")[:1]
    )
    first_nomination = nominated.order_by("created_at").values("created_at")[:1]
    families = families.annotate(
        screening_day=Coalesce("attached_on", Value(today)),
        screening_framework=_framework_on_screening_day(),
        has_data=Exists(eligible),
        has_nomination=Exists(nominated),
    )
    if source == Source.DATA:
        families = families.filter(has_data=True)
    elif source == Source.NOMINATION:
        families = families.filter(has_nomination=True)
    elif source == Source.BOTH:
        families = families.filter(has_data=True, has_nomination=True)
    else:
        families = families.filter(Q(has_data=True) | Q(has_nomination=True))
    # On the list from the first eligible assessment since the family was (re)identified,
    # or from its first open nomination, whichever came first (LEAST skips NULLs).
    data_since = Case(
        When(
            has_data=Value(True, output_field=BooleanField()),
            then=Greatest("status_changed_at", Subquery(first_eligible)),
        ),
        default=None,
        output_field=DateTimeField(),
    )
    return (
        families.annotate(
            since=Coalesce(
                Least(data_since, Subquery(first_nomination)),
                "status_changed_at",
                output_field=DateTimeField(),
            )
        )
        .prefetch_related(
            Prefetch("assessments", queryset=_eligible_assessments(), to_attr="eligible_now"),
            Prefetch(
                "nominations",
                queryset=_open_nominations()
                .select_related("agency", "nominated_by")
                .order_by("created_at", "pk"),
                to_attr="open_nominations",
            ),
        )
        .order_by("since", "reference")
    )


def screening_entries(families: Iterable[Family]) -> list[ScreeningEntry]:
    """Rows of ``screening_list_for_user`` as entries (no queries: all prefetched)."""
    entries: list[ScreeningEntry] = []
    for family in families:
        framework: str = getattr(family, "screening_framework", Framework.TF1.value)
        assessment = next(
            (a for a in getattr(family, "eligible_now", []) if a.framework == framework), None
        )
        entries.append(
            ScreeningEntry(
                family=family,
                main_carer=getattr(family, "main_carer", None),
                framework=framework,
                assessment=assessment,
                nominations=with_criteria_labels(getattr(family, "open_nominations", [])),
                since=getattr(family, "since", family.status_changed_at),
            )
        )
    return entries


def screening_entry_get_for_user_or_404(user: AnyUser, reference: str) -> ScreeningEntry:
    """The family with this reference if it is on ``user``'s screening list; 404
    otherwise (not theirs, not waiting for screening, or no such family)."""
    entries = screening_entries(screening_list_for_user(user, reference=reference))
    if not entries:
        raise Http404("No family waiting for screening")
    return entries[0]


def screening_lcgs_for_user(user: AnyUser) -> list[LCG]:
    """The LCGs whose families ``user`` screens, for the list's filter."""
    staff = staff_for(user)
    if staff is None or not can_screen(user):
        return []
    if staff.has_role(Role.PROGRAMME_MANAGER):
        return list(LCG.objects.order_by("name"))
    return list(
        LCG.objects.filter(memberships__staff=staff, memberships__is_coordinator=True)
        .distinct()
        .order_by("name")
    )


def screens_unassigned(user: AnyUser) -> bool:
    """Families outside every LCG wait on the programme manager's list (DOMAIN.md 3)."""
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.PROGRAMME_MANAGER)
