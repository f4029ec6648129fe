"""The editing commands of ``qualcode codebook``: add, edit, rename, move, merge, split,
(de)activate and delete codes. ``qualcode/cli/codebook.py`` adds them to its group.

Each runs in one transaction through ``services/codebook.py`` (which records the audit event);
``--user`` names who made the change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from sqlalchemy.orm import Session

from qualcode.cli.context import CliContext
from qualcode.errors import InvalidInput
from qualcode.interop.codebook_spec import CODE_KINDS
from qualcode.models import Project
from qualcode.services import codebook as codebook_service
from qualcode.services import projects as project_service
from qualcode.services import users as user_service

F = TypeVar("F", bound=Callable[..., Any])


def user_option(func: F) -> F:
    return click.option(
        "--user",
        "username",
        metavar="NAME",
        help="User the change is recorded under in the audit log.",
    )(func)


@contextmanager
def editing(
    ctx: CliContext, slug: str, username: str | None
) -> Iterator[tuple[Session, Project, int | None]]:
    """A transaction on the project: committed if the block succeeds, rolled back otherwise."""
    with ctx.sessionmaker.begin() as session:
        project = project_service.get_by_slug(session, slug)
        user_id = user_service.require_user(session, username).id if username else None
        yield session, project, user_id


def _field_options(func: F) -> F:
    options = [
        click.option("--color", help="Colour as #RRGGBB."),
        click.option("--kind", type=click.Choice(CODE_KINDS)),
        click.option("--definition"),
        click.option("--inclusion", help="When to apply the code."),
        click.option("--exclusion", help="When not to, and which code to use instead."),
        click.option("--typical", "typical_example", help="A typical example passage."),
        click.option("--atypical", "atypical_example", help="An atypical example passage."),
        click.option("--keywords", help="Keywords and phrases separated by ';'."),
        click.option("--chapter", help="Report chapter the code feeds, e.g. 4."),
        click.option("--section", help="Report section the code feeds, e.g. 4.1."),
        click.option(
            "--folder/--codable",
            "folder",
            default=None,
            help="A folder only groups other codes; it cannot be applied.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _fields(options: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in options.items() if v is not None}
    if "folder" in fields:
        fields["codable"] = not fields.pop("folder")
    return fields


@click.command("add")
@click.argument("slug", metavar="PROJECT")
@click.argument("name")
@click.option("--parent", metavar="CODE", help="Add it under this code (default: top level).")
@_field_options
@user_option
@click.pass_obj
def add_cmd(
    ctx: CliContext,
    /,
    slug: str,
    name: str,
    parent: str | None,
    username: str | None,
    **options: Any,
) -> None:
    """Add a code NAME to PROJECT's codebook."""
    with editing(ctx, slug, username) as (session, project, user_id):
        parent_code = codebook_service.resolve(session, project, parent) if parent else None
        code = codebook_service.create_code(
            session, project, name, parent=parent_code, user_id=user_id, **_fields(options)
        )
        path = codebook_service.code_path(session, code)
    click.echo(f"added {path}")


@click.command("edit")
@click.argument("slug", metavar="PROJECT")
@click.argument("ref", metavar="CODE")
@_field_options
@user_option
@click.pass_obj
def edit_cmd(ctx: CliContext, /, slug: str, ref: str, username: str | None, **options: Any) -> None:
    """Change fields of a code (only the options given)."""
    fields = _fields(options)
    if not fields:
        raise click.UsageError("say what to change, e.g. --definition TEXT")
    with editing(ctx, slug, username) as (session, project, user_id):
        code = codebook_service.resolve(session, project, ref)
        codebook_service.update_code(session, code, user_id=user_id, **fields)
        path = codebook_service.code_path(session, code)
    click.echo(f"changed {', '.join(sorted(fields))} of {path}")


@click.command("rename")
@click.argument("slug", metavar="PROJECT")
@click.argument("ref", metavar="CODE")
@click.argument("new_name")
@user_option
@click.pass_obj
def rename_cmd(ctx: CliContext, slug: str, ref: str, new_name: str, username: str | None) -> None:
    """Rename a code (its codings stay with it)."""
    with editing(ctx, slug, username) as (session, project, user_id):
        code = codebook_service.resolve(session, project, ref)
        old = codebook_service.code_path(session, code)
        codebook_service.update_code(session, code, user_id=user_id, name=new_name)
        new = codebook_service.code_path(session, code)
    click.echo(f"renamed {old} to {new}")


@click.command("move")
@click.argument("slug", metavar="PROJECT")
@click.argument("ref", metavar="CODE")
@click.argument("parent", metavar="PARENT")
@user_option
@click.pass_obj
def move_cmd(ctx: CliContext, slug: str, ref: str, parent: str, username: str | None) -> None:
    """Move a code (with its sub-codes) under PARENT; PARENT '/' is the top level."""
    with editing(ctx, slug, username) as (session, project, user_id):
        code = codebook_service.resolve(session, project, ref)
        new_parent = (
            None if parent.strip() == "/" else codebook_service.resolve(session, project, parent)
        )
        codebook_service.move_code(session, code, new_parent, user_id=user_id)
        path = codebook_service.code_path(session, code)
    click.echo(f"moved to {path}")


