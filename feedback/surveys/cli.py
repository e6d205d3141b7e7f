"""`flask surveys …`: load the built-in questionnaire, deploy it, purge abandoned drafts."""

import click
from flask.cli import AppGroup

from feedback.agencies.services import find_agency
from feedback.extensions import db
from feedback.surveys.drafts import draft_max_age, purge_drafts, purge_used_nonces
from feedback.surveys.services import default_survey_version, deploy, load_default_survey

surveys_cli = AppGroup("surveys", help="Load and deploy surveys; purge abandoned drafts.")


@surveys_cli.command("load-default")
def load_default_command() -> None:
    """Create the SIPAS satisfaction questionnaire (published), unless it is already there."""
    existing = default_survey_version()
    version = load_default_survey()
    db.session.commit()
    questions = len(version.questions)
    if existing is not None:
        click.echo(f"The default survey '{version.survey.key}' is already loaded "
                   f"(version {version.number}, {questions} items); nothing changed.")
    else:
        click.echo(f"Loaded the default survey '{version.survey.key}' version {version.number} "
                   f"({questions} items), published.")


@surveys_cli.command("deploy")
@click.option("--agency", "agency_code", required=True, help="Code of the agency to deploy at.")
@click.option("--subtree", is_flag=True, help="Also deploy at every active agency below it.")
def deploy_command(agency_code: str, subtree: bool) -> None:
    """Offer the default survey's published version at an agency, by public link and QR code."""
    version = default_survey_version()
    if version is None:
        raise click.ClickException("The default survey is not loaded yet; run "
                                   "`flask surveys load-default` first.")
    agency = find_agency(agency_code)
    if agency is None:
        raise click.ClickException(f"No agency has the code {agency_code!r}.")
    try:
        deployments = deploy(version, agency, subtree=subtree)
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Deployed '{version.survey.key}' version {version.number} at "
               f"{len(deployments)} agenc{'y' if len(deployments) == 1 else 'ies'}; "
               "any earlier survey there has ended:")
    for deployment in deployments:
        click.echo(f"  {deployment.agency.code}\t/s/{deployment.agency.code}\t{deployment.agency.name_vi}")


@surveys_cli.command("purge-drafts")
def purge_drafts_command() -> None:
    """Delete unfinished surveys not touched for SURVEY_DRAFT_MAX_AGE hours, and the used form
    token nonces no valid token can carry any more (run it from cron)."""
    removed = purge_drafts()
    nonces = purge_used_nonces()
    db.session.commit()
    hours = draft_max_age().total_seconds() / 3600
    click.echo(f"Deleted {removed} unfinished survey draft{'' if removed == 1 else 's'} "
               f"not touched for {hours:g} hours.")
    click.echo(f"Deleted {nonces} used form token nonce{'' if nonces == 1 else 's'} "
               "no valid form can carry any more.")
