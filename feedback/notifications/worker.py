"""The outbox worker: claims due messages one at a time, delivers them, records the outcome.

Exactly once, and what "exactly" can mean
-----------------------------------------
A message goes through three short steps, each its own transaction:

1. **Claim.** One UPDATE picks the oldest due row (``sent_at`` and ``failed_at`` empty,
   ``next_attempt_at <= now``), adds one to ``attempts`` and moves ``next_attempt_at`` one lease
   ahead, then commits. On PostgreSQL the row is chosen with ``FOR UPDATE SKIP LOCKED``, so
   concurrent workers take different rows without waiting for each other. On SQLite the UPDATE is
   the transaction's first statement, so it takes the database's single write lock before it
   reads; workers queue on that lock (busy timeout) and each sees the previous claim. Either way a
   claimed row is not due again until its lease runs out, so no second worker picks it meanwhile.
2. **Send**, with no transaction open (an SMTP exchange can take seconds).
3. **Record**, fenced by the attempt number taken at the claim: ``sent_at`` (or the retry time,
   or ``failed_at``) is written only if ``attempts`` is still the claimed value, so a worker whose
   lease ran out never overwrites the outcome of the worker that claimed the row after it.

A worker may be killed at any moment. Killed before or during the send, the message was not
accepted: its row becomes due again when the lease ends and another worker (or the same one,
restarted) delivers it; the lost attempt counts towards NOTIFICATION_MAX_ATTEMPTS, so a message
that kills its worker cannot loop forever. The one window no outbox can close is a kill after the
mail server answered "250 accepted" and before step 3 committed: the database cannot know the
message left, and it is sent again after the lease. That copy carries the same Message-ID (derived
from the dedupe key, see ``mail.message_id``), so a receiving server or mail client that drops
duplicates shows it once. The window lasts one commit (milliseconds); a SIGTERM or Ctrl-C never
opens it, since the worker finishes the current message, records it, and only then exits. (A
commit that fails because the database went away at that instant has the same effect.)

The lease must outlast the longest send (connect, STARTTLS, sign-in and DATA, each bounded by
SMTP_TIMEOUT): a send that overruns it may be repeated by another worker, with the same Message-ID.

Text messages (SMS, Zalo) take the same three steps, with a fourth between claim and send: one unit
of each daily budget they count against (`budgets.take`). A message over a limit is held until the
next local day, its attempt not counted. A text gateway that gives no answer and takes no
idempotency key leaves the message "unknown" (``unknown_at``): never sent again by itself.
"""

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from feedback.extensions import db
from feedback.models import utcnow
from feedback.notifications import budgets
from feedback.notifications.mail import DeliveryError, MailBackend, build_email, mail_backend
from feedback.notifications.messages import render, render_text
from feedback.notifications.models import Notification
from feedback.notifications.texts import (
    EMAIL,
    TEXT_CHANNELS,
    DeliveryUnknown,
    TextMessage,
    TextSender,
    text_sender,
)

log = logging.getLogger(__name__)

# Default seconds a claim lasts before a killed worker's message is due again: well above the four
# SMTP steps at their 20-second timeout.
DEFAULT_LEASE_SECONDS = 300
MAX_ERROR_LENGTH = 2000


@dataclass
class Claim:
    """A row this worker holds: its id and the attempt number that fences the outcome."""

    id: int
    attempt: int


