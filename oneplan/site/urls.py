"""Every route of OnePlan (``ROOT_URLCONF``). Each app's pages and API are included here."""

from allauth.account import views as account_views
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from agencies import api as agencies_api
from agencies.staff.urls import account_set_up_urlpatterns
from audit.subject_access import api as subject_access_api
from families import api as families_api
from families.access.api import BreakGlassAPIView
from lcgs import api as lcgs_api
from oneplan.site import api as oneplan_api
from oneplan.site import auth_views, token_views, views, your_account
from oneplan.site.account_api import SignOutEverywhereAPIView
from oneplan.site.api_docs import api_docs
from oneplan.site.auth_api import ApiTokenViewSet, obtain_auth_token
from outcomes import api as outcomes_api
from plans import api as plans_api

# The admin has no sign-in form of its own: it sends people to the site's, so signing in
# to the admin also takes the second step and is locked out after repeated failures.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

router = DefaultRouter()
router.register("auth/tokens", ApiTokenViewSet, basename="api-tokens")
for app_api in (agencies_api, families_api, plans_api, outcomes_api, lcgs_api):
    app_api.register(router)
subject_access_api.register(router)

jobs_patterns = (
    [
        path("<uuid:job_id>/", views.job_detail, name="detail"),
        path("<uuid:job_id>/download/", views.job_download, name="download"),
    ],
    "jobs",
)

urlpatterns = [
    path("", views.home, name="home"),
    # Sign-in (django-allauth). "login" and "logout" are the names the rest of the
    # service uses; allauth's own pages are under account/.
    path("sign-in/", account_views.login, name="login"),
    path("sign-out/", account_views.logout, name="logout"),
    *auth_views.not_offered_patterns("account/"),
    path("account/", include("allauth.urls")),
    # Defined after allauth's, so that reversing allauth's own names (its redirects)
    # gives the service's addresses too.
    path("sign-in/", account_views.login, name="account_login"),
    path("sign-out/", account_views.logout, name="account_logout"),
    path("account-not-set-up/", views.account_not_set_up, name="account-not-set-up"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("data-protection/", views.data_protection, name="data-protection"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("jobs/", include(jobs_patterns)),
    path("api-tokens/", include(token_views.urlpatterns)),
    path("your-account/", include(your_account.urlpatterns)),
    path("staff/", include("agencies.staff.urls")),
    path("set-up-account/", include(account_set_up_urlpatterns)),
    path("audit/", include("audit.urls")),
    path("", include("families.urls")),
    path("", include("plans.urls")),
    path("", include("outcomes.urls")),
    path("", include("lcgs.urls")),
    path("admin/", admin.site.urls),
    path("api/break-glass/", BreakGlassAPIView.as_view(), name="api-break-glass"),
    path("api/", include(router.urls)),
    path("api/jobs/<uuid:job_id>/", oneplan_api.JobDetailView.as_view(), name="api-job-detail"),
    path("api/auth/token/", obtain_auth_token, name="api-token"),
    path(
        "api/auth/sign-out-everywhere/",
        SignOutEverywhereAPIView.as_view(),
        name="api-sign-out-everywhere",
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI without inline scripts, for the Content-Security-Policy (api_docs.py).
    path("api/docs/", api_docs, name="api-docs"),
    # Last: any other address under /api/ answers a JSON 404, not the site's page.
    re_path(r"^api/", oneplan_api.ApiNotFoundView.as_view(), name="api-not-found"),
]
