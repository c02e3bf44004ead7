from django.urls import URLPattern, URLResolver, path

from audit.subject_access import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("subject-access/", views.dashboard, name="subject-access"),
    path("subject-access/new/", views.person_find, name="subject-access-find"),
    path("subject-access/new/<int:person_id>/", views.request_new, name="subject-access-new"),
    path("subject-access/<int:request_id>/", views.request_detail, name="subject-access-request"),
    path(
        "subject-access/<int:request_id>/extend/",
        views.request_extend,
        name="subject-access-extend",
    ),
    path(
        "subject-access/<int:request_id>/assemble/",
        views.request_assemble,
        name="subject-access-assemble",
    ),
    path(
        "subject-access/<int:request_id>/records/",
        views.item_list,
        name="subject-access-items",
    ),
    path(
        "subject-access/<int:request_id>/records/<int:item_id>/",
        views.item_decide,
        name="subject-access-item",
    ),
    path(
        "subject-access/<int:request_id>/redaction-finished/",
        views.redaction_finish,
        name="subject-access-finish",
    ),
    path(
        "subject-access/<int:request_id>/response.<slug:file_format>",
        views.bundle_download,
        name="subject-access-bundle",
    ),
    path("subject-access/<int:request_id>/sent/", views.request_sent, name="subject-access-sent"),
    path(
        "subject-access/<int:request_id>/close/", views.request_close, name="subject-access-close"
    ),
]
