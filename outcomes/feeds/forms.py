"""Forms for the feed pages. They check input; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from agencies.models import Agency
from oneplan.forms import GOVUKDateField, GOVUKForm
from outcomes.feeds.reading import MAX_FILE_BYTES
from outcomes.models import FeedKind

MAX_MEGABYTES = MAX_FILE_BYTES // (1024 * 1024)


class FeedUploadForm(GOVUKForm):
    agency = forms.ModelChoiceField(
        label="Agency",
        help_text="The agency the data comes from",
        queryset=Agency.objects.none(),
        empty_label="Select an agency",
        error_messages={"required": "Select the agency the data comes from"},
    )
    kind = forms.ChoiceField(
        label="Kind of feed",
        choices=[("", "Select a kind of feed"), *FeedKind.choices],
        error_messages={"required": "Select the kind of feed"},
    )
    extract_date = GOVUKDateField(
        label="Extract date",
        help_text="The date the agency took the data, for example 31 8 2025",
        allow_future=False,
    )
    file = forms.FileField(
        label="File",
        help_text=(
            f'A CSV file saved as "CSV UTF-8", or an Excel workbook (.xlsx), up to '
            f"{MAX_MEGABYTES} MB"
        ),
        error_messages={
            "required": "Select a file",
            "empty": "The selected file is empty",
            "invalid": "Select a file",
        },
    )
    valid_rows_only = forms.BooleanField(
        label="Import the valid rows only",
        help_text=(
            "If some rows have errors, import the other rows and list the errors. "
            "Without this, nothing is imported until every row is right."
        ),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Agency.objects.filter(is_active=True).order_by("name")

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        assert isinstance(upload, UploadedFile)
        if upload.size is not None and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The selected file must be smaller than {MAX_MEGABYTES} MB"
            )
        return upload
