"""Journey: a programme manager reads the programme dashboard.

They open the dashboard for the year in progress, follow the "families attached" figure
of an LCG to the families behind it, come back and download the "By LCG" table as CSV;
every page passes axe in real Chromium.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from families.models import Track
from outcomes.tests import reporting_support as make
from tests.browser import assert_accessible
from tests.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_programme_manager_follows_a_figure_to_its_families_and_downloads_a_table(
    live_server: LiveServer, world: World, page: Page
) -> None:
    # Given two families of Winchester attached today, one of them on the local track.
    today = timezone.localdate()
    local = make.family(world.winchester, track=Track.LOCAL, identified=today)
    make.attach(local, today)
    make.attach(world.own_family, today)
    base = live_server.url

    # The programme manager opens the dashboard.
    sign_in(page, base, "pm")
    page.goto(f"{base}/programme/")
    expect(page.get_by_role("heading", name="Programme dashboard", level=1)).to_be_visible()
    assert_accessible(page)

    # Winchester's families attached: 2, a link to the families behind it.
    by_lcg = page.get_by_role("table", name=re.compile("^Families by LCG"))
    row = by_lcg.get_by_role("row", name=re.compile(f"^{world.winchester.name}"))
    row.get_by_role("link", name=re.compile(r"^2\W+families attached")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Families attached")
    expect(page.get_by_text("2 families")).to_be_visible()
    expect(page.get_by_role("link", name=local.reference)).to_be_visible()
    expect(page.get_by_role("link", name=world.own_family.reference)).to_be_visible()
    assert_accessible(page)

    # Back on the dashboard, the "By LCG" table downloads as CSV with the same figures.
    page.get_by_role("link", name="Back to the programme dashboard").click()
    links = page.get_by_role("link", name="Download this table (CSV)")
    with page.expect_download() as download:
        links.nth(1).click()
    content = download.value.path().read_bytes().decode("utf-8-sig")
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(content))}
    assert rows["LCG"][:2] == ["Families identified", "Families attached"]
    assert rows[world.winchester.name][1] == "2"
    assert rows["All families"][1] == "2"
