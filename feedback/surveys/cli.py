"""`flask surveys …`: load the built-in questionnaire and deploy it."""

from flask.cli import AppGroup

surveys_cli = AppGroup("surveys", help="Load and deploy surveys.")
