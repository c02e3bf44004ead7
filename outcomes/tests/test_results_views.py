"""A family's results and claim readiness on its page and through the API: the same
selector, shown only once the family is attached."""

from __future__ import annotations

from django.urls import reverse

from conftest import World, client_for
from outcomes.tests.test_results_command import _run, tf1_family  # noqa: F401 (fixture)


def test_the_family_page_shows_results_only_once_attached(tf1_family: World) -> None:  # noqa: F811
    page = reverse("families:detail", args=[tf1_family.own_family.reference])
    client = client_for(tf1_family.keyworker)
    before = client.get(page).content.decode()
    assert "Results and claim readiness" not in before

    _run("attach", "--person", "DWP:D-1", "--framework", "tf1", "--on", "2024-09-01")
    html = client.get(page).content.decode()
    assert "Results and claim readiness" in html
    assert "Attached on 1 September 2024 under" in html
    # Today is long after 13 weeks in work from 6 January 2025: route R3.
    assert "Claimable" in html and "Route R3" in html
    for label in ("(R1)", "(R2)", "(R3)"):
        assert label in html


def test_the_api_gives_the_same_results(tf1_family: World) -> None:  # noqa: F811
    url = f"/api/family-results/{tf1_family.own_family.reference}/"
    client = client_for(tf1_family.coordinator)
    missing = client.get(url)
    assert missing.status_code == 404
    assert "not attached" in missing.json()["detail"]

    _run("attach", "--person", "DWP:D-1", "--framework", "tf1", "--on", "2024-09-01")
    data = client.get(url).json()
    assert (data["family"], data["framework"], data["attached_on"]) == (
        tf1_family.own_family.reference,
        "tf1",
        "2024-09-01",
    )
    assert (data["route"], data["readiness"], data["readiness_label"]) == (
        "R3",
        "claimable",
        "Claimable",
    )
    assert data["claimable_from"] == "2025-04-07"
    assert [c["code"] for c in data["checks"]] == ["R1", "R2", "R3"]
    r3 = data["checks"][2]
    assert (r3["met"], r3["status"], r3["restricted"]) == (True, "Met", False)
    assert r3["evidence"] and r3["evidence"][0]["kind"] == "employment"
