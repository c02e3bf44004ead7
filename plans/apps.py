"""Single family plans: needs, goals, actions, reviews, agreement, notes, chronology."""

from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Plans"

    def ready(self) -> None:
        from plans.plan import wiring as plan
        from plans.review import wiring as review
        from plans.work import wiring as work

        for area in (plan, review, work):
            area.ready()
