"""``qualcode codebook ...``: import, export and list a project's codebook, freeze and list
named versions; the editing commands come from ``codebook_edit.py``.

Codes are named by path (``Barriers/Staff turnover``), guid or id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session

from qualcode.cli import cli
from qualcode.cli.codebook_edit import COMMANDS, editing, user_option
from qualcode.cli.context import CliContext, echo_json
from qualcode.db.engine import read_only_transactions
from qualcode.models import User
from qualcode.services import codebook as codebook_service
from qualcode.services import codebook_io
from qualcode.services import projects as project_service


@cli.group()
def codebook() -> None:
    """Import, export, list and edit a project's codebook; freeze named versions.

    CODE arguments are a path (Barriers/Staff turnover), a guid or an id."""


for _command in COMMANDS:
    codebook.add_command(_command)


# ------------------------------------------------------------------------ import / export


@codebook.command("import")
@click.argument("slug", metavar="PROJECT")
@click.argument(
    "path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@user_option
@click.pass_obj
def import_cmd(ctx: CliContext, slug: str, path: Path, username: str | None) -> None:
    """Load FILE (.yaml .json .csv .xlsx .qdc) into PROJECT's codebook, all or nothing.

    A code whose path (or guid) is already in the project is updated; the others are added."""
    from qualcode.interop.codebook_files import read_codebook_file

    read = read_codebook_file(path)
    with editing(ctx, slug, username) as (session, project, user_id):
        counts = codebook_io.import_spec(session, project, read.spec, user_id=user_id)
    encoding = f"; read as {read.encoding}" if read.encoding else ""
    click.echo(
        f"imported {path.name} into {slug}: {counts['created']} codes created, "
        f"{counts['updated']} updated, {counts['chapters']} chapters{encoding}"
    )


@codebook.command("export")
@click.argument("slug", metavar="PROJECT")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--version",
    "version_name",
    metavar="NAME",
    help="Export this frozen version instead of the current codebook.",
)
@click.pass_obj
def export_cmd(ctx: CliContext, slug: str, path: Path, version_name: str | None) -> None:
    """Write PROJECT's codebook to FILE: .yaml .json .qdc .csv .docx .xlsx, by extension."""
    from qualcode.interop.codebook_files import write_codebook

    with read_only_transactions(), ctx.sessionmaker() as session:
        project = project_service.get_by_slug(session, slug)
        if version_name:
            spec = codebook_io.version_spec(codebook_io.get_version(session, project, version_name))
            label = version_name
        else:
            spec = codebook_io.export_spec(session, project)
            label = codebook_io.version_label(session, project)
    write_codebook(spec, path)
    count = sum(1 for _ in spec.walk())
    click.echo(f"wrote {path}: {count} codes, codebook version {label}")


# ------------------------------------------------------------------------ list


@codebook.command("list")
@click.argument("slug", metavar="PROJECT")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def list_cmd(ctx: CliContext, slug: str, as_json: bool) -> None:
    """Show PROJECT's code tree with the number of codings of each code."""
    with read_only_transactions(), ctx.sessionmaker() as session:
        project = project_service.get_by_slug(session, slug)
        rows = [r.to_dict() for r in codebook_service.tree(session, project.id)]
        version = codebook_io.version_label(session, project)
    if as_json:
        echo_json({"project": slug, "version": version, "codes": rows})
        return
    if not rows:
        click.echo(f"{slug} has no codes yet: qualcode codebook import {slug} FILE")
        return
    click.echo(f"{slug}: {len(rows)} codes, codebook version {version}")
    for row in rows:
        flags = "" if row["active"] else "  (inactive)"
        flags += "" if row["codable"] else "  (folder)"
        total = (
            f" ({row['codings_with_children']} with sub-codes)"
            if row["codings_with_children"] != row["codings"]
            else ""
        )
        click.echo(
            f"{'  ' * row['depth']}{row['name']}  [{row['kind']}]  "
            f"{row['codings']} codings{total}{flags}"
        )


# ------------------------------------------------------------------------ versions


@codebook.command("freeze")
@click.argument("slug", metavar="PROJECT")
@click.argument("name")
@click.option("--note", default="", help="Why, e.g. 'agreed after calibration round 2'.")
@user_option
@click.pass_obj
def freeze_cmd(ctx: CliContext, slug: str, name: str, note: str, username: str | None) -> None:
    """Freeze the codebook as it is now under NAME (e.g. v1.0)."""
    with editing(ctx, slug, username) as (session, project, user_id):
        version = codebook_io.freeze_version(session, project, name, note=note, user_id=user_id)
        count = sum(1 for _ in codebook_io.version_spec(version).walk())
    click.echo(f"froze codebook version {name} of {slug} ({count} codes)")


@codebook.command("versions")
@click.argument("slug", metavar="PROJECT")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def versions_cmd(ctx: CliContext, slug: str, as_json: bool) -> None:
    """List PROJECT's frozen codebook versions, newest first."""
    with read_only_transactions(), ctx.sessionmaker() as session:
        project = project_service.get_by_slug(session, slug)
        rows: list[dict[str, Any]] = [
            {
                "name": v.name,
                "note": v.note,
                "created_at": v.created_at.isoformat(),
                "created_by": _username(session, v.created_by_id),
                "codes": sum(1 for _ in codebook_io.version_spec(v).walk()),
            }
            for v in codebook_io.list_versions(session, project)
        ]
        label = codebook_io.version_label(session, project)
    if as_json:
        echo_json({"project": slug, "current": label, "versions": rows})
        return
    if not rows:
        click.echo(f"{slug} has no frozen codebook version: qualcode codebook freeze {slug} NAME")
        return
    click.echo(f"current codebook: {label}")
    for row in rows:
        who = f" by {row['created_by']}" if row["created_by"] else ""
        note = f"  {row['note']}" if row["note"] else ""
        click.echo(
            f"{row['name']:<20} {row['created_at'][:16].replace('T', ' ')}{who}  "
            f"{row['codes']} codes{note}"
        )


def _username(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.username if user else None
