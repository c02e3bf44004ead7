"""Pages of the single family plan, under the family's address."""

from django.urls import URLPattern, URLResolver, path

from plans.plan import version_views, views

P = "families/<str:reference>/plan/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(P, views.plan_detail, name="plan"),
    path(P + "start/", views.plan_start, name="plan-start"),
    path(P + "voice/", views.plan_voice, name="plan-voice"),
    path(P + "needs/add/", views.need_add, name="need-add"),
    path(P + "needs/<int:need_id>/", views.need_edit, name="need-edit"),
    path(P + "goals/add/", views.goal_add, name="goal-add"),
    path(P + "goals/<int:goal_id>/", views.goal_edit, name="goal-edit"),
    path(P + "goals/<int:goal_id>/actions/add/", views.action_add, name="action-add"),
    path(P + "actions/<int:action_id>/", views.action_edit, name="action-edit"),
    path(P + "actions/<int:action_id>/progress/", views.action_progress, name="action-progress"),
    path(P + "versions/", version_views.plan_versions, name="plan-versions"),
    path(P + "versions/compare/", version_views.plan_compare, name="plan-compare"),
]
