"""The SVG of a chart of ``oneplan.charts`` (``templates/charts/_bar_chart.html``),
written in Python: a dashboard draws a dozen charts of up to a dozen bars, and the
template language, a tag per coordinate, took longer to write them than the figures
took to count."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from oneplan.charts import Chart

register = template.Library()

LABEL_CHARACTERS = 24


@register.simple_tag
def bar_chart_svg(chart: Chart, chart_id: str) -> SafeString:
    """The chart as an image named by its heading and its table's caption
    (``{chart_id}-title`` and ``{chart_id}-caption``): a bar per row, its label, its
    segments and its total. Coordinates are written as Python writes numbers, whatever
    the locale."""
    label_x = chart.label_width - 8
    parts = [
        f'<svg viewBox="0 0 {chart.width} {chart.height}" width="100%" '
        'font-family="arial, sans-serif" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-caption" '
        'focusable="false">'
    ]
    for bar in chart.bars:
        label = escape(Truncator(bar.label).chars(LABEL_CHARACTERS))
        parts.append(
            f'<text x="{label_x}" y="{bar.text_y}" text-anchor="end" font-size="16" '
            f'fill="#0b0c0c">{label}</text>'
        )
        parts.extend(
            f'<rect x="{segment.x}" y="{bar.y}" width="{segment.width}" height="24" '
            f'fill="{escape(segment.colour)}"/>'
            for segment in bar.segments
        )
        parts.append(
            f'<text x="{bar.value_x}" y="{bar.text_y}" font-size="16" '
            f'fill="#0b0c0c">{bar.total}</text>'
        )
    parts.append("</svg>")
    # Every value written above is a number of the chart or escaped here.
    return mark_safe("\n".join(parts))  # noqa: S308
