"""Matching quality on a few hundred made-up records whose true match is known.

Given a population imported from one agency, when another agency sends variants of
those people (nicknames, typing errors, swapped days and months, moves, missing
addresses, identifiers with wrong names) and new people (some of them twins, namesakes
and siblings of known people), then automatic links are almost always right and almost
every true match is either linked or waiting for review.
"""

from __future__ import annotations

import datetime

from agencies.services import system_actor
from conftest import World
from outcomes.matching.pipeline import sources_match
from tests.support.matching_synthetic import (
    known_people_load,
    population_generate,
    quality_measure,
    records_generate,
)

AS_OF = datetime.date(2025, 9, 1)


def test_automatic_links_are_precise_and_few_true_matches_are_missed(world: World) -> None:
    sources_match(
        actor=system_actor(),
        agency=world.council,
        submission=None,
        identities=population_generate(400, seed=3),
        as_of=AS_OF,
    )
    known = [p for p in known_people_load() if p.address_line_1]
    truth = records_generate(known, records=300, new_share=0.3, hard_share=0.4, seed=5)

    sources_match(
        actor=system_actor(),
        agency=world.police,
        submission=None,
        identities=[t.identity for t in truth],
        as_of=AS_OF,
    )
    report = quality_measure(world.police.pk, truth)

    assert report.true_matches >= 200
    assert report.auto_links >= 150
    assert report.precision >= 0.98, report
    assert report.recall_with_review >= 0.95, report
    # Not everything doubtful: the queue must stay usable.
    assert report.review_rate <= 0.25, report
