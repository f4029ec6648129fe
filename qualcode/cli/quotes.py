"""``qualcode quotes``, ``qualcode matrix`` and ``qualcode framework``: evidence from the shell.

Each command is a thin shell over ``services.quotes``, ``services.matrices`` or
``services.framework``; ``-o FILE`` writes by extension through ``reports.tables``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.orm import Session

from qualcode.cli import cli
from qualcode.cli.context import CliContext, echo_json
from qualcode.errors import InvalidInput, NotFound
from qualcode.models import Project
from qualcode.reports import tables
from qualcode.reports.evidence import Matrix, QuoteResult
from qualcode.services import codebook
from qualcode.services import documents as document_service
from qualcode.services import projects as project_service
from qualcode.services import users as user_service
from qualcode.services.evidence_scope import Filters
from qualcode.services.framework import framework_matrix
from qualcode.services.matrices import code_matrix
from qualcode.services.quotes import QuoteQuery, find_quotes

F = TypeVar("F", bound=Callable[..., Any])
OUTPUT = click.Path(dir_okay=False, writable=True, path_type=Path)


def filter_options(command: F) -> F:
    """The evidence filters every command here shares."""
    options = [
        click.option(
            "--code",
            "codes",
            multiple=True,
            metavar="PATH",
            help="A code's path (Barriers/Staff turnover), guid or id; repeatable.",
        ),
        click.option("--no-descendants", is_flag=True, help="Leave out the codings of sub-codes."),
        click.option(
            "--where",
            "where",
            multiple=True,
            metavar="ATTR=VALUE",
            help="Case or document attribute equals VALUE; repeatable (the same "
            "attribute twice means either value).",
        ),
        click.option(
            "--case", "cases", multiple=True, metavar="NAME", help="Only this case; repeatable."
        ),
        click.option(
            "--coder",
            "coders",
            multiple=True,
            metavar="NAME",
            help="Only this coder's codings; repeatable.",
        ),
        click.option(
            "--origin",
            "origins",
            multiple=True,
            type=click.Choice(["manual", "suggestion", "import", "adjudication", "adjudicated"]),
            help="Only codings of this origin; repeatable.",
        ),
        click.option(
            "--consensus",
            is_flag=True,
            help="The adjudicated (consensus) layer only, or added to --coder's.",
        ),
        click.option(
            "--exclude-interviewer/--include-interviewer",
            default=False,
            show_default=True,
            help="Leave out quotes from interviewer turns.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def build_filters(
    session: Session,
    project: Project,
    *,
    where: tuple[str, ...],
    cases: tuple[str, ...],
    coders: tuple[str, ...],
    origins: tuple[str, ...],
    consensus: bool,
    exclude_interviewer: bool,
) -> Filters:
    pairs = []
    for item in where:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(f"--where {item!r}: use ATTR=VALUE")
        pairs.append((name.strip(), value.strip()))
    by_name = {c.name.lower(): c.id for c in document_service.list_cases(session, project)}
    case_ids = []
    for name in cases:
        if name.lower() not in by_name:
            raise NotFound(f"no case named {name} in {project.slug}")
        case_ids.append(by_name[name.lower()])
    coder_ids = tuple(user_service.require_user(session, name).id for name in coders)
    return Filters(
        case_ids=tuple(case_ids),
        where=tuple(pairs),
        coder_ids=coder_ids,
        origins=origins,
        consensus=consensus,
        exclude_interviewer=exclude_interviewer,
    )


@cli.command("quotes")
@click.argument("project")
@filter_options
@click.option(
    "--query",
    "expression",
    metavar="EXPR",
    help='Boolean code query: "A" AND "B", A OR B, A NOT B, A NEAR/20 B, '
    "A SAMETURN B, with parentheses.",
)
@click.option(
    "--text",
    default="",
    metavar="WORDS",
    help='Words (all of them; "a phrase", prefix*) the quotes must hold.',
)
@click.option(
    "--every-code",
    is_flag=True,
    help="Every coded segment in scope, whatever its code (e.g. all of a --case's evidence).",
)
@click.option("--limit", type=click.IntRange(min=1), help="Show at most N quotes.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("-o", "--output", type=OUTPUT, help="Write .docx, .csv or .xlsx.")
@click.pass_obj
def quotes_cmd(
    ctx: CliContext,
    /,
    project: str,
    codes: tuple[str, ...],
    no_descendants: bool,
    expression: str | None,
    text: str,
    every_code: bool,
    limit: int | None,
    as_json: bool,
    output: Path | None,
    **filters: Any,
) -> None:
    """Coded segments of PROJECT with attribution, by code, code query or words."""
    if not codes and not expression and not text.strip() and not every_code:
        raise click.UsageError("give --code, --query, --text or --every-code")
    if sum(map(bool, (codes, expression, every_code))) > 1:
        raise click.UsageError("give one of --code, --query and --every-code")
    with ctx.sessionmaker() as session:
        proj = project_service.get_by_slug(session, project)
        code_ids = tuple(codebook.resolve(session, proj, ref).id for ref in codes)
        query = QuoteQuery(
            code_ids=code_ids,
            expression=expression,
            descendants=not no_descendants,
            text=text,
            filters=build_filters(session, proj, **filters),
            every_code=every_code,
        )
        result = find_quotes(session, proj, query, limit=limit)
    if output is not None:
        tables.write_quotes(result, output)
        click.echo(f"wrote {result.segments} quotes to {output}", err=as_json)
    if as_json:
        echo_json(result.to_dict())
    elif output is None:
        _print_quotes(result)


def _print_quotes(result: QuoteResult) -> None:
    click.echo(f"{result.label}: " + " ".join(tables.summary_lines(result)))
    for quote in result.quotes:
        click.echo("")
        click.echo(
            f"[{quote.case or 'no case'}] {quote.document} · {quote.speaker or '?'}"
            f" · coded by {quote.coder or '-'} · {'; '.join(quote.codes)}"
            f" · [{quote.start}, {quote.end})"
        )
        for line in quote.text.split("\n"):
            click.echo(f"    {line}")


@cli.command("matrix")
@click.argument("project")
@filter_options
@click.option(
    "--rows",
    type=click.Choice(["codes"]),
    default="codes",
    show_default=True,
    help="What the rows are.",
)
@click.option(
    "--cols",
    default="cases",
    show_default=True,
    metavar="cases|attr:NAME|codes",
    help="Columns: cases, an attribute's values, or codes (co-occurrence).",
)
@click.option(
    "--count", type=click.Choice(["segments", "documents"]), default="segments", show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("-o", "--output", type=OUTPUT, help="Write .xlsx or .csv.")
@click.pass_obj
def matrix_cmd(
    ctx: CliContext,
    /,
    project: str,
    codes: tuple[str, ...],
    no_descendants: bool,
    rows: str,
    cols: str,
    count: str,
    as_json: bool,
    output: Path | None,
    **filters: Any,
) -> None:
    """Codes × cases, attribute values or codes, counting segments or documents."""
    with ctx.sessionmaker() as session:
        proj = project_service.get_by_slug(session, project)
        code_ids = [codebook.resolve(session, proj, ref).id for ref in codes] or None
        matrix = code_matrix(
            session,
            proj,
            cols=cols,
            count=count,
            code_ids=code_ids,
            descendants=not no_descendants,
            filters=build_filters(session, proj, **filters),
            with_ids=False,
        )
    if output is not None:
        tables.write_matrix(matrix, output)
        click.echo(
            f"wrote a {len(matrix.rows)} x {len(matrix.cols)} matrix to {output}", err=as_json
        )
    if as_json:
        echo_json(matrix.to_dict())
    elif output is None:
        _print_matrix(matrix)


def _print_matrix(matrix: Matrix) -> None:
    header, rows = tables.matrix_rows(matrix)
    width = min(40, max(len(str(r[0])) for r in rows))
    click.echo(f"{header[0]:<{width}} " + " ".join(f"{h[:10]:>10}" for h in header[1:]))
    for row in rows:
        click.echo(f"{str(row[0])[:width]:<{width}} " + " ".join(f"{v!s:>10}" for v in row[1:]))


@cli.command("framework")
@click.argument("project")
@click.option(
    "--theme",
    "themes",
    multiple=True,
    metavar="PATH",
    help="A theme (code); repeatable (default: the top-level codes).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("-o", "--output", type=OUTPUT, help="Write .xlsx or .csv.")
@click.pass_obj
def framework_cmd(
    ctx: CliContext, project: str, themes: tuple[str, ...], as_json: bool, output: Path | None
) -> None:
    """The framework matrix of PROJECT: cases × themes with the authors' summaries."""
    with ctx.sessionmaker() as session:
        proj = project_service.get_by_slug(session, project)
        theme_ids = [codebook.resolve(session, proj, ref).id for ref in themes] or None
        framework = framework_matrix(session, proj, theme_ids=theme_ids)
    if output is not None:
        suffix = output.suffix.lower()
        if suffix not in tables.FRAMEWORK_WRITERS:
            raise InvalidInput(f"{output.name}: cannot write {suffix}; use .csv or .xlsx")
        tables.FRAMEWORK_WRITERS[suffix](framework, output)
        click.echo(f"wrote the framework matrix to {output}", err=as_json)
    if as_json:
        echo_json(framework.to_dict())
    elif output is None:
        header, rows = tables.framework_rows(framework)
        for row in rows:
            click.echo(row[0])
            for theme, cell in zip(header[1:], row[1:], strict=True):
                click.echo(f"  {theme}: " + cell.replace("\n", "\n    "))
