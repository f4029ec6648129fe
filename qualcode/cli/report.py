"""``qualcode report``, ``qualcode chapters`` and ``qualcode pin``: the chapter evidence pack,
the outline with its quote bank, and pinning a quote to a section."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from qualcode.cli import cli
from qualcode.cli.context import CliContext, echo_json
from qualcode.services import chapters as chapter_service
from qualcode.services import codebook as codebook_service
from qualcode.services import projects as project_service


def _check_docx(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    if value.suffix.lower() != ".docx":
        raise click.BadParameter("the evidence pack is a Word file: name it FILE.docx")
    return value


class _Bar:
    """A progress bar on stderr over the codes of the pack, for gathering and writing."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@cli.command("report")
@click.argument("project")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    callback=_check_docx,
    help="The .docx file to write.",
)
@click.option("--chapter", metavar="N", help="Only this chapter of the outline (e.g. 4).")
@click.option(
    "--per-case",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="At most this many selected quotes per case for each code.",
)
@click.option(
    "--pseudonymise",
    is_flag=True,
    help="Replace the project's listed names and places in quotes and attributions.",
)
@click.pass_obj
def report_cmd(
    ctx: CliContext,
    project: str,
    output: Path,
    chapter: str | None,
    per_case: int,
    pseudonymise: bool,
) -> None:
    """Write the themed evidence pack of PROJECT's chapter outline as a Word document."""
    from qualcode.reports.docx_report import write_report
    from qualcode.services.reports import gather_report

    with ctx.sessionmaker() as session:
        proj = project_service.get_by_slug(session, project)
        gathering = _Bar("Gathering evidence")
        try:
            data = gather_report(
                session,
                proj,
                chapter=chapter,
                per_case=per_case,
                pseudonymise=pseudonymise,
                progress=gathering,
            )
        finally:
            gathering.close()
    writing = _Bar("Writing the pack")
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".docx", dir=output.parent)
    os.close(handle)
    try:
        write_report(data, temporary, progress=writing)
        os.replace(temporary, output)
    finally:
        writing.close()
        if os.path.exists(temporary):
            os.unlink(temporary)
    sections = sum(len(ch.sections) for ch in data.chapters)
    click.echo(
        f"Wrote {output}: {len(data.chapters)} chapter(s), {sections} sections, "
        f"{len(data.quotes)} quotes."
    )


@cli.command("chapters")
@click.argument("project")
@click.option("--json", "as_json", is_flag=True, help="Print the outline as JSON.")
@click.pass_obj
def chapters_cmd(ctx: CliContext, project: str, as_json: bool) -> None:
    """List PROJECT's chapter outline: sections, their codes and pinned quotes."""
    with ctx.sessionmaker() as session:
        proj = project_service.get_by_slug(session, project)
        paths = codebook_service.paths(codebook_service.all_codes(session, proj.id))
        outline: list[dict[str, Any]] = []
        for chapter in chapter_service.outline(session, proj):
            sections: list[dict[str, Any]] = []
            for section in chapter.sections:
                pins = [
                    {
                        "id": r.pin.id,
                        "coding_id": r.coding_id,
                        "quote": r.text,
                        "note": r.pin.note,
                        "citation": r.citation,
                        "flag": r.flag,
                    }
                    for r in chapter_service.resolve_pins(session, section.pins)
                ]
                sections.append(
                    {
                        "id": section.id,
                        "number": section.number,
                        "title": section.title,
                        "codes": [paths[c.id] for c in section.codes],
                        "pins": pins,
                    }
                )
            outline.append(
                {
                    "id": chapter.id,
                    "number": chapter.number,
                    "title": chapter.title,
                    "sections": sections,
                }
            )
    if as_json:
        echo_json({"project": project, "chapters": outline})
        return
    if not outline:
        click.echo(f"{project} has no chapter outline (import a codebook with chapters).")
    for item in outline:
        click.echo(f"{item['number']} {item['title']}")
        for section in item["sections"]:
            click.echo(
                f"  {section['number']} {section['title']} "
                f"({len(section['codes'])} codes, {len(section['pins'])} pinned)"
            )
            for pin in section["pins"]:
                c = pin["citation"]
                where = f"{c.get('document')}, para. {c.get('paragraph')}"
                flag = f"  [{pin['flag']}]" if pin["flag"] else ""
                click.echo(f'    #{pin["id"]} "{_short(pin["quote"])}" ({where}){flag}')
                if pin["note"]:
                    click.echo(f"       note: {pin['note']}")


def _short(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@cli.command("pin")
@click.argument("project")
@click.option("--coding", "coding_id", type=int, required=True, help="The coding's id.")
@click.option(
    "--section",
    "section_number",
    required=True,
    metavar="NUMBER",
    help="The outline section, e.g. 4.1.",
)
@click.option("--note", default="", help="The lead author's note on the quote.")
@click.pass_obj
def pin_cmd(ctx: CliContext, project: str, coding_id: int, section_number: str, note: str) -> None:
    """Pin a coded passage to a section of PROJECT's chapter outline."""
    with ctx.sessionmaker.begin() as session:
        proj = project_service.get_by_slug(session, project)
        section = chapter_service.section_by_number(session, proj, section_number)
        pin = chapter_service.pin_quote(
            session, proj, coding_id=coding_id, section=section, note=note, user_id=None
        )
        citation = pin.citation
        click.echo(
            f"Pinned #{pin.id} to {section.number} {section.title}: "
            f"{citation.get('document')}, para. {citation.get('paragraph')}."
        )
