"""``qualcode backup FILE`` and ``qualcode restore FILE``."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli import cli
from qualcode.cli.context import CliContext
from qualcode.db.engine import safe_url


@cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def backup_cmd(ctx: CliContext, file: Path) -> None:
    """Write a consistent copy of the database to FILE (safe while people are working)."""
    from qualcode.services.backup import backup

    ctx.connect()
    backup(ctx.engine, file)
    click.echo(f"backed up {safe_url(ctx.url)} to {file}")


@cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def restore_cmd(ctx: CliContext, file: Path, yes: bool) -> None:
    """Replace the database's contents with the backup in FILE."""
    from qualcode.services.backup import restore

    if not yes:
        click.confirm(f"Replace everything in {safe_url(ctx.url)} with {file}?", abort=True)
    restore(ctx.engine, file)
    click.echo(f"restored {file} into {safe_url(ctx.url)}")
