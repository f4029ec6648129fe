"""``qualcode bench report``: time a chapter evidence pack of about 2,000 quotes."""

from __future__ import annotations

import click

from qualcode.cli.bench import bench
from qualcode.cli.context import echo_json


@bench.command("report")
@click.option(
    "--codings",
    type=click.IntRange(min=10_000),
    default=200_000,
    show_default=True,
    help="Codings in the generated project (100 codes, 50 cases, 500 documents).",
)
@click.option(
    "--quotes",
    type=click.IntRange(min=100),
    default=2_000,
    show_default=True,
    help="About how many quotes the chapter pack should hold.",
)
@click.option(
    "--repeat",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Times to gather and write the pack (the best is reported).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def bench_report_cmd(codings: int, quotes: int, repeat: int, seed: int, as_json: bool) -> None:
    """Time gathering and writing a chapter pack (target: 2,000 quotes in under 5 s)."""
    from qualcode.bench.report import run

    if not as_json:
        click.echo(f"building a scratch project with {codings:,} codings...", err=True)
    result = run(codings, quotes=quotes, seed=seed, repeat=repeat)
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo(result.table())
