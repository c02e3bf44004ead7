"""Changing a framework's local rules: the tf2 Outcome Plan (DOMAIN.md 4.2) and the sf2022
outcomes framework under the ten headlines (DOMAIN.md 4.3), both "configurable as data".

One preview and one save for both, by framework code (``editable.EDITABLE`` lists which
frameworks have local rules). A change is previewed first, as a background job that
assesses every family under the version in use and under the edited one and writes
nothing; saving needs that finished preview of exactly the parameters being saved, and
makes a new ``FrameworkVersion`` that every family is then re-assessed under.

The parameters include the outcome measures (``results``), which the result rules read.
A family is judged under the version in force when it was attached (DOMAIN.md 4), so a
new version's measures apply to families attached from then on. The preview shows what
they would do by judging the families attached today, on today's evidence, with the
measures in use and with the edited ones (``results_compute_many`` with its
``results_parameters`` override): an estimate for the families to come, not a change to
the families already attached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from agencies.models import User
from families.models import Family
from oneplan.errors import ApplicationError
from oneplan.jobs import job_start
from oneplan.models import Job, JobStatus
from outcomes.assessment.access import can_edit_outcome_plan
from outcomes.assessment.editable import EditableFramework, editable_framework, results_json
from outcomes.assessment.selectors import FrameworkChooser
from outcomes.assessment.services import (
    ASSESSMENT_RUN_JOB,
    CHUNK_SIZE,
    Progress,
    families_load,
    framework_versions_current,
)
from outcomes.frameworks.base import CriteriaParameters
from outcomes.frameworks.registry import CRITERIA
from outcomes.frameworks.results import CLAIMABLE
from outcomes.frameworks.rules import FrameworkRules, rules_for
from outcomes.frameworks.types import ParameterError
from outcomes.models import Attachment, Framework, FrameworkVersion
from outcomes.results.services import results_compute_many

# ``Job.parameters["purpose"]`` of a preview (an ``ASSESSMENT_RUN_JOB``).
PREVIEW_PURPOSE: Final = "outcome_plan_preview"

_CURRENT = "identified by the current plan"
_EDITED = "identified by the edited plan"

# Attached families are judged for results in chunks of this many (each chunk twice: with
# the measures in use and with the edited ones).
RESULTS_CHUNK_SIZE: Final = 500
_RESULT_KEYS: Final = {
    "attached": "attached under this framework",
    "earlier_version": "attached under an earlier version",
    "current_met": "result met with the current measures",
    "edited_met": "result met with the edited measures",
    "current_claimable": "claimable with the current measures",
    "edited_claimable": "claimable with the edited measures",
    "newly_claimable": "newly claimable",
    "no_longer_claimable": "no longer claimable",
}


@dataclass
class ResultsPreview:
    """What edited outcome measures would change, on one date, for the families attached
    under the framework: how many have a result route met, and how many are claimable,
    with the measures of the version in use and with the edited ones (each family with
    its own attachment's eligibility rules and entry assessment). ``earlier_version``:
    how many were attached under an earlier version than the one in use; in real life
    every attached family keeps its own version's measures."""

    attached: int = 0
    earlier_version: int = 0
    current_met: int = 0
    edited_met: int = 0
    current_claimable: int = 0
    edited_claimable: int = 0
    newly_claimable: int = 0
    no_longer_claimable: int = 0


@dataclass
class PreviewCounts:
    """What an edited version would change on one date: families identified (eligible)
    under the version in use and under the edited one, and per criterion (problem or
    headline) how many families meet it under each. ``under_framework`` is how many of
    the families are assessed under this framework; the others' results do not change."""

    families: int = 0
    under_framework: int = 0
    current_eligible: int = 0
    edited_eligible: int = 0
    newly_identified: int = 0
    no_longer_identified: int = 0
    current_by_criterion: dict[str, int] = field(default_factory=dict)
    edited_by_criterion: dict[str, int] = field(default_factory=dict)
    # None when no family is attached under the framework: no results to compare.
    results: ResultsPreview | None = None

    def as_dict(self) -> dict[str, int]:
        """The job's counts, as the job page lists them."""
        counts = {
            "families": self.families,
            "assessed under this framework": self.under_framework,
            _CURRENT: self.current_eligible,
            _EDITED: self.edited_eligible,
            "newly identified": self.newly_identified,
            "no longer identified": self.no_longer_identified,
        }
        for code, count in self.current_by_criterion.items():
            counts[f"{code} {_CURRENT}"] = count
        for code, count in self.edited_by_criterion.items():
            counts[f"{code} {_EDITED}"] = count
        if self.results is not None:
            for name, key in _RESULT_KEYS.items():
                counts[key] = getattr(self.results, name)
        return counts

    @classmethod
    def from_dict(cls, counts: Mapping[str, int], framework: str) -> PreviewCounts:
        """A finished preview job's counts, read back (0 for anything missing)."""
        codes = [code for code, _ in CRITERIA[framework]]
        return cls(
            families=counts.get("families", 0),
            under_framework=counts.get("assessed under this framework", 0),
            current_eligible=counts.get(_CURRENT, 0),
            edited_eligible=counts.get(_EDITED, 0),
            newly_identified=counts.get("newly identified", 0),
            no_longer_identified=counts.get("no longer identified", 0),
            current_by_criterion={c: counts.get(f"{c} {_CURRENT}", 0) for c in codes},
            edited_by_criterion={c: counts.get(f"{c} {_EDITED}", 0) for c in codes},
            results=ResultsPreview(
                **{name: counts.get(key, 0) for name, key in _RESULT_KEYS.items()}
            )
            if _RESULT_KEYS["attached"] in counts
            else None,
        )


def _editable(framework: str) -> tuple[EditableFramework, FrameworkRules]:
    editor = editable_framework(framework)
    if editor is None:
        label = Framework(framework).label if framework in Framework.values else framework
        raise ApplicationError(f"{label} has no local rules to change")
    return editor, rules_for(framework)


def _parse(rules: FrameworkRules, parameters: Mapping[str, Any]) -> CriteriaParameters:
    """The eligibility rules of ``parameters``, and their outcome measures checked by the
    result rules."""
    try:
        parsed = rules.parse_parameters(parameters)
        results_json(rules.code, parameters)
    except ParameterError as exc:
        raise ApplicationError(str(exc)) from exc
    return parsed


def _version_parameters(
    rules: FrameworkRules, parameters: Mapping[str, Any], parsed: CriteriaParameters
) -> dict[str, Any]:
    """What a new version saves: the parameters as the rules read them back, the outcome
    measures too when given (without, the result rules' defaults apply), and whatever
    else the version holds (its result payments) as it is."""
    saved = {**parameters, **parsed.to_json()}
    if "results" in parameters:
        saved["results"] = results_json(rules.code, parameters)
    return saved


def outcome_plan_preview_start(
    *,
    actor: User,
    framework: str,
    parameters: Mapping[str, Any],
    based_on: int,
    as_of: date | None = None,
) -> Job:
    """Start the preview of an edited version of ``framework``'s local rules, started
    from version ``based_on``, as a background job (``outcome_plan_preview``) counting
    on ``as_of`` (today)."""
    editor, rules = _editable(framework)
    if not can_edit_outcome_plan(actor):
        raise ApplicationError(f"Only programme managers can preview {editor.name}")
    _parse(rules, parameters)
    return job_start(
        actor=actor,
        kind=ASSESSMENT_RUN_JOB,
        parameters={
            "purpose": PREVIEW_PURPOSE,
            "framework": framework,
            "parameters": dict(parameters),
            "as_of": (as_of or timezone.localdate()).isoformat(),
            "based_on": based_on,
        },
    )


def outcome_plan_preview(
    *,
    actor: User,
    framework: str,
    parameters: Mapping[str, Any],
    as_of: date,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
) -> PreviewCounts:
    """How many families an edited version of ``framework``'s local rules would identify,
    in all and under each criterion, against the version in use, over every family, on
    ``as_of``; and, over the families attached under ``framework``, how many would have
    a result met and be claimable with its outcome measures (``ResultsPreview``).
    Writes nothing. ``progress`` counts each family once for identification and each
    attached one once more for its results."""
    editor, rules = _editable(framework)
    if not can_edit_outcome_plan(actor):
        raise ApplicationError(f"Only programme managers can preview {editor.name}")
    edited = _parse(rules, parameters)
    latest = framework_versions_current()[framework]
    current = latest.parameters
    chooser = FrameworkChooser.load()
    lookback = min(edited.lookback_start(as_of), current.lookback_start(as_of))
    ids = list(Family.objects.order_by("pk").values_list("pk", flat=True))
    attached = list(
        Attachment.objects.filter(framework=framework)
        .order_by("family_id")
        .values_list("family_id", flat=True)
    )
    total = len(ids) + len(attached)
    codes = [code for code, _ in CRITERIA[framework]]
    counts = PreviewCounts(
        current_by_criterion=dict.fromkeys(codes, 0), edited_by_criterion=dict.fromkeys(codes, 0)
    )
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        for family in families_load(chunk, as_of=as_of, lookback_start=lookback).values():
            household = family.household
            before = rules.assess(household, current, as_of)
            after = rules.assess(household, edited, as_of)
            counts.families += 1
            counts.under_framework += chooser.for_family(family.attached_on, as_of) == framework
            counts.current_eligible += before.eligible
            counts.edited_eligible += after.eligible
            counts.newly_identified += after.eligible and not before.eligible
            counts.no_longer_identified += before.eligible and not after.eligible
            for result in before.criteria:
                counts.current_by_criterion[result.code] += result.met
            for result in after.criteria:
                counts.edited_by_criterion[result.code] += result.met
        if progress is not None:
            progress(min(start + chunk_size, len(ids)), total)
    if attached:
        counts.results = _results_preview(
            framework,
            attached,
            latest=latest.version,
            parameters=parameters,
            as_of=as_of,
            progress=(lambda done, _: progress(len(ids) + done, total)) if progress else None,
        )
    return counts


def _results_preview(
    framework: str,
    family_ids: list[int],
    *,
    latest: FrameworkVersion,
    parameters: Mapping[str, Any],
    as_of: date,
    progress: Progress | None = None,
) -> ResultsPreview:
    """The families ``family_ids``, attached under ``framework``, judged on ``as_of``
    with the outcome measures of ``latest`` (the version in use) and with those of
    ``parameters``, in chunks of ``RESULTS_CHUNK_SIZE``."""
    current = {framework: results_json(framework, latest.parameters)}
    edited = {framework: results_json(framework, parameters)}
    counts = ResultsPreview(
        attached=len(family_ids),
        earlier_version=Attachment.objects.filter(framework=framework)
        .exclude(framework_version=latest)
        .count(),
    )
    for start in range(0, len(family_ids), RESULTS_CHUNK_SIZE):
        chunk = family_ids[start : start + RESULTS_CHUNK_SIZE]
        families = list(Family.objects.filter(pk__in=chunk).order_by("pk"))
        before = results_compute_many(families, as_of=as_of, results_parameters=current)
        after = results_compute_many(families, as_of=as_of, results_parameters=edited)
        for family in families:
            then, now = before[family.pk], after[family.pk]
            # Attached after ``as_of``: no results yet, with either.
            if isinstance(then, ApplicationError) or isinstance(now, ApplicationError):
                continue
            was = then.readiness.status == CLAIMABLE
            will = now.readiness.status == CLAIMABLE
            counts.current_met += then.results.route is not None
            counts.edited_met += now.results.route is not None
            counts.current_claimable += was
            counts.edited_claimable += will
            counts.newly_claimable += will and not was
            counts.no_longer_claimable += was and not will
        if progress is not None:
            progress(min(start + RESULTS_CHUNK_SIZE, len(family_ids)), len(family_ids))
    return counts


@transaction.atomic
def outcome_plan_save(
    *,
    actor: User,
    framework: str,
    parameters: Mapping[str, Any],
    change_note: str,
    based_on: int,
    preview: Job | None,
) -> FrameworkVersion:
    """Save edited local rules of ``framework`` (tf2 or sf2022) as its new version, and
    queue every family for re-assessment under it (DOMAIN.md 4.2 and 4.3: the rules are
    data the programme manager edits).

    Saving needs ``preview``, a finished preview (``outcome_plan_preview`` as a job) of
    exactly these parameters of this framework, so nobody changes who is identified
    without first seeing by how much. ``based_on`` is the version the editor started
    from: if someone saved another version since, this one is refused rather than
    silently undoing their change."""
    editor, rules = _editable(framework)
    if not can_edit_outcome_plan(actor):
        raise ApplicationError(f"Only programme managers can change {editor.name}")
    note = change_note.strip()
    if not note:
        raise ApplicationError("Enter what changed and why", field="change_note")
    if (
        preview is None
        or preview.status != JobStatus.SUCCEEDED
        or preview.kind != ASSESSMENT_RUN_JOB
        or preview.parameters.get("purpose") != PREVIEW_PURPOSE
        or preview.parameters.get("framework") != framework
    ):
        raise ApplicationError(
            "Preview the changes, and wait for the preview to finish, before saving them"
        )
    if preview.parameters.get("parameters") != dict(parameters):
        raise ApplicationError(
            f"You changed {editor.name} after the preview. Preview it again before saving it"
        )
    parsed = _parse(rules, parameters)
    latest = (
        FrameworkVersion.objects.select_for_update()
        .filter(framework=framework)
        .order_by("-version")
        .first()
    )
    latest_number = latest.version if latest is not None else 0
    if latest_number != based_on:
        raise ApplicationError(
            f"Version {latest_number} was saved while you were editing. Start again from it."
        )
    version = FrameworkVersion.objects.create(
        framework=framework,
        version=latest_number + 1,
        parameters=_version_parameters(rules, parameters, parsed),
        change_note=note,
        created_by=actor,
        created_at=timezone.now(),
    )
    from outcomes.assessment.queue import assessment_queue_add_all

    assessment_queue_add_all()
    return version
