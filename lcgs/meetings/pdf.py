"""An LCG meeting's minutes as a PDF, drawn with fpdf2 as the family's printed plan is
(``plans.review.pdf``: the same font and the same way with letters beyond Latin-1).

It draws only what ``selectors.minutes_for_user`` hands it, so what is left out for the
viewer (a restricted plan action's details) is decided in one place for the minutes
page and the PDF alike.
"""

from __future__ import annotations

import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from lcgs.meetings.selectors import Minutes
from oneplan.dates import govuk_date, govuk_datetime
from oneplan.pdf import pdf_text


class _MinutesPDF(FPDF):
    title_line = ""
    printed_on = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("helvetica", size=9)
        text = f"{self.title_line} - printed {self.printed_on} - page {self.page_no()}"
        self.cell(0, 10, pdf_text(text), align="C")


def minutes_pdf_render(minutes: Minutes, *, printed_on: datetime.date) -> bytes:
    """The minutes: when and where, who came, each family discussed, why, and what was
    decided."""
    meeting = minutes.meeting
    pdf = _MinutesPDF(format="A4")
    pdf.title_line = f"{meeting.lcg.name} meeting"
    pdf.printed_on = govuk_date(printed_on)
    pdf.set_title(f"Minutes of the {meeting.lcg.name} meeting")
    pdf.set_lang("en-GB")
    pdf.set_creator("OnePlan")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 20, 20)
    pdf.add_page()

    def heading(text: str, size: int = 16) -> None:
        pdf.set_font("helvetica", "B", size)
        pdf.multi_cell(0, size * 0.5, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    def para(text: str, *, bold: bool = False) -> None:
        pdf.set_font("helvetica", "B" if bold else "", 11)
        pdf.multi_cell(0, 6, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    def bullet(text: str) -> None:
        pdf.set_font("helvetica", "", 11)
        pdf.set_x(pdf.l_margin + 4)
        pdf.multi_cell(0, 6, pdf_text(f"- {text}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    heading(f"Minutes of the {meeting.lcg.name} meeting", size=20)
    para(f"Held on {govuk_datetime(meeting.starts_at)}")
    if meeting.location:
        para(f"Where: {meeting.location}")
    if meeting.is_closed and meeting.closed_at is not None:
        para(f"Closed on {govuk_datetime(meeting.closed_at)}")
    else:
        para("The meeting is not closed yet: these minutes may change.")

    heading("Who came", size=14)
    if not minutes.attendees:
        para("No attendees were recorded.")
    for name in minutes.attendees:
        bullet(name)
    pdf.ln(3)

    heading("Families discussed", size=14)
    if not minutes.items:
        para("No families were on the agenda.")
    for row in minutes.items:
        heading(f"Family {row.reference} ({row.status_label})", size=12)
        para(f"Why: {'; '.join(row.reasons)}")
        if not row.decisions:
            para("No decision recorded.")
        for decision in row.decisions:
            bullet(
                f"{decision.kind_label}: {decision.text} "
                f"(recorded by {decision.recorded_by}, {govuk_datetime(decision.recorded_at)})"
            )
        pdf.ln(3)
    return bytes(pdf.output())
