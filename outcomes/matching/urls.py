from django.urls import URLPattern, URLResolver, path

from outcomes.matching import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("matching/reviews/", views.match_review_list, name="match-review-list"),
    path(
        "matching/reviews/<int:source_id>/",
        views.match_review_detail,
        name="match-review-detail",
    ),
    path("people/<int:person_id>/sources/", views.person_sources, name="person-sources"),
    path(
        "matching/sources/<int:source_id>/unlink/",
        views.source_unlink,
        name="source-unlink",
    ),
]
