"""REST API for agency feeds: the same policy, selectors and services as the pages.

POST /api/feeds/ (multipart) submits a file and answers 202 with the submission and its
job; GET /api/feeds/ and /api/feeds/{id}/ report counts, the detail with the first page
of row errors; GET /api/feeds/{id}/errors/?page=N pages through every row error (a file
of 200,000 bad rows has tens of megabytes of them, too many for one answer).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import Agency, User
from agencies.request_user import request_user_or_403
from audit.services import access_event_record
from oneplan.models import Job
from outcomes.feeds import selectors, services
from outcomes.feeds.access import can_submit_feeds
from outcomes.feeds.reading import MAX_FILE_BYTES
from outcomes.models import FeedKind, FeedSubmission

# Row errors per page, in the detail and in /errors/ (which lets a client ask for up to
# ROW_ERRORS_MAX_PAGE_SIZE with ?page_size=).
ROW_ERRORS_PAGE_SIZE = 100
ROW_ERRORS_MAX_PAGE_SIZE = 1000


class RowErrorPagination(PageNumberPagination):
    page_size = ROW_ERRORS_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = ROW_ERRORS_MAX_PAGE_SIZE


class RowErrorSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(help_text="Row number as a spreadsheet shows it (header = 1)")
    column = serializers.CharField()
    message = serializers.CharField()


class FeedJobSerializer(serializers.Serializer[Job]):
    id = serializers.UUIDField()
    status = serializers.CharField(help_text="queued, running, succeeded or failed")
    percent = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="Poll this job at /api/jobs/{id}/")

    def get_url(self, job: Job) -> str:
        return f"/api/jobs/{job.pk}/"


class FeedSubmissionSerializer(serializers.ModelSerializer[FeedSubmission]):
    agency = serializers.CharField(source="agency.code")
    submitted_by = serializers.CharField(source="submitted_by.username")
    job = FeedJobSerializer(allow_null=True, read_only=True)

    class Meta:
        model = FeedSubmission
        fields = [
            "id",
            "agency",
            "kind",
            "extract_date",
            "filename",
            "file_format",
            "size_bytes",
            "sha256",
            "valid_rows_only",
            "submitted_by",
            "submitted_at",
            "status",
            "finished_at",
            "file_error",
            "rows_read",
            "rows_accepted",
            "rows_updated",
            "rows_rejected",
            "people_matched",
            "people_review",
            "people_created",
            "families_touched",
            "job",
        ]


class FeedSubmissionDetailSerializer(FeedSubmissionSerializer):
    warnings = serializers.ListField(child=serializers.CharField())
    row_errors_count = serializers.SerializerMethodField(
        help_text="How many row errors there are in all (a row can have several)"
    )
    row_errors = serializers.SerializerMethodField(
        help_text=f"The first {ROW_ERRORS_PAGE_SIZE} row errors; read every one, a page "
        "at a time, from row_errors_url"
    )
    row_errors_url = serializers.SerializerMethodField(
        help_text="Every row error, a page at a time: /api/feeds/{id}/errors/?page=N"
    )

    class Meta(FeedSubmissionSerializer.Meta):
        fields = [
            *FeedSubmissionSerializer.Meta.fields,
            "warnings",
            "row_errors_count",
            "row_errors",
            "row_errors_url",
        ]

    def get_row_errors_count(self, submission: FeedSubmission) -> int:
        return len(self._row_errors(submission))

    @extend_schema_field(RowErrorSerializer(many=True))
    def get_row_errors(self, submission: FeedSubmission) -> list[dict[str, Any]]:
        first = self._row_errors(submission)[:ROW_ERRORS_PAGE_SIZE]
        return list(RowErrorSerializer(first, many=True).data)

    def get_row_errors_url(self, submission: FeedSubmission) -> str:
        return f"/api/feeds/{submission.pk}/errors/"

    def _row_errors(self, submission: FeedSubmission) -> selectors.RowErrors:
        # One sequence per submission, so the count is asked for once.
        cache: dict[int, selectors.RowErrors] = self.context.setdefault("row_errors", {})
        if submission.pk not in cache:
            cache[submission.pk] = selectors.feed_submission_row_errors(submission)
        return cache[submission.pk]


class FeedSubmitSerializer(serializers.Serializer[Any]):
    agency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.filter(is_active=True),
        help_text="The agency's code, like POLICE",
    )
    kind = serializers.ChoiceField(choices=FeedKind.choices)
    extract_date = serializers.DateField(help_text="The date the agency took the data")
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX")
    valid_rows_only = serializers.BooleanField(
        default=False,
        help_text="Import the good rows even when some rows have errors (recorded)",
    )

    def validate_file(self, upload: Any) -> Any:
        if upload.size is not None and upload.size > MAX_FILE_BYTES:
            raise serializers.ValidationError(
                f"The file must be smaller than {MAX_FILE_BYTES // (1024 * 1024)} MB"
            )
        return upload


class FeedSubmissionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[FeedSubmission],
):
    """Agency feed submissions. Programme managers only; everyone else gets 403."""

    access_rule = "programme managers only"
    queryset = FeedSubmission.objects.none()
    parser_classes = [MultiPartParser, FormParser]
    # Ids are whole numbers: anything else matches no route and answers 404.
    lookup_value_regex = r"[0-9]+"

    def _user(self) -> User:
        return request_user_or_403(
            self.request, can_submit_feeds, "Only programme managers work with agency feeds"
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "retrieve":
            return FeedSubmissionDetailSerializer
        if self.action == "create":
            return FeedSubmitSerializer
        return FeedSubmissionSerializer

    def get_queryset(self) -> QuerySet[FeedSubmission]:
        return selectors.feed_submission_list_for_user(self._user())

    def _submission(self, request: Request, pk: str, *, what: str) -> FeedSubmission:
        user = self._user()
        submission = selectors.feed_submission_get_for_user_or_404(
            user, int(pk), with_row_errors=False
        )
        access_event_record(
            user=user,
            action="api_read",
            object_type="feed_submission",
            object_id=submission.pk,
            request=request,
            detail={"what": what},
        )
        return submission

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        submission = self._submission(request, str(kwargs["pk"]), what="submission")
        return Response(FeedSubmissionDetailSerializer(submission).data)

    @extend_schema(
        summary="Every row error of a submission, a page at a time",
        description=(
            f"{ROW_ERRORS_PAGE_SIZE} errors a page, in the order of the file's rows; "
            f"?page_size= asks for up to {ROW_ERRORS_MAX_PAGE_SIZE}."
        ),
        responses={200: RowErrorSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="errors", pagination_class=RowErrorPagination)
    def errors(self, request: Request, pk: str) -> Response:
        submission = self._submission(request, pk, what="row errors")
        row_errors = selectors.feed_submission_row_errors(submission)
        page = self.paginate_queryset(row_errors)  # type: ignore[arg-type]
        assert page is not None  # the action always has a paginator
        return self.get_paginated_response(RowErrorSerializer(page, many=True).data)

    @extend_schema(
        request=FeedSubmitSerializer,
        responses={202: FeedSubmissionSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Submit a file; it is checked and imported in the background (poll the job)."""
        user = self._user()
        payload = FeedSubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        upload = data["file"]
        submission = services.feed_submission_create(
            actor=user,
            agency=data["agency"],
            kind=data["kind"],
            extract_date=data["extract_date"],
            filename=upload.name or "feed",
            content=upload.read(),
            valid_rows_only=data["valid_rows_only"],
        )
        return Response(FeedSubmissionSerializer(submission).data, status=status.HTTP_202_ACCEPTED)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("feeds", FeedSubmissionViewSet, basename="feed")
