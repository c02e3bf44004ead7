"""Every route of OnePlan. Each app's pages and API are included here."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from agencies.api import AgencyViewSet
from families.api import FamilyViewSet
from lcgs.api import LCGViewSet
from oneplan import api as oneplan_api
from oneplan import views

router = DefaultRouter()
router.register("families", FamilyViewSet, basename="family")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("lcgs", LCGViewSet, basename="lcg")

jobs_patterns = (
    [
        path("<uuid:job_id>/", views.job_detail, name="detail"),
        path("<uuid:job_id>/download/", views.job_download, name="download"),
    ],
    "jobs",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("account-not-set-up/", views.account_not_set_up, name="account-not-set-up"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("jobs/", include(jobs_patterns)),
    path("", include("families.urls")),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/jobs/<uuid:job_id>/", oneplan_api.JobDetailView.as_view(), name="api-job-detail"),
    path("api/auth/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
