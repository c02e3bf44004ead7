"""Tables that fit every width: ``{% table_region %}`` wraps a table in its region.

    {% load govuk_tables %}
    {% table_region "Families you can see" stack=True %}
      <table class="govuk-table">...<td class="govuk-table__cell" data-label="LCG">...
    {% endtable_region %}

The region (``templates/govuk/table_region.html``) is where a table too wide for the
screen scrolls sideways, instead of the page: focusable and named, so keyboard and
screen reader users can find and scroll it (WCAG 2.2 reflow allows a data table to
scroll; axe asks a scrollable region to be focusable). On a screen wider than the page
the region first grows to the right, so no column is hidden there. ``stack=True`` turns
each row into a stacked summary on a phone, each cell headed by its ``data-label``
(give every data cell one: the column's header text, or "" for a column without a
visible header). Mark cells of typed text ``app-table__cell--long-text``. The styles
are the ``app-table-scroll`` block of static/scss/oneplan.scss.
"""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, Node, NodeList, Parser, Token, token_kwargs
from django.template.context import Context
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

OPTIONS = frozenset({"stack"})


class TableRegionNode(Node):
    def __init__(
        self, label: FilterExpression, options: dict[str, FilterExpression], nodelist: NodeList
    ) -> None:
        self.label = label
        self.options = options
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        # The table is rendered (and escaped) by its own template; the region adds markup.
        table = mark_safe(self.nodelist.render(context))  # noqa: S308
        values = {name: bool(value.resolve(context)) for name, value in self.options.items()}
        region = context.template.engine.get_template("govuk/table_region.html")  # type: ignore[union-attr]
        with context.push(
            label=self.label.resolve(context),
            table=table,
            stack=values.get("stack", False),
        ):
            return region.render(context)


@register.tag("table_region")
def table_region(parser: Parser, token: Token) -> TableRegionNode:
    """{% table_region label [stack=...] %} ... {% endtable_region %}"""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(
            'table_region needs the region\'s name: {% table_region "Families" %}'
        )
    label = parser.compile_filter(bits[1])
    options = token_kwargs(bits[2:], parser)
    if len(options) != len(bits) - 2 or not set(options) <= OPTIONS:
        raise template.TemplateSyntaxError(
            f"table_region takes a name and then only {', '.join(sorted(OPTIONS))} as name=value"
        )
    nodelist = parser.parse(("endtable_region",))
    parser.delete_first_token()
    return TableRegionNode(label, options, nodelist)


@register.filter
def nowrap_within(text: str, word: str) -> SafeString:
    """``text`` with ``word`` (a family reference, say) kept on one line, for table
    cells: 'Blackburn family, <span class="app-nowrap">F-000666</span>'. Both are
    escaped; with no ``word``, the text as it is."""
    escaped = conditional_escape(text)
    if not word:
        return mark_safe(escaped)  # noqa: S308 - escaped above
    kept = format_html('<span class="app-nowrap">{}</span>', word)
    return mark_safe(escaped.replace(conditional_escape(word), kept))  # noqa: S308 - escaped above
