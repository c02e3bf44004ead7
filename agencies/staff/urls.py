"""Addresses of the staff pages (``staff:``) and of the set-up page (``account-set-up``)."""

from __future__ import annotations

from django.urls import path

from agencies.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("invite/", views.staff_invite, name="invite"),
    path("<int:staff_id>/", views.staff_detail, name="detail"),
    path("<int:staff_id>/change/", views.staff_change, name="change"),
    path("<int:staff_id>/deactivate/", views.staff_deactivate, name="deactivate"),
    path(
        "<int:staff_id>/reset-two-step-verification/",
        views.staff_mfa_reset,
        name="mfa-reset",
    ),
    path("<int:staff_id>/set-up-link/", views.staff_set_up_link, name="set-up-link"),
]

# Outside the staff pages' namespace: opened by the invited person, not an administrator.
account_set_up_urlpatterns = [
    path("<str:token>/", views.account_set_up, name="account-set-up"),
]
