"""``qualcode import`` (transcripts or a .qdpx project) and ``qualcode attributes import``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qualcode.cli import cli
from qualcode.cli.context import CliContext, echo_json
from qualcode.services import projects as project_service
from qualcode.services import users as user_service

if TYPE_CHECKING:
    from qualcode.services.importing import ImportSummary


@cli.command("import")
@click.argument("project")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--case", help="Put every imported document in this case.")
@click.option(
    "--coder",
    help="User the import is recorded under (and coder of .qdpx codings that name no user).",
)
@click.option(
    "--replace",
    type=int,
    metavar="ID",
    help="Import the file as a corrected version of document ID.",
)
@click.option(
    "--workers", type=click.IntRange(min=1), help="Parallel parsers (default: one per core)."
)
@click.option(
    "--max-size",
    type=click.FloatRange(min=0, min_open=True),
    default=50.0,
    show_default=True,
    help="Refuse files larger than this many MB.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def import_cmd(
    ctx: CliContext,
    project: str,
    paths: tuple[Path, ...],
    case: str | None,
    coder: str | None,
    replace: int | None,
    workers: int | None,
    max_size: float,
    as_json: bool,
) -> None:
    """Import transcripts (.docx .txt .md .vtt .srt .odt .rtf .pdf, or folders) or a .qdpx
    project into PROJECT."""
    qdpx = [p for p in paths if p.suffix.lower() == ".qdpx"]
    if qdpx:
        from qualcode.cli.exchange import import_qdpx

        for path in qdpx:
            import_qdpx(ctx, project, path, coder=coder, as_json=as_json)
        paths = tuple(p for p in paths if p.suffix.lower() != ".qdpx")
        if not paths:
            return
    from qualcode.ingest import discover
    from qualcode.services.importing import import_paths

    factory = ctx.sessionmaker
    with factory() as session:
        proj = project_service.get_by_slug(session, project)
        user_id = user_service.require_user(session, coder).id if coder else None
        project_id = proj.id
    files = discover(list(paths))
    if not files:
        raise click.ClickException("no transcript files found in the paths given")
    if replace is not None and len(files) != 1:
        raise click.UsageError(
            f"a corrected version replaces one document: {len(files)} files given"
        )
    with click.progressbar(
        length=len(files),
        label="Importing",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda r: r,
    ) as bar:
        summary = import_paths(
            factory,
            project_id,
            files,
            case=case,
            user_id=user_id,
            replace=replace,
            workers=workers,
            max_bytes=int(max_size * 1024 * 1024),
            on_result=lambda r: bar.update(1, Path(r.path).name),
        )
    if as_json:
        echo_json(summary.to_dict())
    else:
        _table(summary)
    if summary.of("failed") and not summary.of("imported") and not summary.of("skipped"):
        raise click.ClickException(f"no file could be imported ({len(files)} failed)")


def _table(summary: ImportSummary) -> None:
    """One line per file (turns, speakers and words for the imported), then the counts; the
    codings a new version could not carry over are listed under its line."""
    click.echo(f"{'file':<44} {'status':<9} {'turns':>5} {'spk':>3} {'words':>7}  notes")
    for r in summary.results:
        notes = [r.reason] if r.reason else []
        if r.version and r.version > 1:
            notes.append(
                f"version {r.version}: {r.reanchored} codings re-anchored, "
                f"{len(r.not_reanchored)} not"
            )
        if r.encoding and r.encoding != "utf-8":
            notes.append(f"encoding {r.encoding}")
        notes += r.warnings
        figures = (
            f"{r.turns:>5} {len(r.speakers):>3} {r.words:>7}"
            if r.status == "imported"
            else " " * 17
        )
        click.echo(f"{Path(r.path).name[:44]:<44} {r.status:<9} {figures}  {'; '.join(notes)}")
        for lost in r.not_reanchored:
            click.echo(
                f"    not re-anchored: {lost['code']} ({lost['coder']}) "
                f"\u201c{lost['quote']}\u201d: {lost['reason']}"
            )
    counts = {s: len(summary.of(s)) for s in ("imported", "skipped", "failed")}
    click.echo(
        f"{counts['imported']} imported, {counts['skipped']} skipped, {counts['failed']} failed"
    )


@cli.group()
def attributes() -> None:
    """Case and document attributes."""


@attributes.command("import")
@click.argument("project")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def attributes_import_cmd(ctx: CliContext, project: str, file: Path) -> None:
    """Import case and document attributes from a .csv or .xlsx sheet: a column naming the case
    or document, one column per attribute (types inferred)."""
    from qualcode.ingest.attributes import read_attribute_sheet
    from qualcode.services.attributes import import_sheet

    sheet = read_attribute_sheet(file)
    with ctx.sessionmaker.begin() as session:
        proj = project_service.get_by_slug(session, project)
        report = import_sheet(session, proj, sheet)
    for line in report.lines():
        click.echo(line)
