"""Background job runners owned by the families app."""

from __future__ import annotations

import csv
import io

from families.selectors import caseload_summary_for_user
from families.states import FamilyStatus
from oneplan.dates import file_stamp
from oneplan.jobs import JobOutcome, Progress
from oneplan.models import Job
from oneplan.spreadsheets import spreadsheet_text

CASELOAD_SUMMARY_EXPORT = "caseload_summary_export"


def caseload_summary_export(job: Job, progress: Progress) -> JobOutcome:
    """Counts of families by LCG and status, within the scope of whoever started it.

    Counts only: no names, addresses or references, so it can be shared with LCGs.
    """
    rows = caseload_summary_for_user(job.started_by)
    statuses = list(FamilyStatus)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["LCG", *[s.label for s in statuses], "Total"])
    progress(0, len(rows))
    for done, row in enumerate(rows, start=1):
        writer.writerow(
            [spreadsheet_text(row.lcg_name), *[row.counts[s.value] for s in statuses], row.total]
        )
        progress(done, len(rows))
    stamp = file_stamp()
    return JobOutcome(
        counts={"lcgs": len(rows), "families": sum(r.total for r in rows)},
        file_name=f"caseload-summary-{stamp}.csv",
        file_content=buffer.getvalue().encode("utf-8-sig"),
    )
