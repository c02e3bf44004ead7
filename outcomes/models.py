"""Evidence from agency feeds, matching it to people, frameworks and assessments.

The route from an agency's file to a screened family (FEEDS.md, DOMAIN.md section 4):

    FeedSubmission --rows--> SourcePerson (what one agency says about one of its people)
                                 |  matched (exactly, by score, or by a person in review)
                                 v
                              Person  <-- Evidence (dated, typed per kind)
                                 |  grouped into households (HouseholdKey)
                                 v
                              Family  <-- Assessment (one framework version, one date)
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from agencies.models import Agency
from audit.history import audited
from families.models import Family, Person
from oneplan.dates import govuk_date
from oneplan.models import Job, JobStatus


class FeedKind(models.TextChoices):
    SCHOOL_ATTENDANCE = "school_attendance", "School attendance"
    EXCLUSIONS = "exclusions", "Exclusions"
    OFFENCES = "offences", "Offences"
    ASB = "asb", "Anti-social behaviour"
    POLICE_CALLOUTS = "police_callouts", "Police call-outs"
    BENEFITS = "benefits", "Benefits"
    EMPLOYMENT = "employment", "Employment"
    WORK_PROGRESS = "work_progress", "Progress to work"
    SOCIAL_CARE = "social_care", "Children's social care"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    HEALTH = "health", "Health"
    HOUSING = "housing", "Housing"
    NEET = "neet", "Not in education, employment or training"


# Restricted data (FEEDS.md, DOMAIN.md section 7): shown only to roles that may see a
# family's restricted information, and left out of exports by default.
RESTRICTED_FEED_KINDS = frozenset({FeedKind.DOMESTIC_ABUSE, FeedKind.HEALTH})


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class SubmissionStatus(models.TextChoices):
    RECEIVED = "received", "Waiting to be checked"
    REJECTED = "rejected", "Rejected: nothing imported"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"


# A received file whose import job has started (``FeedSubmission.status_label``).
BEING_CHECKED = "Being checked"


class FeedSubmission(models.Model):
    """One file from one agency, of one kind, for one extract date (FEEDS.md "Files").

    The file itself is kept so an import can be replayed and audited; the counts and
    every row error are what the result page shows.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="feed_submissions")
    kind = models.CharField(max_length=30, choices=FeedKind.choices)
    extract_date = models.DateField(help_text="The date the agency took the data")
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=4, choices=FileFormat.choices)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField(default=0)
    # The submitter chose "import the valid rows only" (logged: who and when is this row).
    valid_rows_only = models.BooleanField(default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feed_submissions"
    )
    submitted_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.RECEIVED
    )
    job = models.OneToOneField(
        Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="feed_submission"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    # Why the whole file was refused (wrong encoding, missing columns...), in plain English.
    file_error = models.TextField(blank=True)
    # Every bad row: [{"row": 7, "column": "date_of_birth", "message": "..."}], row numbers
    # counted as a spreadsheet shows them (the header is row 1).
    row_errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_accepted = models.PositiveIntegerField(default=0, help_text="New evidence records")
    rows_updated = models.PositiveIntegerField(default=0, help_text="Re-sent records updated")
    rows_rejected = models.PositiveIntegerField(default=0)
    people_matched = models.PositiveIntegerField(default=0)
    people_review = models.PositiveIntegerField(default=0)
    people_created = models.PositiveIntegerField(default=0)
    families_touched = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["agency", "kind", "-submitted_at"])]

    def __str__(self) -> str:
        return f"{self.agency} {self.get_kind_display()} {govuk_date(self.extract_date)}"

    @property
    def is_being_checked(self) -> bool:
        """Received, and its import job has started (the progress bar has moved)."""
        job = self.job
        started = job is not None and (job.status == JobStatus.RUNNING or job.progress_done > 0)
        return self.status == SubmissionStatus.RECEIVED and started

    @property
    def status_label(self) -> str:
        """The status in words, agreeing with the progress bar shown beside it: a file
        whose import has started is "Being checked", not "Waiting to be checked"."""
        return BEING_CHECKED if self.is_being_checked else self.get_status_display()


