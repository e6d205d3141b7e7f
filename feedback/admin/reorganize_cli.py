"""`flask agencies merge | split | rename | move | dissolve | kinds`: reorganizations of the agency
tree on an effective date (agencies.reorganize), with the role grants on ended agencies listed
and moved only with --move-grants. Lives with the admin's pages because it touches grants."""

from datetime import date

import click

from feedback.admin.reorganize import describe, grant_moves, move_grants
from feedback.agencies import reorganize
from feedback.agencies.cli import agencies_cli
from feedback.agencies.kinds import PEER_GROUPS, add_kind, all_kinds
from feedback.agencies.services import find_agency
from feedback.extensions import db

ON = click.option("--on", "on", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
                  help="Effective date, YYYY-MM-DD (today or earlier).")
MOVE_GRANTS = click.option("--move-grants", is_flag=True,
                           help="Move the role grants on ended agencies to the successor.")


def _agency(code: str):
    """The agency with `code`, or a clear error."""
    agency = find_agency(code)
    if agency is None:
        raise click.ClickException(f"No agency has the code {code!r}. Nothing changed.")
    return agency


def _run(change, *args, **kwargs):
    """Run a reorganization, turning its refusal into a message; nothing is written on refusal."""
    try:
        return change(*args, **kwargs)
    except reorganize.ReorganizationError as error:
        db.session.rollback()
        raise click.ClickException(f"{error} Nothing changed.") from error


def _grants(ended, successor, move: bool) -> None:
    """List the grants on the ended agencies; move them when asked."""
    moves = grant_moves(ended, successor)
    if not moves:
        return
    click.echo("Role grants on the ended agencies:")
    for each in moves:
        click.echo("  " + describe(each))
    if move:
        click.echo(f"Moved {move_grants(moves)} grant(s) to {successor.code}.")
    else:
        click.echo("They stay where they are; run again with --move-grants (or use /admin/agencies) "
                   "to move them. Moving a grant widens what its holder sees.")


def _day(value) -> date:
    """The date of a click DateTime."""
    return value.date()


@agencies_cli.command("merge")
@click.argument("codes", nargs=-1, required=True)
@click.option("--into", "into", required=True, help="One of the merged codes (it stays) or a new code.")
@click.option("--name-vi", default="", help="The new agency's Vietnamese name.")
@click.option("--name-en", default="", help="The new agency's English name.")
@click.option("--kind", default=None, help="The new agency's kind (default: the first merged one's).")
@ON
@MOVE_GRANTS
def merge_command(codes, into, name_vi, name_en, kind, on, **flags) -> None:
    """Merge agencies CODES into one: a new agency (--into NEW --name-vi …) or one of them."""
    agencies = [_agency(code) for code in codes]
    keep = next((a for a in agencies if a.code.upper() == into.upper()), None)
    new = None if keep else reorganize.NewAgency(into, name_vi, name_en, kind)
    successor = _run(reorganize.merge, agencies, _day(on), keep=keep, new=new)
    _grants([a for a in agencies if a is not successor], successor, flags["move_grants"])
    db.session.commit()
    click.echo(f"Merged {', '.join(codes)} into {successor.code} on {_day(on).isoformat()}.")


@agencies_cli.command("split")
@click.argument("code")
@click.option("--part", "parts", multiple=True, nargs=2, metavar="CODE NAME_VI", required=True,
              help="A part: a new code and its Vietnamese name, or an existing agency's code and -.")
@click.option("--history", required=True, help="The part that carries the history.")
@ON
@MOVE_GRANTS
def split_command(code, parts, history, on, **flags) -> None:
    """Split agency CODE into parts; the --history part carries its history, the others start fresh."""
    agency = _agency(code)
    listed = [find_agency(part) if name == "-" else reorganize.NewAgency(part, name)
              for part, name in parts]
    if None in listed:
        raise click.ClickException("A part given with - must be an existing agency. Nothing changed.")
    successors = _run(reorganize.split, agency, _day(on), listed, history=history)
    heir = next(s for s in successors if s.code == history)
    _grants([agency], heir, flags["move_grants"])
    db.session.commit()
    click.echo(f"Split {code} into {', '.join(s.code for s in successors)} on {_day(on).isoformat()}; "
               f"{heir.code} carries its history.")


@agencies_cli.command("rename")
@click.argument("code")
@click.option("--name-vi", required=True)
@click.option("--name-en", default="")
@ON
def rename_command(code, name_vi, name_en, on) -> None:
    """Rename agency CODE (the code stays, so posters and grants do)."""
    _run(reorganize.rename, _agency(code), _day(on), name_vi, name_en)
    db.session.commit()
    click.echo(f"Renamed {code} on {_day(on).isoformat()}.")


@agencies_cli.command("move")
@click.argument("code")
@click.option("--parent", default=None, help="The new parent's code.")
@click.option("--top", is_flag=True, help="Put the agency at the top level.")
@ON
def move_command(code, parent, top, on) -> None:
    """Move agency CODE and its subtree under --parent (or to the --top level)."""
    if (parent is None) == (not top):
        raise click.ClickException("Give --parent CODE or --top. Nothing changed.")
    _run(reorganize.move, _agency(code), _agency(parent) if parent else None, _day(on))
    db.session.commit()
    click.echo(f"Moved {code} under {parent or '(top level)'} on {_day(on).isoformat()}.")


@agencies_cli.command("dissolve")
@click.argument("code")
@click.option("--successor", default=None, help="The agency that takes over its open work.")
@ON
@MOVE_GRANTS
def dissolve_command(code, successor, on, **flags) -> None:
    """Dissolve agency CODE and everything under it; --successor takes its open petitions and its
    posters lead there (its history stays its own)."""
    agency = _agency(code)
    heir = _agency(successor) if successor else None
    ended = _run(reorganize.dissolve, agency, _day(on), successor=heir)
    if heir is not None:
        _grants(ended, heir, flags["move_grants"])
    db.session.commit()
    click.echo(f"Dissolved {', '.join(a.code for a in ended)} on {_day(on).isoformat()}.")


@agencies_cli.command("kinds")
@click.option("--add", "code", default=None, help="Add a kind with this code.")
@click.option("--name-vi", default="")
@click.option("--name-en", default="")
@click.option("--peer-group", type=click.Choice(PEER_GROUPS), default="other")
def kinds_command(code, name_vi, name_en, peer_group) -> None:
    """List the agency kinds, or add one (--add CODE --name-vi … --peer-group …)."""
    if code:
        if not name_vi:
            raise click.ClickException("A new kind needs --name-vi. Nothing changed.")
        try:
            add_kind(code, name_vi, name_en, peer_group)
        except ValueError as error:
            raise click.ClickException(f"{error} Nothing changed.") from error
        db.session.commit()
    for kind in all_kinds():
        mark = " (history)" if kind.historic else ""
        click.echo(f"{kind.code}\t{kind.peer_group}\t{kind.name_vi} / {kind.name_en}{mark}")
