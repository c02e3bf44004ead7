"""The outcomes app's pages, one list per area (feeds, matching, assessment, claims)."""

from outcomes.assessment.urls import urlpatterns as assessment_patterns
from outcomes.claims.urls import urlpatterns as claim_patterns
from outcomes.costs.urls import urlpatterns as costs_patterns
from outcomes.extracts.urls import urlpatterns as extract_patterns
from outcomes.feeds.urls import urlpatterns as feed_patterns
from outcomes.matching.urls import urlpatterns as matching_patterns
from outcomes.money.urls import urlpatterns as money_patterns
from outcomes.reporting.urls import urlpatterns as reporting_patterns
from outcomes.results.recorded_urls import urlpatterns as recorded_patterns

app_name = "outcomes"

urlpatterns = [
    *feed_patterns,
    *matching_patterns,
    *assessment_patterns,
    *claim_patterns,
    *money_patterns,
    *recorded_patterns,
    *costs_patterns,
    *extract_patterns,
    *reporting_patterns,
]
