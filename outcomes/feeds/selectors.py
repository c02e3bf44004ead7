"""Reads of feed submissions for pages and the API."""

from __future__ import annotations

import json
from typing import Any, Final

from django.db import connection
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


def feed_submission_get_for_user_or_404(
    user: AnyUser, submission_id: int, *, with_row_errors: bool = True
) -> FeedSubmission:
    """One submission with its errors (not its file); 404 when missing or not visible.

    ``with_row_errors=False`` leaves the errors in the database too (read them a page at
    a time with ``feed_submission_row_errors``): a file of 200,000 bad rows has tens of
    megabytes of them.
    """
    if not can_submit_feeds(user):
        raise Http404("No feed submission found")
    deferred = ("content",) if with_row_errors else ("content", "row_errors")
    submission = (
        FeedSubmission.objects.select_related("agency", "submitted_by", "job")
        .defer(*deferred)
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        raise Http404("No feed submission found")
    return submission


# The count and one slice of a submission's row errors, worked out by PostgreSQL on the
# stored JSON so only the page asked for leaves the database.
_ROW_ERRORS_COUNT_SQL: Final = (
    "SELECT jsonb_array_length(row_errors) FROM outcomes_feedsubmission WHERE id = %s"
)
_ROW_ERRORS_SLICE_SQL: Final = (
    "SELECT jsonb_path_query_array(row_errors, '$[$first to $last]', "
    "jsonb_build_object('first', %s::int, 'last', %s::int)) "
    "FROM outcomes_feedsubmission WHERE id = %s"
)


class RowErrors:
    """A submission's row errors as a sequence a ``Paginator`` can page through: its
    length and each slice are read from the database when asked for, never the whole
    list. Build it with ``feed_submission_row_errors`` after the access check."""

    def __init__(self, submission_id: int) -> None:
        self.submission_id = submission_id
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            with connection.cursor() as cursor:
                cursor.execute(_ROW_ERRORS_COUNT_SQL, [self.submission_id])
                found = cursor.fetchone()
            self._count = int(found[0]) if found and found[0] is not None else 0
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("Row errors are read a slice at a time")
        start, stop, _ = index.indices(self.count())
        if stop <= start:
            return []
        with connection.cursor() as cursor:
            cursor.execute(_ROW_ERRORS_SLICE_SQL, [start, stop - 1, self.submission_id])
            found = cursor.fetchone()
        value = found[0] if found else None
        if isinstance(value, str):  # jsonb without a registered adapter comes as text
            value = json.loads(value)
        return list(value or [])


def feed_submission_row_errors(submission: FeedSubmission) -> RowErrors:
    """The row errors of a submission already fetched with
    ``feed_submission_get_for_user_or_404`` (which checked who may see it)."""
    return RowErrors(submission.pk)
