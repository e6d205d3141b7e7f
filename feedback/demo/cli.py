"""`flask seed-demo`: load the demo province and print the logins."""

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from feedback.demo.data import AGENCIES
from feedback.demo.seed import DEMO_USER_LABELS, DEMO_USERS, database_is_empty, seed_demo
from feedback.extensions import db


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (but print the logins) when data exists.")
@click.option("--responses", default=3000, show_default=True, help="Survey responses to simulate.")
@click.option("--months", default=12, show_default=True, help="Months the responses spread over.")
@click.option("--agencies", type=click.IntRange(min=len(AGENCIES)), default=None,
              help=f"Agencies for a large demo: the {len(AGENCIES)} named ones, then generated communes "
                   "and their one-stop shops; responses are then written in bulk.")
@click.option("--ratings", type=click.IntRange(min=0), default=None,
              help="Counter ratings to simulate (default: half the responses, at least 200).")
@click.option("--seed", default=2026, show_default=True, help="Random seed (same seed, same demo).")
@click.option("--force", is_flag=True, help="Load the demo even in production (APP_ENV=production).")
@with_appcontext
def seed_demo_command(if_empty: bool, responses: int, months: int, agencies: int | None,
                      ratings: int | None, seed: int, force: bool) -> None:
    """Load a demo province: ~30 agencies, staff logins, the SIPAS survey, a year of responses."""
    if current_app.config["PRODUCTION"] and not force:
        # The demo's staff logins have published passwords: never by accident on a real server.
        raise click.ClickException("this is a production setup (APP_ENV=production or unset): the "
                                   "demo, with its published staff passwords, is not loaded. Add "
                                   "--force to load it anyway (e.g. on a training server).")
    if not database_is_empty():
        if not if_empty:
            raise click.ClickException("the database already holds agencies; the demo is only "
                                       "loaded into an empty database")
        click.echo("The database already holds data; demo not loaded again.")
    else:
        began = time.perf_counter()
        if agencies is None:
            summary = seed_demo(responses=responses, months=months, seed=seed, ratings=ratings)
        else:
            with click.progressbar(length=responses, label="Responses", show_pos=True) as bar:
                summary = seed_demo(responses=responses, months=months, seed=seed, agencies=agencies,
                                    progress=bar.update, ratings=ratings)
        db.session.commit()
        click.echo(f"Demo loaded: {summary.agencies} agencies, {summary.responses} responses.")
        if agencies is not None:
            click.echo(f"Loaded in {time.perf_counter() - began:.0f} s, dashboard summary included.")
        dialogues = summary.dialogues
        click.echo(f"Dialogues: {dialogues.conferences} conferences, {dialogues.registrations} "
                   f"registrations, {dialogues.petitions} petitions.")
        click.echo(f"One-time code printed on a receipt, for example: "
                   f"http://127.0.0.1:5000/r/{summary.sample_code}")
        counters = summary.counters
        click.echo(f"Counter ratings: {counters.officers} officers, {counters.ratings} ratings; one "
                   f"officer's desk-plate link: http://127.0.0.1:5000/o/{counters.sample_officer} "
                   "(kiosk PIN 2026)")
    click.echo("\nDemo logins (http://127.0.0.1:5000/login):")
    for email, password, _role, _agency in DEMO_USERS:
        click.echo(f"  {email:32} {password:20} {DEMO_USER_LABELS[email]}")
    click.echo("\nCitizen survey, for example: http://127.0.0.1:5000/s/STP")
    click.echo("Dialogue conferences open for sign-up: http://127.0.0.1:5000/dialogues/")
    click.echo("Staff work areas after signing in: http://127.0.0.1:5000/manage/")