@click.command("merge")
@click.argument("slug", metavar="PROJECT")
@click.argument("source", metavar="SOURCE")
@click.argument("target", metavar="TARGET")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@user_option
@click.pass_obj
def merge_cmd(
    ctx: CliContext, slug: str, source: str, target: str, yes: bool, username: str | None
) -> None:
    """Merge SOURCE into TARGET: its codings, sub-codes and memos move; SOURCE is removed."""
    with editing(ctx, slug, username) as (session, project, user_id):
        src = codebook_service.resolve(session, project, source)
        dst = codebook_service.resolve(session, project, target)
        src_path = codebook_service.code_path(session, src)
        dst_path = codebook_service.code_path(session, dst)
        preview = codebook_service.merge_preview(session, src, dst)
        if not yes:
            click.confirm(
                f"merge {src_path} into {dst_path}: {_describe(preview)}. Continue?",
                abort=True,
                err=True,
            )
        moved = codebook_service.merge_codes(session, src, dst, user_id=user_id)
    dropped = preview["duplicates"]
    extra = f" ({dropped} identical codings already on {dst_path} kept once)" if dropped else ""
    click.echo(f"merged {src_path} into {dst_path}: {moved} codings moved{extra}")


def _describe(preview: dict[str, int]) -> str:
    parts = [f"{preview['moved']} codings move"]
    if preview["duplicates"]:
        parts.append(f"{preview['duplicates']} duplicate the target's and are kept once")
    for key, label in (
        ("children", "sub-codes"),
        ("memos", "memos"),
        ("suggestions", "suggestions"),
    ):
        if preview[key]:
            parts.append(f"{preview[key]} {label} move")
    return ", ".join(parts)


@click.command("split")
@click.argument("slug", metavar="PROJECT")
@click.argument("ref", metavar="CODE")
@click.argument("new_name")
@click.option(
    "--coding",
    "coding_ids",
    type=int,
    multiple=True,
    metavar="ID",
    help="A coding (by id) to move to the new code; repeat for several.",
)
@click.option(
    "--matching",
    metavar="TEXT",
    help="Move every coding whose quote contains TEXT (case-insensitive).",
)
@user_option
@click.pass_obj
def split_cmd(
    ctx: CliContext,
    slug: str,
    ref: str,
    new_name: str,
    coding_ids: Sequence[int],
    matching: str | None,
    username: str | None,
) -> None:
    """Split CODE: add NEW_NAME beside it and move the chosen codings there.

    Without --coding or --matching, list the code's codings with their ids."""
    with editing(ctx, slug, username) as (session, project, user_id):
        code = codebook_service.resolve(session, project, ref)
        codings = codebook_service.codings_of(session, code)
        chosen = list(coding_ids)
        if matching:
            chosen += [c.id for c in codings if matching.lower() in c.quote.lower()]
        if not chosen:
            for c in codings:
                click.echo(f"{c.id:>7}  {c.document.title[:30]:<30} {_short(c.quote)}")
            raise InvalidInput(
                f"choose which of the {len(codings)} codings of {code.name} go "
                "to the new code with --coding ID or --matching TEXT"
            )
        new = codebook_service.split_code(
            session, code, new_name, sorted(set(chosen)), user_id=user_id
        )
        path = codebook_service.code_path(session, new)
        moved = len(set(chosen))
        kept = len(codings) - moved
    click.echo(f"split {moved} codings off {code.name} into {path}; {kept} stay")


def _short(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@click.command("deactivate")
@click.argument("slug", metavar="PROJECT")
@click.argument("ref", metavar="CODE")
@user_option
@click.pass_obj
def deactivate_cmd(ctx: CliContext, slug: str, ref: str, username: str | None) -> None:
    """Retire a code: it keeps its codings but can no longer be applied."""
    _set_active(ctx, slug, ref, username, active=False)


@click.command("activate")
@click.argument("slug", metavar="PROJECT")
@click.argument("ref", metavar="CODE")
@user_option
@click.pass_obj
def activate_cmd(ctx: CliContext, slug: str, ref: str, username: str | None) -> None:
    """Bring a deactivated code back into use."""
    _set_active(ctx, slug, ref, username, active=True)


def _set_active(
    ctx: CliContext, slug: str, ref: str, username: str | None, *, active: bool
) -> None:
    with editing(ctx, slug, username) as (session, project, user_id):
        code = codebook_service.resolve(session, project, ref)
        codebook_service.update_code(session, code, user_id=user_id, active=active)
        path = codebook_service.code_path(session, code)
    click.echo(f"{'activated' if active else 'deactivated'} {path}")


@click.command("delete")
@click.argument("slug", metavar="PROJECT")
@click.argument("ref", metavar="CODE")
@user_option
@click.pass_obj
def delete_cmd(ctx: CliContext, slug: str, ref: str, username: str | None) -> None:
    """Delete a code nobody has used (merge or deactivate a used one instead)."""
    with editing(ctx, slug, username) as (session, project, user_id):
        code = codebook_service.resolve(session, project, ref)
        path = codebook_service.code_path(session, code)
        codebook_service.delete_code(session, code, user_id=user_id)
    click.echo(f"deleted {path}")


COMMANDS = (
    add_cmd,
    edit_cmd,
    rename_cmd,
    move_cmd,
    merge_cmd,
    split_cmd,
    deactivate_cmd,
    activate_cmd,
    delete_cmd,
)
