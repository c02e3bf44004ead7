"""Evidence snapshots of claims (DOMAIN.md 5) and their replay. Pure: no ORM, no clock.

A snapshot holds everything a framework's result rules read, as they were when the claim
was made: the framework version's parameters, the entry assessment, the programme's
conditions, the household and every evidence row's values, the dates, and the decision
the rules made. ``snapshot_hash`` is its SHA-256 over a canonical JSON form, so any
change to a stored snapshot shows. ``snapshot_replay`` runs the version's rules again on
the snapshot alone: the live parameters and data may have changed since, and the replay
must still give the frozen decision.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from outcomes.frameworks.results import (
    Entry,
    Programme,
    RecordedOutcome,
    Results,
    readiness,
)
from outcomes.frameworks.rules import result_rules_for, rules_for
from outcomes.frameworks.types import Fact, Household, Member

SNAPSHOT_FORMAT = 1


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _plain(value: Any) -> Any:
    """Evidence data as JSON holds it (dates as ISO strings)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def decision_json(results: Results) -> dict[str, Any]:
    """What the rules decided: each result met or not, the route and the readiness."""
    return {
        "checks": {c.code: {"met": c.met, "relevant": c.relevant} for c in results.checks},
        "route": results.route,
        "achieved_on": _day(results.achieved_on),
        "readiness": readiness(results).status,
    }


def snapshot_json(
    *,
    framework: str,
    version: int,
    version_parameters: Mapping[str, Any],
    household: Household,
    entry: Entry,
    programme: Programme,
    attached_on: datetime.date,
    as_of: datetime.date,
    results: Results,
) -> dict[str, Any]:
    return {
        "format": SNAPSHOT_FORMAT,
        "framework": framework,
        "version": version,
        "parameters": _plain(version_parameters),
        "attached_on": attached_on.isoformat(),
        "as_of": as_of.isoformat(),
        "entry": entry.to_json(),
        "programme": {
            "whole_family_assessment": programme.whole_family_assessment,
            "plan_covers_all_members": programme.plan_covers_all_members,
            "plan_covers_all_needs": programme.plan_covers_all_needs,
            "key_worker": programme.key_worker,
            "closed_on": _day(programme.closed_on),
            "added": list(programme.added),
            "recorded": {
                code: {
                    "positive": r.positive,
                    "recorded_on": r.recorded_on.isoformat(),
                    "reason": r.reason,
                }
                for code, r in programme.recorded.items()
            },
        },
        "members": [
            {
                "person_id": m.person_id,
                "given_name": m.given_name,
                "date_of_birth": m.date_of_birth.isoformat(),
                "start_date": _day(m.start_date),
                "end_date": _day(m.end_date),
            }
            for m in household.members
        ],
        "evidence": [
            {
                "id": f.id,
                "person_id": f.person_id,
                "kind": f.kind,
                "date": f.date.isoformat(),
                "end_date": _day(f.end_date),
                "data": _plain(f.data),
            }
            for f in sorted(household.facts, key=lambda f: f.id)
        ],
        "decision": decision_json(results),
    }


def snapshot_hash(snapshot: Mapping[str, Any]) -> str:
    """SHA-256 of the snapshot's canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Replay:
    """A replay's decision beside the frozen one."""

    frozen: Mapping[str, Any]
    replayed: Mapping[str, Any]

    @property
    def same(self) -> bool:
        return dict(self.frozen) == dict(self.replayed)


def snapshot_replay(snapshot: Mapping[str, Any]) -> Replay:
    """Run the snapshot's framework version's rules again on the snapshot alone."""
    framework = str(snapshot["framework"])
    parameters = snapshot["parameters"]
    criteria = rules_for(framework).parse_parameters(parameters)
    result_rules = result_rules_for(framework)
    result_parameters = result_rules.parse_parameters(parameters.get("results"))
    household = Household(
        members=tuple(
            Member(
                int(m["person_id"]),
                str(m["given_name"]),
                datetime.date.fromisoformat(m["date_of_birth"]),
                _date(m["start_date"]),
                _date(m["end_date"]),
            )
            for m in snapshot["members"]
        ),
        facts=tuple(
            Fact(
                int(e["id"]),
                int(e["person_id"]),
                str(e["kind"]),
                datetime.date.fromisoformat(e["date"]),
                _date(e["end_date"]),
                MappingProxyType(dict(e["data"])),
            )
            for e in snapshot["evidence"]
        ),
    )
    raw = snapshot["programme"]
    programme = Programme(
        whole_family_assessment=bool(raw["whole_family_assessment"]),
        plan_covers_all_members=bool(raw["plan_covers_all_members"]),
        plan_covers_all_needs=bool(raw["plan_covers_all_needs"]),
        key_worker=bool(raw["key_worker"]),
        closed_on=_date(raw["closed_on"]),
        added=tuple(raw["added"]),
        recorded=MappingProxyType(
            {
                code: RecordedOutcome(
                    code,
                    bool(r["positive"]),
                    datetime.date.fromisoformat(r["recorded_on"]),
                    str(r["reason"]),
                )
                for code, r in raw["recorded"].items()
            }
        ),
    )
    results = result_rules.results(
        household,
        criteria,
        result_parameters,
        entry=Entry.from_json(snapshot["entry"]),
        programme=programme,
        attached_on=datetime.date.fromisoformat(snapshot["attached_on"]),
        as_of=datetime.date.fromisoformat(snapshot["as_of"]),
    )
    return Replay(frozen=snapshot["decision"], replayed=decision_json(results))
