"""``qualcode project create | list | members | add-member`` and ``qualcode documents``."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli import cli
from qualcode.cli.context import CliContext, echo_json
from qualcode.models import Role
from qualcode.services import documents as document_service
from qualcode.services import projects as project_service
from qualcode.services import users as user_service


@cli.group()
def project() -> None:
    """Create and list projects, manage members."""


@project.command("create")
@click.argument("slug")
@click.option("--title", help="Human title (default: the slug).")
@click.option("--description", default="")
@click.option("--owner", help="User name of the project's owner.")
@click.option(
    "--codebook",
    "codebook",
    metavar="FILE|default",
    help="Load a codebook (.yaml .json .csv .xlsx .qdc) or 'default' (the LPSA codebook).",
)
@click.pass_obj
def create_cmd(
    ctx: CliContext,
    slug: str,
    title: str | None,
    description: str,
    owner: str | None,
    codebook: str | None,
) -> None:
    """Create project SLUG."""
    spec = _read_codebook(codebook) if codebook else None
    with ctx.sessionmaker.begin() as session:
        owner_user = user_service.require_user(session, owner) if owner else None
        proj = project_service.create_project(
            session, slug, title=title, description=description, owner=owner_user
        )
        message = f"created project {proj.slug}"
        if spec is not None:
            from qualcode.services.codebook_io import import_spec

            counts = import_spec(session, proj, spec, user_id=owner_user.id if owner_user else None)
            message += f" with {counts['created']} codes"
    click.echo(message)


def _read_codebook(name: str):  # type: ignore[no-untyped-def]
    from qualcode.interop.codebook_files import default_codebook_path, read_codebook

    path = default_codebook_path() if name == "default" else Path(name)
    if not path.exists():
        raise click.ClickException(f"no codebook file {path}")
    return read_codebook(path)


@project.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def list_cmd(ctx: CliContext, as_json: bool) -> None:
    """List projects."""
    with ctx.sessionmaker() as session:
        counts = project_service.document_counts(session)
        rows = [
            {"slug": p.slug, "title": p.title, "documents": counts.get(p.id, 0)}
            for p in project_service.list_projects(session)
        ]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        click.echo(f"{row['slug']}\t{row['title']}\t{row['documents']} documents")


@project.command("add-member")
@click.argument("slug")
@click.argument("username")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default="coder", show_default=True
)
@click.pass_obj
def add_member_cmd(ctx: CliContext, slug: str, username: str, role: str) -> None:
    """Give USERNAME a role on project SLUG."""
    with ctx.sessionmaker.begin() as session:
        proj = project_service.get_by_slug(session, slug)
        u = user_service.require_user(session, username)
        project_service.add_member(session, proj, u, Role(role))
    click.echo(f"{username} is now {role} on {slug}")


@project.command("members")
@click.argument("slug")
@click.pass_obj
def members_cmd(ctx: CliContext, slug: str) -> None:
    """List the members of project SLUG and their roles."""
    with ctx.sessionmaker() as session:
        proj = project_service.get_by_slug(session, slug)
        for m in project_service.members(session, proj):
            click.echo(f"{m.user.username}\t{m.role.value}")


@cli.command("documents")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def documents_cmd(ctx: CliContext, slug: str, as_json: bool) -> None:
    """List the documents of project SLUG with case, words, turns, speakers and attributes."""
    with ctx.sessionmaker() as session:
        proj = project_service.get_by_slug(session, slug)
        rows = document_service.summaries(session, proj)
    if as_json:
        echo_json([r.to_dict() for r in rows])
        return
    if not rows:
        click.echo(f"{slug} has no documents yet: qualcode import {slug} PATH...")
        return
    for r in rows:
        click.echo(
            f"{r.id:>5}  {r.title[:48]:<48} {(r.case or '-')[:28]:<28} "
            f"{r.words:>7} words {r.turns:>4} turns  {', '.join(r.speakers[:4])}"
        )


@project.command("interviewer")
@click.argument("slug")
@click.argument("speaker")
@click.option("--not", "not_", is_flag=True, help="Unmark: the speaker is not an interviewer.")
@click.pass_obj
def interviewer_cmd(ctx: CliContext, slug: str, speaker: str, not_: bool) -> None:
    """Mark SPEAKER's turns in every document as the interviewer's (remembered for imports)."""
    with ctx.sessionmaker.begin() as session:
        proj = project_service.get_by_slug(session, slug)
        changed = document_service.mark_interviewer(session, proj, speaker, interviewer=not not_)
    click.echo(f"{changed} turns of {speaker} marked as {'not ' if not_ else ''}the interviewer's")
