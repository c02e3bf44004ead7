"""The plans app's pages: the plan itself, and the daily work around it."""

from plans.plan.urls import urlpatterns as plan_patterns
from plans.review.urls import urlpatterns as review_patterns
from plans.work.urls import urlpatterns as work_patterns

app_name = "plans"

urlpatterns = [*plan_patterns, *review_patterns, *work_patterns]
