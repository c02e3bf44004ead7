"""The LCG's API: each area registers its viewsets on the project's router."""

from rest_framework.routers import BaseRouter

from lcgs.allocation import api as allocation_api
from lcgs.caseload import api as caseload_api
from lcgs.intensive import api as intensive_api
from lcgs.meetings import api as meetings_api
from lcgs.money import api as money_api
from lcgs.retention import api as retention_api
from lcgs.screening import api as screening_api


def register(router: BaseRouter) -> None:
    areas = (
        screening_api,
        allocation_api,
        caseload_api,
        intensive_api,
        money_api,
        meetings_api,
        retention_api,
    )
    for area in areas:
        area.register(router)
