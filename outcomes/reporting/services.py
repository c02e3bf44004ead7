"""Programme reporting's writes (docs/programme-reporting.md, docs/quarterly-return.md):
a programme manager sets a financial year's targets and changes them, and saves the
quarterly return's column layouts. Every write is kept by the models' history triggers,
naming who made it (``records_actor``)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import User
from audit.history import records_actor
from oneplan.errors import ApplicationError
from outcomes.money.rules import FIRST_YEAR, financial_year_label, financial_year_of
from outcomes.reporting.access import (
    CHANGE_DENIED,
    RETURN_DENIED,
    can_change_programme_targets,
    can_make_quarterly_return,
)
from outcomes.reporting.models import ProgrammeTarget, QuarterlyReturnPreset
from outcomes.reporting.quarterly import columns_checked
from outcomes.reporting.rules import FIGURE_KEYS, FIGURES_BY_KEY

# Far above any council's year (Hampshire's phase 2 target was 5,540 families in all).
TARGET_MAX = 1_000_000
SOURCE_MAX = 200
PRESET_NAME_MAX = 100


def _require(actor: User) -> None:
    if not can_change_programme_targets(actor):
        raise PermissionDenied(CHANGE_DENIED)


def _year_checked(financial_year: int, today: datetime.date) -> int:
    last = financial_year_of(today) + 1
    if not FIRST_YEAR <= financial_year <= last:
        raise ApplicationError(
            f"The financial year must be from {FIRST_YEAR} to {last}", field="financial_year"
        )
    return financial_year


def _targets_checked(targets: Mapping[str, int | None]) -> dict[str, int | None]:
    unknown = set(targets) - set(FIGURE_KEYS)
    if unknown:
        raise ApplicationError(f"There is no figure {sorted(unknown)[0]!r}")
    checked: dict[str, int | None] = {}
    for key in FIGURE_KEYS:
        value = targets.get(key)
        what = FIGURES_BY_KEY[key].label.lower()
        if value is not None and value < 0:
            raise ApplicationError(f"The target for {what} cannot be negative", field=key)
        if value is not None and value > TARGET_MAX:
            raise ApplicationError(
                f"Enter a target for {what} of {TARGET_MAX:,} or fewer", field=key
            )
        checked[key] = value
    if all(value is None for value in checked.values()):
        raise ApplicationError("Enter a target for at least one figure", field=FIGURE_KEYS[0])
    return checked


def _source_checked(source: str) -> str:
    source = source.strip()
    if not source:
        raise ApplicationError("Enter where the targets come from", field="source")
    if len(source) > SOURCE_MAX:
        raise ApplicationError(
            f"Where the targets come from must be {SOURCE_MAX} characters or fewer",
            field="source",
        )
    return source


class TargetChanged(ApplicationError):
    """Someone saved the year's targets after the version the caller read."""

    def __init__(self, current: ProgrammeTarget) -> None:
        super().__init__(
            f"Someone changed the targets for {financial_year_label(current.financial_year)} "
            "after you read them: read them again, then make your change"
        )
        self.current = current


@records_actor
@transaction.atomic
def programme_target_set(
    *,
    actor: User,
    financial_year: int,
    targets: Mapping[str, int | None],
    source: str,
    today: datetime.date,
    expected_version: int | None = None,
    new_only: bool = False,
) -> ProgrammeTarget:
    """Set the programme's targets for a financial year (up to next year, ahead of its
    start), or change them when set; the figures they replace stay in the history.
    ``targets``: a target (or None, no target) per figure of the dashboard.
    ``expected_version``: the version the caller read (the API's If-Match);
    ``TargetChanged`` when someone saved since. ``new_only``: refuse a year whose
    targets are set (the API's POST; a change is a PATCH with If-Match)."""
    _require(actor)
    year = _year_checked(financial_year, today)
    checked = _targets_checked(targets)
    source = _source_checked(source)
    now = timezone.now()
    target = ProgrammeTarget.objects.select_for_update().filter(financial_year=year).first()
    if target is None:
        if expected_version is not None:
            raise ApplicationError(f"No targets are set for {financial_year_label(year)}")
        try:
            with transaction.atomic():
                return ProgrammeTarget.objects.create(
                    financial_year=year, source=source, updated_by=actor, updated_at=now, **checked
                )
        except IntegrityError:
            # Someone set the year's first targets at the same moment: change theirs.
            target = ProgrammeTarget.objects.select_for_update().get(financial_year=year)
    if new_only:
        raise ApplicationError(
            f"Targets for {financial_year_label(year)} are already set: change them instead",
            field="financial_year",
        )
    if expected_version is not None and target.version != expected_version:
        raise TargetChanged(target)
    if all(getattr(target, key) == value for key, value in checked.items()) and (
        target.source == source
    ):
        return target
    for key, value in checked.items():
        setattr(target, key, value)
    target.source, target.updated_by, target.updated_at = source, actor, now
    target.version += 1
    target.save()
    return target


# --- The quarterly return's saved layouts ------------------------------------------------


@records_actor
@transaction.atomic
def quarterly_return_preset_save(
    *, actor: User, name: str, columns: Sequence[str]
) -> QuarterlyReturnPreset:
    """Save a choice of the return's columns (``quarterly.COLUMNS`` keys, in the order
    the file has them) under ``name``; saving under a name already used replaces that
    layout (the old one stays in the history)."""
    if not can_make_quarterly_return(actor):
        raise PermissionDenied(RETURN_DENIED)
    name = " ".join(name.split())
    if not name:
        raise ApplicationError("Enter a name for the layout", field="preset_name")
    if len(name) > PRESET_NAME_MAX:
        raise ApplicationError(
            f"The layout's name must be {PRESET_NAME_MAX} characters or fewer",
            field="preset_name",
        )
    chosen = columns_checked(columns)
    preset, _ = QuarterlyReturnPreset.objects.select_for_update().get_or_create(
        name=name, defaults={"columns": chosen, "updated_by": actor, "updated_at": timezone.now()}
    )
    if preset.columns != chosen:
        preset.columns, preset.updated_by, preset.updated_at = chosen, actor, timezone.now()
        preset.save(update_fields=["columns", "updated_by", "updated_at"])
    return preset
