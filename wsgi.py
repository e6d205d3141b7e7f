"""WSGI entry point: `gunicorn wsgi:app`."""

import gc

from feedback import create_app

app = create_app()

# What start-up built (the app, SQLAlchemy's mappers, Babel's data) lives as long as the process.
# Frozen, it is left out of every garbage collection: a dashboard page that reads thousands of
# summary rows no longer pays for full collections that walk all of it, and gunicorn's forked
# workers keep sharing those memory pages instead of copying them when the collector touches them.
gc.freeze()
