"""Background assessment on a real Celery worker, and the tasks' idempotence."""

from __future__ import annotations

import threading

import pytest
from django.db import transaction

from conftest import build_world
from outcomes.assessment.queue import assessment_queue_add
from outcomes.assessment.tasks import assessment_all_task, assessment_queue_process_task
from outcomes.models import Assessment, AssessmentQueue


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_queued_families_are_assessed_by_a_real_worker(celery_worker_thread: None) -> None:
    world = build_world()

    with transaction.atomic():
        assessment_queue_add([world.own_family.pk, world.other_lcg_family.pk])

    # The worker is another thread: wait (at most 10 s) for it to empty the queue.
    poll = threading.Event()
    for _ in range(200):
        if not AssessmentQueue.objects.exists() and Assessment.objects.count() == 2:
            break
        poll.wait(0.05)
    assert not AssessmentQueue.objects.exists()
    assert set(Assessment.objects.values_list("family_id", flat=True)) == {
        world.own_family.pk,
        world.other_lcg_family.pk,
    }


def test_running_the_tasks_twice_has_one_effect(db: None) -> None:
    world = build_world()
    assessment_queue_add([world.own_family.pk])

    assert assessment_queue_process_task() == 1
    assert assessment_queue_process_task() == 0
    assert assessment_all_task() == 3
    # The same night again: every answer holds and nothing changed, so none is looked at.
    assert assessment_all_task() == 0

    assert Assessment.objects.filter(is_current=True).count() == 3
    assert Assessment.objects.count() == 3
