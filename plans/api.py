"""The plans app's API: each area registers its viewsets on the project's router."""

from rest_framework.routers import BaseRouter

from plans.plan import api as plan_api
from plans.review import api as review_api
from plans.work import api as work_api


def register(router: BaseRouter) -> None:
    for area in (plan_api, review_api, work_api):
        area.register(router)
