"""Pages about access to a family: why, team, lawful basis, viewers, break glass."""

from django.urls import URLPattern, URLResolver, path

from families.access import ledger_views, views

urlpatterns: list[URLPattern | URLResolver] = [
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
    path(
        "families/<str:reference>/grant-ledger/",
        ledger_views.family_grant_ledger,
        name="grant-ledger",
    ),
    path("break-glass/", views.break_glass, name="break-glass"),
    path("break-glass/review/", views.break_glass_review_list, name="break-glass-review-list"),
    path(
        "break-glass/review/<int:access_id>/",
        views.break_glass_review,
        name="break-glass-review",
    ),
]
