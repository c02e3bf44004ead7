"""A family's results and claim readiness as one user may see them: the one function the
family page's panel and the API call (``results_view_for_user``).

A result is restricted information when it is about a need that reveals domestic abuse,
health or substance use (``plans.restricted``), or rests on restricted evidence
(``outcomes.assessment.selectors.evidence_restricted``). Someone without the family's
restricted-information permission sees that such a result is met or not, as the
eligibility panel shows a restricted criterion, but not its reasons or evidence; nor the
words other results quote from it (sf2022's "sustained" names each need's outcome as
"<need>: <what was found>"), which are replaced by ``QUOTE_WITHHELD``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from agencies.models import AnyUser
from families.access.perms import VIEW_RESTRICTED
from families.models import Family
from oneplan.errors import ApplicationError
from outcomes.assessment.selectors import (
    EvidenceLine,
    evidence_line,
    evidence_restricted,
    evidence_rows,
)
from outcomes.frameworks.results import AT_RISK, BLOCKED, CLAIMABLE, NOT_YET
from outcomes.models import Attachment, Framework
from outcomes.results.services import results_compute
from plans.restricted import is_restricted_need

QUOTE_WITHHELD = "Detail withheld: it is about restricted information"
READINESS_LABELS = {
    CLAIMABLE: "Claimable",
    AT_RISK: "At risk",
    BLOCKED: "Blocked",
    NOT_YET: "Not yet",
}


@dataclass(frozen=True)
class ResultCheckView:
    code: str
    label: str
    met: bool
    relevant: bool
    # About restricted information this user may not see: no reasons or evidence given.
    restricted: bool
    recorded: bool
    reasons: list[str]
    evidence: list[EvidenceLine]

    @property
    def status(self) -> str:
        if not self.relevant:
            return "Not relevant"
        words = "Met" if self.met else "Not met"
        return f"{words} (restricted information)" if self.restricted else words


@dataclass(frozen=True)
class ResultsView:
    family_reference: str
    framework: str
    framework_label: str
    version: int
    attached_on: date
    as_of: date
    eligible_at_entry: bool
    route: str | None
    readiness: str
    readiness_label: str
    readiness_reasons: list[str]
    claimable_from: date | None
    checks: list[ResultCheckView] = field(default_factory=list)


def results_view_for_user(
    user: AnyUser, family: Family, permissions: frozenset[str], *, as_of: date | None = None
) -> ResultsView | None:
    """The family's results on ``as_of`` (default today) as ``user`` may see them; None
    when the family is not attached to the programme. The caller has checked that the
    user may see the family; ``permissions`` are theirs on it."""
    if not Attachment.objects.filter(family=family).exists():
        return None
    day = as_of or timezone.localdate()
    try:
        computed = results_compute(family=family, as_of=day)
    except ApplicationError:
        return None
    results, readiness = computed.results, computed.readiness
    rows = evidence_rows(e for check in results.checks for e in check.evidence)
    sees_restricted = VIEW_RESTRICTED in permissions
    hidden_codes = {
        check.code
        for check in results.checks
        if not sees_restricted
        and (is_restricted_need(check.code) or evidence_restricted(check.evidence, rows))
    }
    # "<label>:" opens a quotation of that result's findings in another result's words.
    quoted = tuple(f"{c.label}:" for c in results.checks if c.code in hidden_codes)

    def shown(reasons: tuple[str, ...]) -> list[str]:
        return [QUOTE_WITHHELD if any(q in r for q in quoted) else r for r in reasons]

    checks = []
    for check in results.checks:
        hidden = check.code in hidden_codes
        checks.append(
            ResultCheckView(
                code=check.code,
                label=check.label,
                met=check.met,
                relevant=check.relevant,
                restricted=hidden,
                recorded=check.recorded,
                reasons=[] if hidden else shown(check.reasons),
                evidence=[]
                if hidden
                else sorted(
                    (evidence_line(rows[e]) for e in check.evidence if e in rows),
                    key=lambda line: (line.date, line.id),
                    reverse=True,
                ),
            )
        )
    return ResultsView(
        family_reference=family.reference,
        framework=results.framework,
        framework_label=Framework(results.framework).label,
        version=computed.attachment.framework_version.version,
        attached_on=results.attached_on,
        as_of=day,
        eligible_at_entry=results.eligible_at_entry,
        route=results.route,
        readiness=readiness.status,
        readiness_label=READINESS_LABELS[readiness.status],
        readiness_reasons=shown(readiness.reasons),
        claimable_from=readiness.claimable_from,
        checks=checks,
    )
