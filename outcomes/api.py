"""The outcomes app's API: each area registers its viewsets on the project's router."""

from rest_framework.routers import BaseRouter

from outcomes.assessment import api as assessment_api
from outcomes.feeds import api as feeds_api
from outcomes.matching import api as matching_api
from outcomes.results import api as results_api
from outcomes.screening import api as screening_api


def register(router: BaseRouter) -> None:
    for area in (feeds_api, matching_api, assessment_api, results_api, screening_api):
        area.register(router)