class MatchMethod(models.TextChoices):
    UPN = "upn", "Same Unique Pupil Number"
    NHS_NUMBER = "nhs_number", "Same NHS number"
    NI_NUMBER = "ni_number", "Same National Insurance number"
    SOURCE_ID = "source_id", "Same agency person id seen before"
    SCORE = "score", "Scored match on name, date of birth and address"
    REVIEW = "review", "Decided by a person in the review queue"
    NEW_PERSON = "new_person", "No match: a new person"
    UNLINKED = "unlinked", "A wrong link was undone"


@audited()
class SourcePerson(models.Model):
    """What one agency has told OnePlan about one of its people: their identity as the
    agency holds it, and which person it was matched to and why.

    ``person`` is empty while a doubtful match waits in the review queue; evidence from
    this source follows ``person`` (a link undone moves the evidence with it).
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="source_people")
    source_person_id = models.CharField(max_length=100)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="sources"
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    uprn = models.CharField(max_length=12, blank=True)
    household_id = models.CharField(max_length=100, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    ni_number = models.CharField(max_length=9, blank=True)
    match_method = models.CharField(max_length=12, choices=MatchMethod.choices, blank=True)
    match_score = models.FloatField(null=True, blank=True)
    # Which fields agreed with the person: {"given_name": "nickname", "date_of_birth": "swapped"}
    match_fields = models.JSONField(default=dict, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the link was made automatically",
    )
    last_submission = models.ForeignKey(
        FeedSubmission, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency", "source_person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "source_person_id"], name="source_person_unique_per_agency"
            )
        ]
        indexes = [models.Index(fields=["person"])]

    def __str__(self) -> str:
        return f"{self.agency.code}:{self.source_person_id}"


class MatchDecisionKind(models.TextChoices):
    LINKED = "linked", "Linked to a person"
    CREATED = "created", "Created a new person"
    SENT_TO_REVIEW = "sent_to_review", "Sent to the review queue"
    UNLINKED = "unlinked", "Link undone"


class MatchDecision(models.Model):
    """Append-only log of every link made, sent to review, or undone, and why."""

    source = models.ForeignKey(SourcePerson, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=16, choices=MatchDecisionKind.choices)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    previous_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=12, choices=MatchMethod.choices, blank=True)
    score = models.FloatField(null=True, blank=True)
    fields = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission = models.ForeignKey(
        FeedSubmission, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["source", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.source_id}"


class MatchReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    LINKED = "linked", "Same person: linked"
    NEW_PERSON = "new_person", "Different people: new person created"


@audited()
class MatchReview(models.Model):
    """A doubtful match waiting in the review queue: one source, its best candidates."""

    source = models.ForeignKey(SourcePerson, on_delete=models.CASCADE, related_name="reviews")
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    # Per field: "agrees", "close" (typo, nickname, swapped day/month), "differs", "missing".
    field_agreement = models.JSONField(default=dict)
    status = models.CharField(
        max_length=12, choices=MatchReviewStatus.choices, default=MatchReviewStatus.PENDING
    )
    submission = models.ForeignKey(
        FeedSubmission, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "candidate"],
                condition=Q(status="pending"),
                name="match_review_one_pending_per_pair",
            )
        ]
        indexes = [models.Index(fields=["status", "-score"])]

    def __str__(self) -> str:
        return f"Review {self.source_id} against person {self.candidate_id}"


class HouseholdKey(models.Model):
    """How records are grouped into a family's household (FEEDS.md "What a submission
    produces", step 3): ``uprn:<UPRN>``, ``household:<agency id>:<household_id>`` or
    ``address:<normalised line 1>|<postcode>``; strongest first."""

    key = models.CharField(max_length=320, unique=True)
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="household_keys")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["family"])]

    def __str__(self) -> str:
        return self.key


# Not trigger-audited: evidence is written only by imports, and the submission that sent
# each row (kept with its file) is its audit trail; per-row history would double the
# cost of the largest writes the system makes.
class Evidence(models.Model):
    """A dated fact about a person from an agency's feed, typed by ``kind``.

    ``date`` is the event or start date (the start of term for attendance), ``end_date``
    the end where the kind has one; ``data`` holds the kind's own columns, already
    validated and normalised (numbers as numbers, dates as ISO strings, codes lower case).
    Re-sending the same agency, kind and record_id updates this row.
    """

    source = models.ForeignKey(SourcePerson, on_delete=models.PROTECT, related_name="evidence")
    # Follows source.person; empty while the source waits in the review queue.
    # No single-column indexes on person and agency: the (person, kind, date) index and
    # the unique (agency, kind, record_id) constraint serve those lookups, and every
    # extra index slows the largest writes the system makes.
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        db_index=False,
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(max_length=30, choices=FeedKind.choices)
    record_id = models.CharField(max_length=100)
    date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    data = models.JSONField(default=dict)
    is_restricted = models.BooleanField(default=False)
    submission = models.ForeignKey(FeedSubmission, on_delete=models.PROTECT, related_name="+")
    extract_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "record_id"], name="evidence_unique_record"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("date")),
                name="evidence_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "kind", "date"]),
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {govuk_date(self.date)} ({self.agency.code})"


class Framework(models.TextChoices):
    TF1 = "tf1", "Troubled Families phase 1 (2012)"
    TF2 = "tf2", "Troubled Families phase 2 (2015)"
    SF2022 = "sf2022", "Supporting Families (2022)"


class FrameworkVersion(models.Model):
    """One saved set of a framework's parameters (DOMAIN.md 4: "rules marked
    configurable live in data"). For ``tf2`` the parameters are the council's local
    Troubled Families Outcome Plan, which the programme manager edits; every save is a new
    version, and an assessment records the version it used so it can be replayed."""

    framework = models.CharField(max_length=8, choices=Framework.choices)
    version = models.PositiveIntegerField()
    parameters = models.JSONField()
    change_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["framework", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "version"], name="framework_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.framework} v{self.version}"


class FrameworkPeriod(models.Model):
    """Which framework the programme worked under from when. A family is assessed under
    the framework in force on the day it was attached (or today, before attachment)."""

    framework = models.CharField(max_length=8, choices=Framework.choices)
    starts_on = models.DateField(unique=True)

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"{self.framework} from {govuk_date(self.starts_on)}"


class Assessment(models.Model):
    """A family's assessment under one framework version on one date.

    ``criteria`` is ``{code: {"met": bool, "reasons": [str], "evidence": [ids],
    "people": [ids]}}``; ``fingerprint`` hashes what the assessment saw (evidence rows and
    their update times, household members, parameters version, date), so re-assessing a
    family whose inputs have not changed writes nothing.
    """

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="assessments")
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    framework = models.CharField(max_length=8, choices=Framework.choices)
    as_of = models.DateField()
    eligible = models.BooleanField()
    criteria = models.JSONField(default=dict)
    met_count = models.PositiveSmallIntegerField(default=0)
    fingerprint = models.CharField(max_length=64)
    is_current = models.BooleanField(default=True)
    assessed_at = models.DateTimeField()
    # The last day this answer is sure to hold if nothing about the family changes (the
    # day before its windows next gain or lose a date): the nightly run leaves it alone
    # until then (outcomes.frameworks.stability).
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "framework"],
                condition=Q(is_current=True),
                name="assessment_one_current_per_framework",
            )
        ]
        indexes = [
            models.Index(
                fields=["framework", "eligible"],
                condition=Q(is_current=True),
                name="assessment_current_eligible",
            ),
            models.Index(
                fields=["valid_until"],
                condition=Q(is_current=True),
                name="assessment_current_valid_until",
            ),
            # "Is this family eligible now?", asked per family by the screening list and
            # the LCG dashboard (lcgs.caseload.conditions.with_screening).
            models.Index(
                fields=["family", "framework"],
                condition=Q(is_current=True, eligible=True),
                name="assessment_family_eligible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family_id} {self.framework} {govuk_date(self.as_of)}"


class EvaluationKind(models.TextChoices):
    ELIGIBILITY = "eligibility", "Eligibility"
    RESULTS = "results", "Results"


class EvaluationRun(models.Model):
    """One nightly run of the eligibility or results evaluation: when it started and
    finished, the date it judged on, whether it looked at every family or only those due
    or changed since the last finished run (whose start is this run's watermark), and
    what it did."""

    kind = models.CharField(max_length=12, choices=EvaluationKind.choices)
    as_of = models.DateField()
    everyone = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} run on {govuk_date(self.as_of)}"


class ResultQueue(models.Model):
    """Families waiting for their results to be evaluated on ``as_of``: a nightly run
    puts the families due or changed here, and any number of workers take chunks of
    them (``SKIP LOCKED``) until none are left; a chunk leaves the queue only when its
    results commit, so a worker that dies gives its chunk back."""

    family = models.OneToOneField(Family, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    queued_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Evaluate the results of family {self.family_id}"


class AssessmentQueue(models.Model):
    """Families whose evidence or household changed since their last assessment.

    Imports and link changes add rows (one per family, so adding twice is harmless); the
    background re-assessment takes and removes them. The nightly run re-checks everyone
    and relies on fingerprints to write only what changed.
    """

    family = models.OneToOneField(Family, on_delete=models.CASCADE, related_name="+")
    queued_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Assess family {self.family_id}"


class NominationStatus(models.TextChoices):
    OPEN = "open", "Waiting for screening"
    ACCEPTED = "accepted", "Accepted: eligible"
    DECLINED = "declined", "Not taken on"
    WITHDRAWN = "withdrawn", "Withdrawn"


@audited()
class Nomination(models.Model):
    """A professional's nomination of a family, with the criteria they believe apply.

    Here rather than in ``families`` because the criteria are framework criterion codes.
    Nominations and data-identified families meet in one screening list per LCG.
    """

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="nominations")
    framework = models.CharField(max_length=8, choices=Framework.choices)
    criteria = ArrayField(models.CharField(max_length=40), default=list)
    reason = models.TextField()
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=NominationStatus.choices, default=NominationStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "family"])]

    def __str__(self) -> str:
        return f"Nomination of {self.family_id} by {self.agency_id}"


@audited()
class Attachment(models.Model):
    """A family taken onto the programme (DOMAIN.md 4): the date, the framework version
    in force then, and its **entry assessment**, eligibility on that date, frozen. Results
    are judged under that version, only against the criteria met at entry, however the
    rules or the data change later. One per family: attaching it again on the same date
    changes nothing, and another date is refused.

    ``entry_criteria`` is the entry assessment's criteria as ``Assessment.criteria``
    stores them (met, reasons, evidence and people ids per criterion)."""

    family = models.OneToOneField(Family, on_delete=models.CASCADE, related_name="attachment")
    framework = models.CharField(max_length=8, choices=Framework.choices)
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="attachments"
    )
    attached_on = models.DateField()
    eligible_at_entry = models.BooleanField()
    entry_criteria = models.JSONField(default=dict)
    entry_summary = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["attached_on", "pk"]
        indexes = [models.Index(fields=["framework", "attached_on"])]

    def __str__(self) -> str:
        return f"Family {self.family_id} attached on {govuk_date(self.attached_on)}"


class Readiness(models.TextChoices):
    CLAIMABLE = "claimable", "Claimable"
    AT_RISK = "at_risk", "At risk"
    BLOCKED = "blocked", "Blocked"
    NOT_YET = "not_yet", "Not yet"


class Result(models.Model):
    """A family's results and claim readiness as the evaluation last found them (DOMAIN.md
    4, 5). One current row per family; when the results change, the current row stops
    being current and a new one is written, so the history of what a family's results
    were, and when, is kept. ``checks`` holds each result rule's answer (met, relevant,
    reasons, evidence ids, the date it was met)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="results")
    framework = models.CharField(max_length=8, choices=Framework.choices)
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="results"
    )
    as_of = models.DateField()
    checks = models.JSONField(default=dict)
    route = models.CharField(max_length=12, blank=True)
    achieved_on = models.DateField(null=True, blank=True)
    readiness = models.CharField(max_length=10, choices=Readiness.choices)
    readiness_reasons = models.JSONField(default=list)
    # A hash of the decision (checks, route, readiness): equal means nothing changed.
    fingerprint = models.CharField(max_length=64)
    is_current = models.BooleanField(default=True)
    evaluated_at = models.DateTimeField()
    # As ``Assessment.valid_until``: the last day these results are sure to hold.
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["family", "-evaluated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(is_current=True),
                name="result_one_current_per_family",
            ),
        ]
        indexes = [
            models.Index(
                fields=["readiness"], condition=Q(is_current=True), name="result_current_readiness"
            ),
            models.Index(
                fields=["valid_until"],
                condition=Q(is_current=True),
                name="result_current_valid_until",
            ),
        ]

    def __str__(self) -> str:
        return f"Results of family {self.family_id} as of {govuk_date(self.as_of)}"


class ClaimBatchStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_AUDIT = "in_audit", "In internal audit"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


@audited()
class ClaimBatch(models.Model):
    """A programme manager's claim for a window (DOMAIN.md 5): the families proposed as
    claimable, each with its frozen evidence snapshot."""

    window_start = models.DateField()
    window_end = models.DateField()
    status = models.CharField(
        max_length=10, choices=ClaimBatchStatus.choices, default=ClaimBatchStatus.DRAFT
    )
    # The internal audit's reproducible random sample: its share and seed.
    sample_percent = models.PositiveSmallIntegerField(default=10)
    sample_seed = models.BigIntegerField(null=True, blank=True)
    # What government paid for an accepted batch, and when.
    paid_amount = models.DecimalField(max_digits=11, decimal_places=2, null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")),
                name="claim_batch_window_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Claims for {govuk_date(self.window_start)} to {govuk_date(self.window_end)}"


class ClaimStatus(models.TextChoices):
    PROPOSED = "proposed", "In the batch"
    REMOVED = "removed", "Removed from the batch"
    CLAWED_BACK = "clawed_back", "Clawed back"


class ClaimKind(models.TextChoices):
    RESULT = "result", "Result"
    # Approved by a senior officer with a written reason (DOMAIN.md 4.2, 5).
    EQUIVALENT = "equivalent", "Equivalent progress"


@audited()
class Claim(models.Model):
    """One family's claim in a batch, with the **evidence snapshot** that made it
    claimable (framework version and parameters, entry assessment, results, the evidence
    rows' values, the household) and its SHA-256, so the decision can be replayed after
    rules or data change. A family is claimed once per programme: the database refuses a
    second claim that stands (neither removed nor clawed back)."""

    batch = models.ForeignKey(ClaimBatch, on_delete=models.PROTECT, related_name="claims")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="claims")
    framework = models.CharField(max_length=8, choices=Framework.choices)
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="claims"
    )
    route = models.CharField(max_length=12)
    claim_date = models.DateField(help_text="The date the route was met")
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    snapshot = models.JSONField()
    snapshot_sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.PROPOSED
    )
    status_reason = models.TextField(blank=True)
    # A result met, or "equivalent progress" approved by a senior officer: then
    # ``route`` is the framework's full result it is paid as, and the reason is kept.
    kind = models.CharField(max_length=10, choices=ClaimKind.choices, default=ClaimKind.RESULT)
    equivalent_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["batch", "family"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "framework"],
                condition=Q(status="proposed"),
                name="claim_once_per_programme",
            ),
            models.CheckConstraint(
                condition=Q(kind="result", equivalent_reason="")
                | (Q(kind="equivalent") & ~Q(equivalent_reason="")),
                name="claim_equivalent_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Claim for family {self.family_id} ({self.route})"


class ClaimBatchChange(models.Model):
    """Each change of a claim batch's status: who, when, from what to what, and why."""

    batch = models.ForeignKey(ClaimBatch, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=10, choices=ClaimBatchStatus.choices)
    to_status = models.CharField(max_length=10, choices=ClaimBatchStatus.choices)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["batch", "created_at", "pk"]

    def __str__(self) -> str:
        return f"Batch {self.batch_id}: {self.from_status} to {self.to_status}"


class SampledBecause(models.TextChoices):
    RANDOM = "random", "Random sample"
    RECORDED = "recorded", "Rests on an outcome a practitioner recorded"
    EQUIVALENT = "equivalent", "Equivalent progress"


class AuditDecision(models.TextChoices):
    PASS = "pass", "Passed"
    QUERY = "query", "Queried"
    FAIL = "fail", "Failed"


# The internal audit's checklist (DOMAIN.md 5), in the order the auditor answers it.
AUDIT_CHECKLIST = (
    ("eligible_at_entry", "Eligible at entry"),
    ("whole_family_assessment", "Whole-family assessment"),
    ("family_plan", "Family plan"),
    ("key_worker", "Key worker"),
    ("outcome_evidence", "Outcome evidence"),
)


@audited()
class ClaimAudit(models.Model):
    """A claim in the internal audit's sample, why it was sampled, and the auditor's
    checklist against its snapshot and decision."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="audit")
    sampled_because = models.CharField(max_length=10, choices=SampledBecause.choices)
    # Checklist item -> True (confirmed) or False (not confirmed).
    checklist = models.JSONField(default=dict, blank=True)
    decision = models.CharField(max_length=5, choices=AuditDecision.choices, blank=True)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["claim"]

    def __str__(self) -> str:
        return f"Audit of claim {self.claim_id}"


@audited()
class RecordedOutcome(models.Model):
    """An outcome the family's lead practitioner recorded for one of its needs, with a
    reason, where no feed carries the measure (sf2022, DOMAIN.md 4.3); the results read
    the current one per need (``outcomes.results.recorded``), and a claim resting on one
    is always in the internal audit's sample. A correction is a new current row: the one
    it replaces stops being current and points to it, so what was recorded, by whom and
    why is kept."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="recorded_outcomes")
    need_code = models.CharField(max_length=40)
    positive = models.BooleanField()
    reason = models.TextField()
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    is_current = models.BooleanField(default=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["family", "need_code", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "need_code"],
                condition=Q(is_current=True),
                name="recorded_outcome_one_current_per_need",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="recorded_outcome_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Outcome of {self.need_code} recorded for family {self.family_id}"


@audited()
class AttachmentFee(models.Model):
    """The attachment fee the programme pays for each family attached under a framework
    in one financial year (1 April to 31 March), DOMAIN.md 1 and 4 **(configurable)**: a
    family earns the fee of the year it was attached in. Result payments are not here:
    they are each framework version's ``payments`` parameters
    (``outcomes.frameworks.payments.result_payment``, the one function that prices a
    claim). The national defaults are seeded by a data migration; the programme manager
    changes them on the payment rates page, and every change is kept (history)."""

    framework = models.CharField(max_length=8, choices=Framework.choices)
    # The calendar year the financial year starts in: 2025 for April 2025 to March 2026.
    financial_year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    # Where the figure comes from ("National default: ...", a local agreement).
    source = models.CharField(max_length=200)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["framework", "financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "financial_year"], name="attachment_fee_one_per_year"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="attachment_fee_not_negative"),
        ]

    def __str__(self) -> str:
        year = self.financial_year
        return f"{self.framework} attachment fee {year} to {year + 1}"


# Areas that keep their models in their own module (found here under the app label).
from outcomes.costs.models import CostUnit, ProgrammeSpend, UnitCost  # noqa: E402, F401
from outcomes.extracts.models import ExtractLog  # noqa: E402, F401
from outcomes.reporting.models import ProgrammeTarget, QuarterlyReturnPreset  # noqa: E402, F401
