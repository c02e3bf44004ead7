"""The LCG's pages, one list per area (screening, with nominations)."""

from lcgs.allocation.urls import urlpatterns as allocation_patterns
from lcgs.caseload.urls import urlpatterns as caseload_patterns
from lcgs.intensive.urls import urlpatterns as intensive_patterns
from lcgs.meetings.urls import urlpatterns as meeting_patterns
from lcgs.money.urls import urlpatterns as money_patterns
from lcgs.retention.urls import urlpatterns as retention_patterns
from lcgs.screening.urls import urlpatterns as screening_patterns

app_name = "lcgs"

urlpatterns = [
    *screening_patterns,
    *allocation_patterns,
    *caseload_patterns,
    *intensive_patterns,
    *meeting_patterns,
    *money_patterns,
    *retention_patterns,
]
