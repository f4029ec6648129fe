"""REFI-QDA exchange on the command line.

``qualcode import PROJECT FILE.qdpx`` (routed here by ``cli/importing.py``),
``qualcode project import FILE.qdpx [--slug NEW]`` and ``qualcode export PROJECT FILE.qdpx``
(or ``FILE.qdc`` for the codebook alone). Every import prints what it carried over and, as the
standard asks, what it could not carry over and why.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualcode.cli import cli
from qualcode.cli.context import CliContext, echo_json
from qualcode.cli.projects import project as project_group
from qualcode.errors import InvalidImport, InvalidInput
from qualcode.interop.snapshot import ImportReport
from qualcode.services import projects as project_service
from qualcode.services import users as user_service

if TYPE_CHECKING:
    from qualcode.services.interchange import ImportResult

SUMMARY_KINDS = ("sources", "codes", "codings", "notes", "cases", "variables")


def import_qdpx(
    ctx: CliContext, project: str, path: Path, *, coder: str | None, as_json: bool
) -> None:
    """Import ``path`` into ``project`` in one transaction and print the import report."""
    from qualcode.interop.refi_qda import read_qdpx
    from qualcode.services.interchange import import_snapshot

    try:
        snapshot = read_qdpx(path)
        with ctx.sessionmaker.begin() as session:
            proj = project_service.get_by_slug(session, project)
            user_id = user_service.require_user(session, coder).id if coder else None
            result = import_snapshot(session, proj, snapshot, user_id=user_id, file_name=path.name)
    except InvalidImport as exc:
        if as_json:
            echo_json({"imported": [], "skipped": [], "failed": [_failed(path, exc)],
                       "report": None})  # fmt: skip
        raise
    _print(path, project, result, as_json)


@project_group.command("import")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False,
                                                        path_type=Path))  # fmt: skip
@click.option("--slug", help="Name of the new project (default: from the file name).")
@click.option("--title", help="Title of the new project (default: the project's name in FILE).")
@click.option("--owner", help="User name of the new project's owner.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def project_import_cmd(ctx: CliContext, path: Path, slug: str | None, title: str | None,
                       owner: str | None, as_json: bool) -> None:  # fmt: skip
    """Create a new project from a REFI-QDA project file (.qdpx)."""
    from qualcode.services.interchange import new_project_from_qdpx

    _check_suffix(path, (".qdpx",))
    try:
        with ctx.sessionmaker.begin() as session:
            owner_user = user_service.require_user(session, owner) if owner else None
            proj, result = new_project_from_qdpx(
                session, path, slug=slug, title=title, owner=owner_user
            )
            new_slug = proj.slug
    except InvalidImport as exc:
        if as_json:
            echo_json({"imported": [], "skipped": [], "failed": [_failed(path, exc)],
                       "report": None})  # fmt: skip
        raise
    if not as_json:
        click.echo(f"created project {new_slug}")
    _print(path, new_slug, result, as_json)


@cli.command("export")
@click.argument("project")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def export_cmd(ctx: CliContext, project: str, path: Path) -> None:
    """Write PROJECT as a REFI-QDA project (FILE.qdpx) or its codebook alone (FILE.qdc)."""
    _check_suffix(path, (".qdpx", ".qdc"))
    with ctx.sessionmaker() as session:
        proj = project_service.get_by_slug(session, project)
        if path.suffix.lower() == ".qdc":
            from qualcode.interop.refi_qda import write_qdc
            from qualcode.services.codebook_io import export_spec

            spec = export_spec(session, proj)
            write_qdc(spec, path)
            click.echo(f"wrote {path}: {sum(1 for _ in spec.walk())} codes")
            return
        from qualcode.interop.refi_qda import write_qdpx
        from qualcode.services.interchange_export import export_snapshot

        snapshot = export_snapshot(session, proj)
    write_qdpx(snapshot, path)
    codings = sum(len(selection.codings) for selection in snapshot.selections)
    coders = {c.creating_user for s in snapshot.selections for c in s.codings}
    codes = sum(1 for _ in snapshot.codebook.walk())
    click.echo(
        f"wrote {path}: {len(snapshot.sources)} sources, {codes} "
        f"codes, {codings} codings by {len(coders)} coders, {len(snapshot.cases)} cases, "
        f"{len(snapshot.variables)} variables, {len(snapshot.notes)} notes"
    )
    _print_left_out(snapshot.report, "Not exported")


def _check_suffix(path: Path, allowed: tuple[str, ...]) -> None:
    if path.suffix.lower() not in allowed:
        raise InvalidInput(f"{path.name}: use a file ending in {' or '.join(allowed)}")


def _failed(path: Path, exc: InvalidImport) -> dict[str, str]:
    return {
        "path": str(path),
        "reason": exc.reason + (f" ({exc.location})" if exc.location else ""),
    }


def _print(path: Path, project: str, result: ImportResult, as_json: bool) -> None:
    if as_json:
        echo_json(
            {
                "imported": [{"path": str(path), "project": project, "counts": result.imported}],
                "skipped": [
                    {"path": str(path), "kind": s.kind, "item": s.item, "reason": s.reason}
                    for s in result.report.skipped
                ],
                "failed": [],
                "report": result.to_dict(),
            }
        )
        return
    counts = result.imported
    shown = {kind: counts.get(kind, 0) for kind in SUMMARY_KINDS}
    shown["notes"] += counts.get("comments", 0)
    parts = [f"{n} {kind}" for kind, n in shown.items()]
    click.echo(f"imported {path.name} into {project}: {', '.join(parts)}")
    others = {k: v for k, v in counts.items() if k not in SUMMARY_KINDS and k != "comments"}
    if others:
        click.echo("  also: " + ", ".join(f"{v} {k}" for k, v in others.items()))
    _print_left_out(result.report, "Not carried over")


def _print_left_out(report: ImportReport, heading: str) -> None:
    """The data-loss warning: what was left out and why, then decisions worth knowing."""
    if report.skipped:
        by_kind = ", ".join(f"{n} {kind}" for kind, n in report.skipped_counts().items())
        click.echo(f"{heading} ({by_kind}):")
        for item in report.skipped:
            click.echo(f"  - {item.kind} {item.item}: {item.reason}")
    if report.messages:
        click.echo("Notes:")
        for message in report.messages:
            click.echo(f"  - {message}")
