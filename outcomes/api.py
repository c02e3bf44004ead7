"""The outcomes app's API: each area registers its viewsets on the project's router."""

from rest_framework.routers import BaseRouter

from outcomes.assessment import api as assessment_api
from outcomes.claims import equivalent_api as claim_equivalent_api
from outcomes.claims import export_api as claim_export_api
from outcomes.costs import api as costs_api
from outcomes.extracts import api as extracts_api
from outcomes.feeds import api as feeds_api
from outcomes.matching import api as matching_api
from outcomes.money import api as money_api
from outcomes.reporting import api as reporting_api
from outcomes.results import api as results_api
from outcomes.results import readiness_api, recorded_api


def register(router: BaseRouter) -> None:
    for area in (feeds_api, matching_api, assessment_api, results_api):
        area.register(router)
    claim_export_api.register(router)
    recorded_api.register(router)
    money_api.register(router)
    claim_equivalent_api.register(router)
    readiness_api.register(router)
    costs_api.register(router)
    extracts_api.register(router)
    reporting_api.register(router)
