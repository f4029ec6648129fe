"""``qualcode audit PROJECT``: the project's audit log, filtered; ``-o`` writes CSV or JSON."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli import cli
from qualcode.cli.context import CliContext
from qualcode.db.engine import read_only_transactions
from qualcode.errors import InvalidInput
from qualcode.services import audit_log
from qualcode.services import projects as project_service

FORMATS = (".csv", ".json")


@cli.command("audit")
@click.argument("project")
@click.option("--user", metavar="NAME", help="Only this user's changes.")
@click.option(
    "--action",
    metavar="ACTION",
    help="Only this action (coding.added) or family of actions (coding).",
)
@click.option("--from", "since", metavar="DATE", help="From this day (YYYY-MM-DD, UTC).")
@click.option("--to", "until", metavar="DATE", help="To this day, inclusive.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Events listed on screen (newest); --json and -o give every match.",
)
@click.option("--json", "as_json", is_flag=True, help="Print every matching event as JSON.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write every matching event, oldest first, to FILE.csv or FILE.json.",
)
@click.pass_obj
def audit_cmd(
    ctx: CliContext,
    project: str,
    user: str | None,
    action: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    as_json: bool,
    output: Path | None,
) -> None:
    """Who changed what, and when, in PROJECT (the append-only audit log)."""
    if output is not None and output.suffix.lower() not in FORMATS:
        raise InvalidInput(f"{output.name}: the audit log is written as .csv or .json")
    where = audit_log.AuditFilter.parse(user, action, since, until)
    with read_only_transactions(), ctx.sessionmaker() as session:
        proj = project_service.get_by_slug(session, project)
        if output is not None:
            rows = audit_log.iter_events(session, proj, where)
            chunks = (audit_log.csv_lines(rows) if output.suffix.lower() == ".csv"
                      else audit_log.json_chunks(proj, where, rows))  # fmt: skip
            with output.open("w", encoding="utf-8", newline="") as handle:
                for chunk in chunks:
                    handle.write(chunk)
            click.echo(f"wrote the audit log of {proj.slug} to {output}", err=True)
            return
        if as_json:
            for chunk in audit_log.json_chunks(
                proj, where, audit_log.iter_events(session, proj, where)
            ):
                click.echo(chunk, nl=False)
            return
        page = audit_log.audit_page(session, proj, where, per_page=limit)
        for row in reversed(page.rows):
            target = (
                f"{row.entity_type} {row.entity_id}"
                if row.entity_id is not None
                else row.entity_type
            )
            click.echo(f"{row.at}  {row.user or '-':<16} {row.action:<24} {target}")
        shown = len(page.rows)
        more = (
            f" (the newest {shown}; use --limit, --json or -o for more)"
            if page.total > shown
            else ""
        )
        click.echo(f"{page.total:,} event{'' if page.total == 1 else 's'}{more}", err=True)
