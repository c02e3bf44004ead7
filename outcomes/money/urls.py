from django.urls import URLPattern, URLResolver, path

from outcomes.money import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("money/", views.money_summary, name="money"),
    path("money/csv/", views.money_csv, name="money-csv"),
    path("money/rates/", views.payment_rates, name="payment-rates"),
    path("money/rates/new/", views.attachment_fee_new, name="attachment-fee-new"),
    path("money/rates/<int:fee_id>/", views.attachment_fee_change, name="attachment-fee-change"),
]
