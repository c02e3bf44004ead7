"""{% table_region %}: a table in a focusable, named region that scrolls on its own
(oneplan/templatetags/govuk_tables.py); how it looks at each width is proved in
tests/test_layout_browser.py."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError

TABLE = '<table class="govuk-table"><tr><td data-label="Name">{{ name }}</td></tr></table>'


def render(source: str, **context: object) -> str:
    return Template("{% load govuk_tables %}" + source).render(Context(context))


def region_tag(html: str) -> str:
    match = re.search(r"<div [^>]*>", html)
    assert match is not None, html
    return match.group(0)


def test_the_table_sits_in_a_named_focusable_region() -> None:
    html = render(
        '{% table_region "Families you can see" %}' + TABLE + "{% endtable_region %}",
        name="Ashby",
    )
    assert region_tag(html) == (
        '<div class="app-table-scroll" role="region" aria-label="Families you can see" '
        'tabindex="0">'
    )
    assert '<td data-label="Name">Ashby</td>' in html
    assert html.rstrip().endswith("</table>\n</div>")


def test_stack_asks_for_the_stacked_summary_on_a_phone() -> None:
    html = render('{% table_region "Families" stack=True %}' + TABLE + "{% endtable_region %}")
    assert 'class="app-table-scroll app-table-scroll--stack"' in region_tag(html)


def test_the_name_can_come_from_the_page_and_is_escaped() -> None:
    html = render(
        '{% table_region "Actions for "|add:goal %}' + TABLE + "{% endtable_region %}",
        goal='School <every> day & "on time"',
        name="<b>Ashby</b>",
    )
    assert 'aria-label="Actions for School &lt;every&gt; day &amp; &quot;on time&quot;"' in (
        region_tag(html)
    )
    # The table's own variables are escaped by the table's template, once.
    assert '<td data-label="Name">&lt;b&gt;Ashby&lt;/b&gt;</td>' in html


@pytest.mark.parametrize(
    "source",
    [
        "{% table_region %}x{% endtable_region %}",
        '{% table_region "Families" wide=True %}x{% endtable_region %}',
        '{% table_region "Families" True %}x{% endtable_region %}',
    ],
)
def test_a_region_without_a_name_or_with_an_unknown_option_is_refused(source: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        render(source)
