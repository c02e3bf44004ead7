"""Query-string parameters of the assessment API; see ``families.filters``."""

from __future__ import annotations

from families.filters import GivenChoiceFilter, QueryParameters
from outcomes.models import Framework


class FamilyAssessmentParameters(QueryParameters):
    """GET /api/family-assessments/{reference}/: ``framework`` is passed to
    ``assessment_view_for_user``."""

    framework = GivenChoiceFilter(
        choices=Framework.choices,
        help_text="Another framework's assessment (default: the family's own)",
        error_messages={
            "invalid_choice": "Unknown framework %(value)r",
            "blank": "Choose a framework, or leave framework out for the family's own",
        },
    )