@dataclass
class RoundResult:
    """What one round of the worker did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0  # text messages over a daily limit, waiting for the next day
    unknown: int = 0  # text messages that may or may not have left (no answer, no idempotency key)
    lost: int = 0  # outcomes not recorded because the lease had run out
    claimed: list[int] = field(default_factory=list)

    @property
    def handled(self) -> int:
        """Messages claimed in the round."""
        return len(self.claimed)


def claim_next(lease: timedelta, due_by: datetime | None = None) -> Claim | None:
    """Claim the oldest due message for `lease`, in a transaction of its own; None when none is due.

    `due_by` (default now) is the latest `next_attempt_at` that counts as due; `--once` passes its
    start time so that it ends even while new messages keep arriving.
    """
    now = utcnow()
    due_by = min(due_by or now, now)
    oldest_due = (
        select(Notification.id)
        .where(Notification.sent_at.is_(None), Notification.failed_at.is_(None),
               Notification.unknown_at.is_(None), Notification.next_attempt_at <= due_by)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(1)
        # PostgreSQL: skip rows another worker is claiming right now. SQLite ignores this; there the
        # UPDATE below holds the write lock while the sub-select runs.
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    row = db.session.execute(
        update(Notification)
        .where(Notification.id == oldest_due)
        .values(attempts=Notification.attempts + 1, next_attempt_at=now + lease)
        .returning(Notification.id, Notification.attempts)
        .execution_options(synchronize_session=False)
    ).first()
    db.session.commit()
    return Claim(id=row.id, attempt=row.attempts) if row else None


def _record(claim: Claim, **values) -> bool:
    """Write the outcome of `claim` if the row is still ours; commit; False when the lease was lost."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == claim.id, Notification.attempts == claim.attempt,
               Notification.sent_at.is_(None), Notification.failed_at.is_(None),
               Notification.unknown_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def retry_delay(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: NOTIFICATION_RETRY_SECONDS × 2^(attempts−1)."""
    return timedelta(seconds=current_app.config["NOTIFICATION_RETRY_SECONDS"] * 2 ** (attempts - 1))


def masked(email: str) -> str:
    """An address as the log shows it (n***@example.vn): enough to recognise, not to harvest."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def masked_phone(phone: str | None) -> str:
    """A number as the log shows it (+84•••••5678)."""
    return f"{phone[:3]}•••••{phone[-4:]}" if phone and len(phone) > 7 else "•••"


def deliver(claim: Claim, backend: MailBackend, texts: dict[str, TextSender] | None = None) -> str:
    """Render and send the claimed message, record the outcome: "sent", "retry", "failed", "held",
    "unknown" or "lost"."""
    notification = db.session.get(Notification, claim.id, populate_existing=True)
    if notification is None:
        # Deleted since the claim (the personal-data purge drops unsent messages): nothing to send.
        db.session.commit()
        log.info("notification %s: removed before it was sent", claim.id)
        return "lost"
    if notification.channel != EMAIL:
        return deliver_text(claim, notification, texts if texts is not None else {})
    # Read what we need, then end the read transaction: no transaction stays open during the send.
    kind, to_email = notification.kind, notification.to_email
    try:
        email = build_email(notification, render(kind, notification.locale, notification.context))
        db.session.commit()
        backend.send(email)
    except Exception as error:  # any failure of this one message is recorded, never fatal to the worker
        db.session.rollback()
        return _record_failure(claim, kind, to_email, masked(to_email), error)
    if not _record(claim, sent_at=utcnow(), last_error=""):
        log.warning("notification %s %s to %s: sent, but its lease had run out (another worker may "
                    "send it again, with the same Message-ID)", claim.id, kind, masked(to_email))
        return "lost"
    log.info("notification %s %s to %s: sent (attempt %s)", claim.id, kind, masked(to_email), claim.attempt)
    return "sent"


def deliver_text(claim: Claim, notification: Notification, texts: dict[str, TextSender]) -> str:
    """Send a claimed SMS or Zalo message within its daily budgets; record the outcome."""
    kind, phone, channel = notification.kind, notification.to_phone or "", notification.channel
    keys = budgets.message_keys(phone, notification.budget_keys or [])
    day = budgets.local_today()
    try:
        if channel not in TEXT_CHANNELS or not phone:
            raise DeliveryError(f"no text channel {channel!r} or no number", permanent=True)
        rendered = render_text(kind, notification.locale, notification.context)
        message = TextMessage(phone=phone, text=rendered.text, fields=rendered.fields, kind=kind,
                              idempotency_key=hashlib.sha256(notification.dedupe_key.encode()).hexdigest()[:32])
        sender = texts.get(channel) or text_sender(channel)
    except Exception as error:  # a message that cannot be written is a failed attempt, as for email
        db.session.rollback()
        return _record_failure(claim, kind, phone, masked_phone(phone), error)
    db.session.commit()
    over = budgets.take(keys, day)
    if over is not None:
        # Not this message's fault: the attempt is given back and the message waits for tomorrow.
        held = _record(claim, attempts=claim.attempt - 1, next_attempt_at=budgets.next_local_midnight(),
                       last_error=f"daily limit reached: {over.partition(':')[0]}")
        log.error("notification %s %s by %s to %s: daily limit of %s reached, held until tomorrow",
                  claim.id, kind, channel, masked_phone(phone), over.partition(":")[0])
        return "held" if held else "lost"
    try:
        sender.send(message)
    except DeliveryUnknown as error:
        recorded = _record(claim, unknown_at=utcnow(), last_error=str(error)[:MAX_ERROR_LENGTH])
        log.error("notification %s %s by %s to %s: outcome unknown, not sent again: %s", claim.id, kind,
                  channel, masked_phone(phone), error)
        return "unknown" if recorded else "lost"
    except Exception as error:  # any failure of this one message is recorded, never fatal to the worker
        budgets.give_back(keys, day)
        return _record_failure(claim, kind, phone, masked_phone(phone), error)
    if not _record(claim, sent_at=utcnow(), last_error=""):
        return "lost"
    log.info("notification %s %s by %s to %s: sent (attempt %s)", claim.id, kind, channel,
             masked_phone(phone), claim.attempt)
    return "sent"


def _record_failure(claim: Claim, kind: str, recipient: str, shown: str, error: Exception) -> str:
    """Schedule the retry of a failed attempt, or give the message up; log one line."""
    text = (f"{type(error).__name__}: {error}" if not isinstance(error, DeliveryError) else str(error))
    # A server's refusal often quotes the address or number; the error is kept, the recipient is not.
    if recipient:
        text = text.replace(recipient, shown).replace(recipient.lstrip("+"), shown)
    text = text[:MAX_ERROR_LENGTH]
    permanent = isinstance(error, DeliveryError) and error.permanent
    now = utcnow()
    if permanent or claim.attempt >= current_app.config["NOTIFICATION_MAX_ATTEMPTS"]:
        outcome = "failed" if _record(claim, failed_at=now, last_error=text) else "lost"
        log.error("notification %s %s to %s: given up after attempt %s: %s", claim.id, kind,
                  shown, claim.attempt, text)
        return outcome
    retry_at = now + retry_delay(claim.attempt)
    outcome = "retry" if _record(claim, next_attempt_at=retry_at, last_error=text) else "lost"
    log.warning("notification %s %s to %s: attempt %s failed, next try at %s: %s", claim.id, kind,
                shown, claim.attempt, retry_at.isoformat(timespec="seconds"), text)
    return outcome


def run_round(backend: MailBackend, *, batch: int, lease: timedelta, due_by: datetime | None = None,
              should_stop: Callable[[], bool] = lambda: False,
              texts: dict[str, TextSender] | None = None) -> RoundResult:
    """Deliver up to `batch` due messages, one claim at a time; stops early when `should_stop()`."""
    result = RoundResult()
    while result.handled < batch and not should_stop():
        claim = claim_next(lease, due_by)
        if claim is None:
            break
        result.claimed.append(claim.id)
        outcome = deliver(claim, backend, texts)
        counter = {"sent": "sent", "retry": "retried", "failed": "failed", "held": "held",
                   "unknown": "unknown"}.get(outcome, "lost")
        setattr(result, counter, getattr(result, counter) + 1)
    return result


class Worker:
    """Runs rounds until stopped (`run_forever`) or until nothing is due (`run_once`)."""

    def __init__(self, backend: MailBackend | None = None, *, batch: int = 100,
                 lease: timedelta = timedelta(seconds=DEFAULT_LEASE_SECONDS), interval: float = 10.0,
                 texts: dict[str, TextSender] | None = None):
        """A worker sending email through `backend` (default: MAIL_BACKEND's) and text messages
        through `texts` (default: SMS_BACKEND's and ZALO_BACKEND's), `batch` claims per round."""
        self.backend = backend if backend is not None else mail_backend()
        self.texts = texts if texts is not None else {channel: text_sender(channel)
                                                      for channel in TEXT_CHANNELS}
        self.batch = batch
        self.lease = lease
        self.interval = interval
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the worker to finish the current message and return (signal handlers call this)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """Whether a stop was asked for."""
        return self._stop.is_set()

    def run_once(self) -> RoundResult:
        """Deliver every message that was due when called, in rounds of `batch`; then return."""
        started = utcnow()
        total = RoundResult()
        while not self.stopping:
            result = run_round(self.backend, batch=self.batch, lease=self.lease, due_by=started,
                               should_stop=lambda: self.stopping, texts=self.texts)
            _add(total, result)
            if result.handled < self.batch:
                break
        return total

    def run_forever(self) -> RoundResult:
        """Deliver due messages, sleeping `interval` seconds whenever a round finds the outbox drained.

        A database that stops answering is waited for, not fatal: the worker logs it, sleeps, and
        tries again (a message whose outcome could not be recorded is due again after its lease).
        """
        total = RoundResult()
        while not self.stopping:
            try:
                result = run_round(self.backend, batch=self.batch, lease=self.lease,
                                   should_stop=lambda: self.stopping, texts=self.texts)
            except DBAPIError as error:
                log.error("database unavailable, trying again in %ss: %s", self.interval,
                          str(error).splitlines()[0])
                _discard_transaction()
                self._stop.wait(self.interval)
                continue
            _add(total, result)
            if result.handled < self.batch:
                self._stop.wait(self.interval)
        return total


def _discard_transaction() -> None:
    """Roll back after a database error, even when the rollback cannot reach the server either."""
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.close()


def _add(total: RoundResult, result: RoundResult) -> None:
    """Add one round's counts to the running total."""
    total.sent += result.sent
    total.retried += result.retried
    total.failed += result.failed
    total.lost += result.lost
    total.held += result.held
    total.unknown += result.unknown
    total.claimed += result.claimed
