"""`flask notifications …`: the outbox worker, the outbox's state, another chance for failed messages."""

import logging
import signal
import sys
import threading
from datetime import timedelta

import click
from flask.cli import AppGroup

from feedback.extensions import db
from feedback.notifications.state import outbox_counts, retry_failed, settle_unknown, unknown_messages
from feedback.notifications.worker import DEFAULT_LEASE_SECONDS, Worker

notifications_cli = AppGroup("notifications", help="Deliver the notification outbox.")


def _log_to_stderr() -> None:
    """One line per delivery or failure on standard error, unless logging is configured already."""
    logger = logging.getLogger("feedback.notifications")
    logger.setLevel(logging.INFO)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)


@notifications_cli.command("run")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit (for cron).")
@click.option("--batch", type=click.IntRange(min=1), default=100, show_default=True,
              help="Messages per round; the worker sleeps only after a round that was not full.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds to sleep when nothing is due.")
@click.option("--lease", type=click.FloatRange(min=0.1), default=float(DEFAULT_LEASE_SECONDS),
              show_default=True,
              help="Seconds a claimed message stays reserved; a killed worker's message is due again "
                   "after it. Keep it above the longest SMTP exchange.")
def run_command(once: bool, batch: int, interval: float, lease: float) -> None:
    """Deliver due messages (MAIL_BACKEND), retrying failures with backoff; SIGTERM finishes the
    current message and exits."""
    _log_to_stderr()
    try:
        worker = Worker(batch=batch, lease=timedelta(seconds=lease), interval=interval)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    previous = _stop_on_signals(worker)
    try:
        total = worker.run_once() if once else worker.run_forever()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    click.echo(f"Sent {total.sent}, retry scheduled for {total.retried}, given up {total.failed}"
               + (f", {total.lost} no longer ours" if total.lost else "") + ".", err=True)


def _stop_on_signals(worker: Worker) -> dict:
    """Make SIGTERM and SIGINT ask `worker` to stop after the current message; returns the old handlers."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handle(signum, _frame):
        """Note the request; the worker checks it between messages."""
        logging.getLogger("feedback.notifications").info(
            "%s received: finishing the current message, then exiting", signal.Signals(signum).name)
        worker.stop()

    return {signum: signal.signal(signum, handle) for signum in (signal.SIGTERM, signal.SIGINT)}


@notifications_cli.command("status")
def status_command() -> None:
    """How many messages are pending, sent and given up, and how long the oldest has waited."""
    counts = outbox_counts()
    click.echo(f"pending: {counts.pending} (due now: {counts.due}, after a failed attempt: "
               f"{counts.retrying})")
    click.echo(f"sent: {counts.sent}")
    click.echo(f"failed: {counts.failed}" + (" (see `flask notifications retry-failed`)"
                                             if counts.failed else ""))
    if counts.unknown:
        click.echo(f"outcome unknown: {counts.unknown} (text messages whose gateway did not answer; "
                   "check its log, then `flask notifications unknown`)")
    if counts.oldest_pending_age is not None:
        click.echo(f"oldest pending: {_duration(counts.oldest_pending_age)} old")


@notifications_cli.command("retry-failed")
def retry_failed_command() -> None:
    """Give every given-up message a fresh set of attempts (after fixing the mail settings)."""
    count = retry_failed()
    db.session.commit()
    click.echo(f"{count} failed message{'' if count == 1 else 's'} queued again.")


@notifications_cli.command("unknown")
@click.option("--resend", "resend", multiple=True, type=int, metavar="ID",
              help="Queue message ID again: the gateway's log shows it never left (repeatable).")
@click.option("--delivered", "delivered", multiple=True, type=int, metavar="ID",
              help="Mark message ID sent: the gateway's log shows it was delivered (repeatable).")
def unknown_command(resend: tuple[int, ...], delivered: tuple[int, ...]) -> None:
    """List the text messages whose gateway gave no answer, or settle them after reading the
    gateway's log: never sent again without an operator's word, so nobody gets a message twice."""
    if set(resend) & set(delivered):
        raise click.UsageError("A message is either resent or delivered, not both.")
    if resend or delivered:
        queued = settle_unknown(list(resend), delivered=False) if resend else 0
        marked = settle_unknown(list(delivered), delivered=True) if delivered else 0
        db.session.commit()
        click.echo(f"Queued again: {queued}; marked delivered: {marked}.")
        if queued + marked < len(resend) + len(delivered):
            click.echo("Some IDs were not messages of unknown outcome and were left alone.", err=True)
        return
    messages = unknown_messages()
    for message in messages:
        number = message.to_phone or ""
        masked = number[:4] + "…" + number[-3:] if len(number) > 7 else number
        click.echo(f"{message.id}\t{message.channel}\t{message.kind}\t{masked}\t"
                   f"{message.unknown_at:%Y-%m-%d %H:%M} UTC\t{' '.join(message.budget_keys or [])}")
    click.echo(f"{len(messages)} message{'' if len(messages) == 1 else 's'} of unknown outcome"
               + (" (ID, channel, kind, number, when, budgets). Check the gateway's log, then "
                  "--resend ID or --delivered ID." if messages else "."))


def _duration(age: timedelta) -> str:
    """A short human reading of `age`: 42s, 7m, 3h 5m, 2d 4h."""
    seconds = int(age.total_seconds())
    if seconds < 60:
        return f"{seconds}s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 60:
        return f"{minutes}m"
    if hours < 24:
        return f"{hours}h {minutes % 60}m"
    return f"{days}d {hours % 24}h"
