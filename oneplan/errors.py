"""Errors that services raise and views and the API turn into messages."""

from __future__ import annotations


class ApplicationError(Exception):
    """A rule refused the change. ``message`` is shown to the user as written.

    ``field`` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFoundOrNoAccess(ApplicationError):
    """The object does not exist or is outside the user's scope; callers answer 404."""

    def __init__(self, message: str = "Not found") -> None:
        super().__init__(message)
