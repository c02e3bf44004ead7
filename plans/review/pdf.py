"""The family's printed plan as a PDF ("Our family plan"), drawn with fpdf2.

It draws only what ``selectors.plan_printable`` hands it, so what is left out
(restricted needs and goals, case notes, a protected address) is decided in one place
for the print page and the PDF alike.

fpdf2's built-in Helvetica needs no font files and no system packages, but covers only
Latin-1: letters beyond it (Ł, ş, ő...) are written without their accents rather than
failing the download. The print page in the browser shows every name exactly.
"""

from __future__ import annotations

import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from oneplan.dates import govuk_date
from oneplan.pdf import pdf_text
from plans.review.selectors import PrintableGoal, PrintablePlan


def _date(day: datetime.date | None) -> str:
    return govuk_date(day)


class _FamilyPlanPDF(FPDF):
    reference = ""
    printed_on = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("helvetica", size=9)
        text = f"Family {self.reference} - printed {self.printed_on} - page {self.page_no()}"
        self.cell(0, 10, pdf_text(text), align="C")


class _Writer:
    def __init__(self, plan: PrintablePlan) -> None:
        pdf = _FamilyPlanPDF(format="A4")
        pdf.reference = plan.reference
        pdf.printed_on = _date(plan.printed_on)
        pdf.set_title("Our family plan")
        pdf.set_lang("en-GB")
        pdf.set_creator("OnePlan")
        pdf.set_auto_page_break(auto=True, margin=20)
        pdf.set_margins(20, 20, 20)
        pdf.add_page()
        self.pdf = pdf

    def heading(self, text: str, size: int = 16) -> None:
        self.pdf.set_font("helvetica", "B", size)
        self.pdf.multi_cell(0, size * 0.5, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(2)

    def para(self, text: str, *, bold: bool = False) -> None:
        self.pdf.set_font("helvetica", "B" if bold else "", 11)
        self.pdf.multi_cell(0, 6, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(2)

    def field(self, label: str, text: str) -> None:
        self.para(label, bold=True)
        self.para(text or "Nothing written yet.")

    def bullet(self, text: str) -> None:
        self.pdf.set_font("helvetica", "", 11)
        self.pdf.set_x(self.pdf.l_margin + 4)
        self.pdf.multi_cell(0, 6, pdf_text(f"- {text}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def goal(self, number: int, goal: PrintableGoal) -> None:
        self.heading(f"Goal {number}: {goal.title}", size=13)
        if goal.description:
            self.para(goal.description)
        facts = [f"How it is going: {goal.status}"]
        if goal.members:
            facts.append(f"Who it is for: {', '.join(goal.members)}")
        if goal.needs:
            facts.append(f"It helps with: {', '.join(goal.needs)}")
        self.para(". ".join(facts) + ".")
        if not goal.actions:
            self.para("No one has an action for this goal yet.")
            return
        self.para("What everyone will do", bold=True)
        for action in goal.actions:
            self.bullet(
                f"{action.description} Who: {action.who}. By: {_date(action.due_on)}. "
                f"{action.status}."
            )
        self.pdf.ln(3)


def plan_pdf_render(plan: PrintablePlan) -> bytes:
    """The PDF the family takes home, in plain English."""
    w = _Writer(plan)
    w.heading("Our family plan", size=22)
    w.para(f"Family reference: {plan.reference}")
    if plan.members:
        w.para(f"Our family: {', '.join(plan.members)}")
    if plan.address_lines:
        w.para(f"Address: {', '.join(plan.address_lines)}")
    if plan.agreed_on and not plan.changed_since_agreed:
        w.para(f"We agreed this plan on {_date(plan.agreed_on)}.")
    elif plan.agreed_on:
        w.para(
            f"We agreed an earlier version of this plan on {_date(plan.agreed_on)}. "
            + (
                "It has changed since then:"
                if plan.changes_since_agreed
                else "It has changed since then."
            )
        )
        for line in plan.changes_since_agreed:
            w.bullet(line)
        if plan.changes_since_agreed:
            w.pdf.ln(3)
    else:
        w.para("We have not agreed this plan yet.")

    w.heading("In our words")
    w.field("What is working well", plan.working_well)
    w.field("What we are worried about", plan.worries)
    w.field("What we want to change", plan.family_wants)

    if plan.needs:
        w.heading("What we are working on")
        for need in plan.needs:
            w.bullet(need)
        w.pdf.ln(3)

    w.heading("Our goals and who will do what")
    if not plan.goals:
        w.para("There are no goals in the plan yet.")
    for number, goal in enumerate(plan.goals, start=1):
        w.goal(number, goal)

    w.heading("Next review")
    if plan.next_review_on:
        w.para(
            f"We will meet to look at how the plan is going on or before "
            f"{_date(plan.next_review_on)}."
        )
    else:
        w.para("The date of the next review has not been set yet.")
    return bytes(w.pdf.output())
