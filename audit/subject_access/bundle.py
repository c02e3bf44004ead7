"""The response bundle: the assembled items with the DPO's redactions applied, as CSV
(oneplan.spreadsheets, formula-injection safe) and PDF (fpdf2, as the printed plan and
the LCG minutes are drawn). Nothing withheld reaches either file: a withheld item is
left out, a withheld field is replaced by the word "Withheld"."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from audit.subject_access.models import SubjectAccessItem, SubjectAccessRequest
from oneplan.dates import govuk_date
from oneplan.pdf import pdf_text
from oneplan.spreadsheets import Cell, Column, table_csv

WITHHELD: Final = "Withheld"
FORMATS: Final = ("csv", "pdf")
COLUMNS: Final = (
    Column("Record"),
    Column("Section"),
    Column("Item"),
    Column("Field"),
    Column("Value"),
)


@dataclass(frozen=True)
class BundleItem:
    section: str
    label: str
    number: int
    values: list[tuple[str, str]]


def bundle_items(items: Iterable[SubjectAccessItem]) -> Iterator[BundleItem]:
    """The items as sent: withheld items left out, withheld fields blanked."""
    number = 0
    for item in items:
        if item.redacted:
            continue
        number += 1
        hidden = set(item.redacted_fields or [])
        yield BundleItem(
            section=item.source_label,
            label=item.label,
            number=number,
            values=[
                (v["label"], WITHHELD if v["field"] in hidden else v["value"])
                for v in item.values
                if v["value"] or v["field"] in hidden
            ],
        )


def bundle_csv(items: Iterable[SubjectAccessItem]) -> bytes:
    def rows() -> Iterator[list[Cell]]:
        for item in bundle_items(items):
            for label, value in item.values:
                yield [item.number, item.section, item.label, label, value]

    content, _count = table_csv(COLUMNS, rows())
    return content


class _BundlePDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("helvetica", size=9)
        self.cell(0, 10, pdf_text(f"{self.footer_text} - page {self.page_no()}"), align="C")


def bundle_pdf(
    request: SubjectAccessRequest, items: Iterable[SubjectAccessItem], *, printed_on: datetime.date
) -> bytes:
    pdf = _BundlePDF(format="A4")
    pdf.footer_text = f"Information held about {request.person_name} - {govuk_date(printed_on)}"
    pdf.set_title(f"Information held about {request.person_name}")
    pdf.set_lang("en-GB")
    pdf.set_creator("OnePlan")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 20, 20)
    pdf.add_page()

    def write(text: str, *, size: int = 11, bold: bool = False, height: float = 6) -> None:
        pdf.set_font("helvetica", "B" if bold else "", size)
        pdf.multi_cell(0, height, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    write(f"Information held about {request.person_name}", size=20, bold=True, height=10)
    write(f"Your request received on {govuk_date(request.received_on)}.")
    write(
        "Some information has been withheld where it is about other people or an "
        "exemption applies; where a detail is withheld it says so."
    )
    pdf.ln(4)
    section = None
    for item in bundle_items(items):
        if item.section != section:
            section = item.section
            pdf.ln(3)
            write(section, size=14, bold=True, height=8)
        write(f"{item.number}. {item.label}", bold=True)
        for label, value in item.values:
            write(f"{label}: {value}")
        pdf.ln(2)
    return bytes(pdf.output())
