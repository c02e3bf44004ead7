"""Daily reminders: one email a day to each person with overdue actions or reviews due.

Sending twice sends once, also when two workers run at the same moment, and a failed
delivery is tried again without a second email to those already reached:

1. In one transaction per recipient, insert the (recipient, day) ``ReminderDigest``
   row with ON CONFLICT DO NOTHING. A second run that inserts the same key waits for
   the first run's transaction to finish, then inserts nothing.
2. Lock the row if it is still unsent (``FOR UPDATE SKIP LOCKED``): a row that is sent,
   or that another run is sending right now, is skipped.
3. Send, then set ``sent_at`` and commit. If sending fails the transaction rolls back,
   the row is gone (or stays unsent), and the next run sends it.

The one window left: the mail server accepted the message but the commit after it
failed (the database went away in between). A retry then sends that one email again;
at-least-once is the right side to err on for a reminder.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from agencies.models import User
from audit.history import records_actor
from audit.services import access_events_record_many
from plans.models import ReminderDigest
from plans.work.emails import reminder_email
from plans.work.selectors import ReminderDue, reminders_due

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RemindersResult:
    day: datetime.date
    sent: int
    already_sent: int
    failed: int


def reminder_digest_send(*, actor: User, due: ReminderDue, day: datetime.date) -> bool:
    """Email ``due.recipient`` their reminders for ``day`` unless that is already done
    (or being done by another run). True if this call sent it.

    Records that the recipient was shown the families named in the email (references
    only), in the same transaction as the digest row.
    """
    with transaction.atomic():
        ReminderDigest.objects.bulk_create(
            [ReminderDigest(recipient=due.recipient, day=day)], ignore_conflicts=True
        )
        digest = (
            ReminderDigest.objects.select_for_update(skip_locked=True)
            .filter(recipient=due.recipient, day=day, sent_at__isnull=True)
            .first()
        )
        if digest is None:
            return False
        # Written before sending: once the email is out, nothing may fail before commit.
        references = sorted(
            {i.family_reference for i in (*due.own_actions, *due.unnamed_actions, *due.reviews)}
        )
        access_events_record_many(
            user=due.recipient,
            family_ids=due.family_ids,
            family_references=references,
            filters={"day": day.isoformat()},
            purpose="Daily reminder email",
            detail={"reminder_digest": digest.pk, "sent_by": actor.pk},
        )
        reminder_email(due, day=day).send(fail_silently=False)
        digest.overdue_actions = due.overdue_actions
        digest.reviews_due = len(due.reviews)
        digest.sent_at = timezone.now()
        digest.save(update_fields=["overdue_actions", "reviews_due", "sent_at"])
    return True


@records_actor
def reminders_send(*, actor: User, today: datetime.date) -> RemindersResult:
    """Send the day's reminders (``plans.work.selectors.reminders_due``) to everyone
    who has some. Safe to run again on the same day: only people not yet reached get
    an email. A failure for one person is logged and counted, and the others still get
    theirs; the caller retries the run to reach the ones that failed."""
    sent = already_sent = failed = 0
    for due in reminders_due(today=today):
        try:
            if reminder_digest_send(actor=actor, due=due, day=today):
                sent += 1
            else:
                already_sent += 1
        # Any delivery error (SMTP refusal, network, bad address) must not stop the
        # other recipients' emails; the failed one was rolled back and is retried.
        except Exception:
            logger.exception(
                "Reminder email for user %s on %s was not sent", due.recipient.pk, today
            )
            failed += 1
    logger.info(
        "Reminders for %s: %d sent, %d already sent, %d failed", today, sent, already_sent, failed
    )
    return RemindersResult(day=today, sent=sent, already_sent=already_sent, failed=failed)
