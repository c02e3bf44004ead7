from django.urls import URLPattern, URLResolver, path

from lcgs.retention import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("retention/", views.retention, name="retention"),
    path("retention/batches/new/", views.retention_batch_start, name="retention-batch-start"),
    path("retention/batches/<int:batch_id>/", views.retention_batch, name="retention-batch"),
    path(
        "retention/batches/<int:batch_id>/cancel/",
        views.retention_batch_cancel,
        name="retention-batch-cancel",
    ),
    path(
        "retention/reviews/<int:review_id>/keep/",
        views.retention_review_exclude,
        name="retention-review-exclude",
    ),
    path("retention/holds/", views.retention_holds, name="retention-holds"),
    path("retention/holds/new/", views.retention_hold_find, name="retention-hold-find"),
    path(
        "retention/holds/new/<str:reference>/", views.retention_hold_new, name="retention-hold-new"
    ),
    path(
        "retention/holds/<int:hold_id>/lift/", views.retention_hold_lift, name="retention-hold-lift"
    ),
    path("retention/periods/", views.retention_periods, name="retention-periods"),
    path(
        "retention/periods/<int:policy_id>/",
        views.retention_period_change,
        name="retention-period-change",
    ),
]
