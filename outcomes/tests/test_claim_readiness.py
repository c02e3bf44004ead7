"""The claim readiness list (page and API): every attached family's stored readiness,
counted and filtered, for those who read claims; reads are recorded; a bad filter is a
specific 400. Access by role is in the permission matrix (outcomes/tests/matrix.py)."""

from __future__ import annotations

import datetime
from html import unescape

from django.urls import reverse

from agencies.services import system_actor
from audit.models import AccessEvent
from conftest import World, client_for
from outcomes.results.evaluation import results_families_run
from outcomes.results.services import family_attach
from outcomes.tests.test_results_command import tf1_family  # noqa: F401 (fixture)

MET = datetime.date(2025, 9, 1)


def _evaluated(world: World) -> None:
    family_attach(
        actor=system_actor(),
        family=world.own_family,
        framework="tf1",
        attached_on=datetime.date(2024, 9, 1),
    )
    results_families_run(actor=system_actor(), family_ids=[world.own_family.pk], as_of=MET)


def test_the_list_counts_and_filters_families_by_readiness(tf1_family: World) -> None:  # noqa: F811
    client = client_for(tf1_family.programme_manager)
    url = reverse("outcomes:claim-readiness")
    empty = unescape(client.get(url).content.decode())
    assert "No families to show: no attached family has results stored yet" in empty

    _evaluated(tf1_family)
    reference = tf1_family.own_family.reference
    page = unescape(client.get(url).content.decode())
    assert f">{reference}<" in page
    assert "Showing 1 to 1 of 1 family" in page
    assert "latest: 1 September 2025" in page
    assert '>1<span class="govuk-visually-hidden"> claimable</span>' in page
    blocked = unescape(client.get(url, {"readiness": "blocked"}).content.decode())
    assert f">{reference}<" not in blocked and "with these filters" in blocked
    claimable = unescape(client.get(url, {"readiness": "claimable"}).content.decode())
    assert f">{reference}<" in claimable

    bad = client.get(url, {"readiness": "soon"})
    assert bad.status_code == 400
    assert "Select a valid choice" in unescape(bad.content.decode())

    # The page that showed the family, with its filter, is on the record.
    event = AccessEvent.objects.filter(
        object_type="claim_readiness", detail__filters={"readiness": "claimable"}
    ).get()
    assert event.user_id == tf1_family.programme_manager.user.pk
    assert event.detail["families"] == [tf1_family.own_family.pk]


def test_the_api_lists_the_same_families_with_filters(tf1_family: World) -> None:  # noqa: F811
    _evaluated(tf1_family)
    client = client_for(tf1_family.auditor)
    body = client.get("/api/claim-readiness/").json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["family"] == tf1_family.own_family.reference
    assert (row["framework"], row["route"], row["readiness"]) == ("tf1", "R3", "claimable")
    assert row["as_of"] == "2025-09-01" and row["valid_until"] >= "2025-09-01"
    assert client.get("/api/claim-readiness/", {"readiness": "at_risk"}).json()["count"] == 0
    refused = client.get("/api/claim-readiness/", {"framework": "tf9"})
    assert refused.status_code == 400
    assert "Choose one of tf1, tf2, sf2022" in refused.content.decode()
    assert AccessEvent.objects.filter(object_type="claim_readiness").exists()
