"""The LCG dashboard's table rows, written in Python: a dashboard has about a thousand
figures, and the template language, one tag per cell, took longer to write them than
the database took to count them. Each label is escaped once (a row's for its cells, a
column's for its rows), and each cell is one string format."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_LINK = (
    '<a class="govuk-link" href="{href}">{shown}<span class="govuk-visually-hidden">: '
    "{row}, {column}</span></a>"
)
_CELL = (
    '<td class="govuk-table__cell govuk-table__cell--numeric" data-label="{column}">{content}</td>'
)
_ROW = (
    '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{row}</th>'
    "{cells}</tr>"
)


def _cell(column: str, cell: Any, row: str, list_url: str) -> str:
    """A ``<td>``; ``column`` and ``row`` are escaped labels."""
    shown = escape(cell.text or (str(cell.count) if cell.count is not None else "0"))
    href = cell.url
    if href is None and cell.params is not None and cell.count:
        query = cell.query
        href = f"{list_url}?{query}" if query else list_url
    if href is None:
        return _CELL.format(column=column, content=shown)
    link = _LINK.format(href=escape(href), shown=shown, row=row, column=column)
    return _CELL.format(column=column, content=link)


@register.simple_tag
def dashboard_rows(lines: list[tuple[Any, list[tuple[Any, Any]]]], list_url: str) -> SafeString:
    """A ``<tr>`` per figure of a section (``Dashboard.tables``): its name as the row's
    header, then a cell per column, a link to the families behind it where there are
    any, named for screen readers by the figure and the column."""
    columns: dict[int, str] = {}
    written = []
    for row, pairs in lines:
        label = escape(row.label)
        cells = []
        for column, cell in pairs:
            name = columns.get(id(column))
            if name is None:
                name = columns[id(column)] = escape(column.label)
            cells.append(_cell(name, cell, label, list_url))
        written.append(_ROW.format(row=label, cells="".join(cells)))
    # Every value above is escaped; the markup around them is this module's own.
    return mark_safe("\n".join(written))  # noqa: S308
