from django.urls import URLPattern, URLResolver, path

from outcomes.claims import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("claims/", views.claim_batch_list, name="claim-batches"),
    path("claims/new/", views.claim_batch_new, name="claim-batch-new"),
    path("claims/<int:batch_id>/", views.claim_batch_detail, name="claim-batch"),
    path(
        "claims/<int:batch_id>/claims/<int:claim_id>/remove/",
        views.claim_remove,
        name="claim-remove",
    ),
    path(
        "claims/<int:batch_id>/claims/<int:claim_id>/replay/",
        views.claim_replay,
        name="claim-replay",
    ),
]
