"""Pages of the feeds area, in the ``outcomes:`` namespace."""

from django.urls import URLPattern, URLResolver, path

from outcomes.feeds import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("feeds/", views.feed_list, name="feed-list"),
    path("feeds/upload/", views.feed_upload, name="feed-upload"),
    path("feeds/<int:submission_id>/", views.feed_detail, name="feed-detail"),
    path("feeds/<int:submission_id>/errors.csv", views.feed_errors_download, name="feed-errors"),
]
