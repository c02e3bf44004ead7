"""Reads of feed submissions for pages and the API."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from agencies.models import AnyUser
from outcomes.feeds.access import can_submit_feeds
from outcomes.models import FeedSubmission


def feed_submission_list_for_user(user: AnyUser) -> QuerySet[FeedSubmission]:
    """Every submission, newest first, for those who submit feeds; none for others.

    Leaves out the stored file and the row errors, which can be megabytes each.
    """
    if not can_submit_feeds(user):
        return FeedSubmission.objects.none()
    return (
        FeedSubmission.objects.select_related("agency", "submitted_by", "job")
        .defer("content", "row_errors")
        .order_by("-submitted_at", "-pk")
    )


def feed_submission_get_for_user_or_404(user: AnyUser, submission_id: int) -> FeedSubmission:
    """One submission with its errors (not its file); 404 when missing or not visible."""
    if not can_submit_feeds(user):
        raise Http404("No feed submission found")
    submission = (
        FeedSubmission.objects.select_related("agency", "submitted_by", "job")
        .defer("content")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        raise Http404("No feed submission found")
    return submission
