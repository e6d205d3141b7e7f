"""`flask notifications …`: the outbox worker."""

import click
from flask.cli import AppGroup

notifications_cli = AppGroup("notifications", help="Deliver the notification outbox.")
