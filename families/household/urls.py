"""The household pages, included in ``families.urls`` (namespace ``families``)."""

from django.urls import URLPattern, path

from families.household import views

FAMILY = "families/<str:reference>/"

urlpatterns: list[URLPattern] = [
    path(f"{FAMILY}household/", views.household, name="household"),
    path(f"{FAMILY}household/add/", views.member_find, name="member-find"),
    path(f"{FAMILY}household/add/new/", views.member_add_new, name="member-add-new"),
    path(
        f"{FAMILY}household/add/<int:person_id>/",
        views.member_add_existing,
        name="member-add-existing",
    ),
    path(
        f"{FAMILY}household/<int:membership_id>/end/",
        views.membership_end,
        name="membership-end",
    ),
    path(
        f"{FAMILY}household/<int:membership_id>/role/",
        views.membership_role,
        name="membership-role",
    ),
    path(f"{FAMILY}people/<int:person_id>/correct/", views.person_correct, name="person-correct"),
    path(f"{FAMILY}people/<int:person_id>/changes/", views.person_changes, name="person-changes"),
    path(f"{FAMILY}changes/", views.family_changes, name="changes"),
    path(f"{FAMILY}address/change/", views.address_change, name="address-change"),
    path(f"{FAMILY}address/correct/", views.address_correct, name="address-correct"),
    path(f"{FAMILY}address/protection/", views.address_protection, name="address-protection"),
]
