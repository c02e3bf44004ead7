from django.urls import URLPattern, URLResolver, path

from plans.review import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("families/<str:reference>/plan/reviews/", views.review_list, name="review-list"),
    path("families/<str:reference>/plan/reviews/new/", views.review_create, name="review-create"),
    path(
        "families/<str:reference>/plan/reviews/<int:review_id>/",
        views.review_detail,
        name="review-detail",
    ),
    path("families/<str:reference>/plan/agreement/", views.agreement, name="agreement"),
    path("families/<str:reference>/plan/print/", views.plan_print, name="plan-print"),
    path("families/<str:reference>/plan/our-family-plan.pdf", views.plan_pdf, name="plan-pdf"),
    path("families/<str:reference>/notes/", views.case_notes, name="case-notes"),
    path("families/<str:reference>/chronology/", views.chronology, name="chronology"),
]
