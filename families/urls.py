from django.urls import path

from families import search_views, views

app_name = "families"

urlpatterns = [
    path("families/", views.family_list, name="list"),
    path("search/", search_views.person_search, name="search"),
    path("families/<str:reference>/", views.family_detail, name="detail"),
    path("families/<str:reference>/status/", views.family_transition, name="transition"),
    path("families/<str:reference>/access/", views.family_access_reasons, name="access"),
    path("families/<str:reference>/team/", views.family_team, name="team"),
    path(
        "families/<str:reference>/team/<int:member_id>/remove/",
        views.team_member_remove,
        name="team-remove",
    ),
    path("families/<str:reference>/lawful-basis/", views.lawful_basis_add, name="lawful-basis-add"),
    path(
        "families/<str:reference>/lawful-basis/<int:basis_id>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path("families/<str:reference>/viewers/", views.family_viewers, name="viewers"),
    path("break-glass/", views.break_glass, name="break-glass"),
    path("break-glass/review/", views.break_glass_review_list, name="break-glass-review-list"),
    path(
        "break-glass/review/<int:access_id>/",
        views.break_glass_review,
        name="break-glass-review",
    ),
    path("caseload/", views.caseload_overview, name="overview"),
    path("caseload/export/", views.caseload_export, name="export"),
]
