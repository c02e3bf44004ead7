"""The LCG dashboard's table rows, written in Python: a dashboard has about a thousand
figures, and the template language, one tag per cell, took longer to write them than
the database took to count them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


def _cell(column: Any, cell: Any, row: Any, list_url: str) -> SafeString:
    shown = cell.text or (str(cell.count) if cell.count is not None else "0")
    href = cell.url
    if href is None and cell.params is not None and cell.count:
        href = f"{list_url}?{cell.query}" if cell.query else list_url
    if href is None:
        content = format_html("{}", shown)
    else:
        content = format_html(
            '<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden">: {}, {}'
            "</span></a>",
            href,
            shown,
            row.label,
            column.label,
        )
    return format_html(
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="{}">{}</td>',
        column.label,
        content,
    )


@register.simple_tag
def dashboard_rows(lines: list[tuple[Any, list[tuple[Any, Any]]]], list_url: str) -> SafeString:
    """A ``<tr>`` per figure of a section (``Dashboard.tables``): its name as the row's
    header, then a cell per column, a link to the families behind it where there are
    any, named for screen readers by the figure and the column."""
    return format_html_join(
        "\n",
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th>{}</tr>',
        (
            (
                row.label,
                SafeString("".join(_cell(column, cell, row, list_url) for column, cell in pairs)),
            )
            for row, pairs in lines
        ),
    )
