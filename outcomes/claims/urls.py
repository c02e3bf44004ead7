from django.urls import URLPattern, URLResolver, path

from outcomes.claims import export_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("claims/", views.claim_batch_list, name="claim-batches"),
    path("claims/new/", views.claim_batch_new, name="claim-batch-new"),
    path("claims/<int:batch_id>/", views.claim_batch_detail, name="claim-batch"),
    path(
        "claims/<int:batch_id>/export/",
        export_views.claim_batch_export,
        name="claim-batch-export",
    ),
    path("claims/<int:batch_id>/audit/", views.claim_batch_audit_start, name="claim-batch-audit"),
    path("claims/<int:batch_id>/submit/", views.claim_batch_submit, name="claim-batch-submit"),
    path("claims/<int:batch_id>/outcome/", views.claim_batch_outcome, name="claim-batch-outcome"),
    path("claims/<int:batch_id>/payment/", views.claim_batch_payment, name="claim-batch-payment"),
    path(
        "claims/<int:batch_id>/claims/<int:claim_id>/claw-back/",
        views.claim_claw_back,
        name="claim-claw-back",
    ),
    path(
        "claims/<int:batch_id>/claims/<int:claim_id>/audit/",
        views.claim_audit,
        name="claim-audit",
    ),
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
    path(
        "claims/<int:batch_id>/equivalent/",
        views.claim_equivalent_add,
        name="claim-equivalent-add",
    ),
]
