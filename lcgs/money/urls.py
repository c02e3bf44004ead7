from django.urls import URLPattern, URLResolver, path

from lcgs.money import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("lcg-money/", views.lcg_money, name="lcg-money"),
    path("lcg-money/lcg/<int:lcg_id>/", views.lcg_money_lcg, name="lcg-money-lcg"),
    path(
        "lcg-money/export/<slug:table>.<slug:file_format>",
        views.lcg_money_export,
        name="lcg-money-export",
    ),
    path("lcg-money/rates/", views.lcg_money_rates, name="lcg-money-rates"),
    path("lcg-money/rates/new/", views.lcg_money_rate_new, name="lcg-money-rate-new"),
    path(
        "lcg-money/rates/<int:rate_id>/",
        views.lcg_money_rate_change,
        name="lcg-money-rate-change",
    ),
    path("lcg-money/targets/", views.lcg_money_targets, name="lcg-money-targets"),
    path(
        "lcg-money/targets/<int:lcg_id>/<int:year>/",
        views.lcg_money_target_set,
        name="lcg-money-target-set",
    ),
]
