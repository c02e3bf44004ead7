"""The LCG's work, on top of every other app: screening nominated and identified families.

LCGs themselves, and who belongs to them, are organisation reference data in
``agencies`` (docs/decisions/0015).
"""

from django.apps import AppConfig


class LcgsConfig(AppConfig):
    name = "lcgs"
    verbose_name = "Local coordination groups"

    def ready(self) -> None:
        from lcgs.allocation import wiring as allocation
        from lcgs.caseload import wiring as caseload
        from lcgs.intensive import wiring as intensive
        from lcgs.meetings import wiring as meetings
        from lcgs.retention import wiring as retention
        from lcgs.screening import wiring as screening

        for area in (screening, allocation, caseload, intensive, meetings, retention):
            area.ready()
