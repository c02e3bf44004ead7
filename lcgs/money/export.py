"""The grant statement as files (CSV and XLSX): the summary (a row per LCG and the
total) or the families behind each line. Written by the project's one table writer
(``oneplan.spreadsheets``), so no cell runs as a formula and numbers stay numbers.
Small (a year's families of the LCGs the viewer sees): made in the request."""

from __future__ import annotations

from collections.abc import Sequence

from agencies.models import LCG, AnyUser
from lcgs.money import selectors
from lcgs.money.rules import StatementRow
from oneplan.spreadsheets import Cell, Column, table_csv, table_xlsx

SUMMARY, FAMILIES = "summary", "families"
CSV, XLSX = "csv", "xlsx"
EXPORTS = {(table, file_format) for table in (SUMMARY, FAMILIES) for file_format in (CSV, XLSX)}
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

SUMMARY_COLUMNS = (
    Column("LCG"),
    Column("Families taken on (local track)", "number"),
    Column("Grant (£)", "amount"),
    Column("Results (claims accepted)", "number"),
    Column("Reward (£)", "amount"),
    Column("Clawed back (no reward)", "number"),
    Column("Total (£)", "amount"),
    Column("Target: families taken on", "number"),
    Column("Target: results", "number"),
)
FAMILY_COLUMNS = (
    Column("LCG"),
    Column("Line"),
    Column("Family"),
    Column("Date", "date"),
    Column("Amount (£)", "amount"),
    Column("Detail"),
)


def summary_rows(rows: Sequence[StatementRow], total: StatementRow) -> list[list[Cell]]:
    return [
        [
            row.lcg,
            row.families_taken_on,
            row.grant,
            row.results,
            row.reward,
            row.clawed_back,
            row.total,
            row.target_taken_on,
            row.target_results,
        ]
        for row in [*rows, total]
    ]


def statement_file(
    user: AnyUser, *, year: int, lcgs: list[LCG] | None, table: str, file_format: str
) -> tuple[bytes, str, str]:
    """The file's bytes, content type and name, for the LCGs ``user`` sees (or
    ``lcgs`` among them)."""
    statement = selectors.grant_statement(user, year=year, lcgs=lcgs)
    columns: Sequence[Column]
    if table == SUMMARY:
        columns, rows = SUMMARY_COLUMNS, summary_rows(statement.rows, statement.total)
    else:
        chosen = (
            lcgs
            if lcgs is not None
            else [LCG(pk=row.lcg_id, name=row.lcg) for row in statement.rows]
        )
        families = selectors.statement_families(user, year=year, lcgs=chosen, rates=statement.rates)
        columns = FAMILY_COLUMNS
        rows = [[f.lcg, f.line_label, f.reference, f.on, f.amount, f.detail] for f in families]
    if file_format == CSV:
        content, _count = table_csv(columns, rows)
    else:
        content, _count = table_xlsx(columns, rows, sheet_name="LCG grant statement")
    scope = f"-{lcgs[0].code.lower()}" if lcgs is not None and len(lcgs) == 1 else ""
    name = f"lcg-grant-{table}{scope}-{year}-{year + 1}.{file_format}"
    return content, CONTENT_TYPES[file_format], name
