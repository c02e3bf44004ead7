"""Reads for the evaluation extract: the log, and the extract's rows.

The rows hold only the fields of ``outcomes.extracts.rules.FIELDS``: pseudonyms, age
bands, codes and months. They are read set-based, ``CHUNK`` families at a time (a few
queries per chunk), so an extract of 100,000 families needs no more memory than one of
a hundred.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator, Sequence

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.models import AnyUser
from families.models import HouseholdMembership
from oneplan.jobs import Progress
from outcomes.extracts.access import LOG_DENIED, can_see_extract_log
from outcomes.extracts.models import ExtractLog
from outcomes.extracts.rules import FIELD_CODES, age_band, month_of, pseudonym
from outcomes.models import Attachment, Claim, ClaimStatus, Result
from plans.restricted import is_restricted_need

CHUNK = 500


def _require(user: AnyUser) -> None:
    if not can_see_extract_log(user):
        raise PermissionDenied(LOG_DENIED)


def extract_log_list(user: AnyUser) -> QuerySet[ExtractLog]:
    _require(user)
    return ExtractLog.objects.select_related("created_by", "job").order_by("-created_at", "-pk")


def extract_log_get_or_404(user: AnyUser, log_id: int) -> ExtractLog:
    _require(user)
    log = ExtractLog.objects.select_related("created_by", "job").filter(pk=log_id).first()
    if log is None:
        raise Http404("No such extract")
    return log


def _needs(entry_criteria: dict[str, object]) -> str:
    """The needs met at entry, by code, restricted needs left out."""
    met = [
        code
        for code, answer in sorted((entry_criteria or {}).items())
        if isinstance(answer, dict) and answer.get("met") and not is_restricted_need(code)
    ]
    return ";".join(met)


def extract_rows(
    *,
    fields: Sequence[str],
    key: bytes,
    reference_date: datetime.date,
    progress: Progress | None = None,
) -> Iterator[list[str]]:
    """A row per member of every attached family (members on the reference date),
    with ``fields`` only, in ``FIELD_CODES`` order."""
    chosen = [code for code in FIELD_CODES if code in set(fields)]
    family_ids = list(
        Attachment.objects.filter(attached_on__lte=reference_date)
        .order_by("family_id")
        .values_list("family_id", flat=True)
    )
    total = len(family_ids)
    if progress is not None:
        progress(0, total)
    for start in range(0, total, CHUNK):
        chunk = family_ids[start : start + CHUNK]
        attachments = {
            a.family_id: a
            for a in Attachment.objects.filter(family_id__in=chunk).select_related(
                "family", "family__lcg"
            )
        }
        results = {
            r.family_id: r
            for r in Result.objects.filter(family_id__in=chunk, is_current=True).only(
                "family_id", "route", "readiness"
            )
        }
        claims: dict[int, list[Claim]] = defaultdict(list)
        for claim in (
            Claim.objects.filter(family_id__in=chunk)
            .exclude(status=ClaimStatus.REMOVED)
            .order_by("claim_date", "pk")
            .only("family_id", "route", "status", "claim_date")
        ):
            claims[claim.family_id].append(claim)
        members = (
            HouseholdMembership.objects.filter(family_id__in=chunk, start_date__lte=reference_date)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=reference_date))
            .select_related("person")
            .only("family_id", "role", "person__id", "person__date_of_birth", "person__sex")
            .order_by("family_id", "person_id")
        )
        for member in members:
            attachment = attachments[member.family_id]
            family = attachment.family
            result = results.get(member.family_id)
            family_claims = claims.get(member.family_id, [])
            values = {
                "family": pseudonym(key, "family", member.family_id),
                "person": pseudonym(key, "person", member.person_id),
                "age_band": age_band(member.person.date_of_birth, reference_date),
                "sex": member.person.sex,
                "role": member.role,
                "lcg": family.lcg.name if family.lcg is not None else "",
                "track": family.track or "",
                "status": family.status,
                "framework": attachment.framework,
                "attached_month": month_of(attachment.attached_on),
                "needs_at_entry": _needs(attachment.entry_criteria),
                "results": f"{result.route or 'none'};{result.readiness}" if result else "",
                "claims": ";".join(f"{c.route}:{c.status}" for c in family_claims),
                "claim_month": month_of(family_claims[0].claim_date) if family_claims else "",
            }
            yield [values[code] for code in chosen]
        if progress is not None:
            progress(min(start + CHUNK, total), total)
