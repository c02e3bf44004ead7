"""Reads of the project package's own records."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from oneplan.models import Job


def job_get_for_user_or_404(user: AbstractBaseUser | AnonymousUser, job_id: str) -> Job:
    """A job is visible only to the person who started it."""
    if not user.is_authenticated:
        raise Http404("No job found")
    job = Job.objects.filter(pk=job_id, started_by_id=user.pk).first()
    if job is None:
        raise Http404("No job found")
    return job
