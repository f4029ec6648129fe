"""``qualcode bench quotes``: speed of quote retrieval and matrices on a generated project."""

from __future__ import annotations

import click

from qualcode.cli.bench import bench
from qualcode.cli.context import echo_json


@bench.command("quotes")
@click.option(
    "--codings",
    type=click.IntRange(min=1000),
    default=200_000,
    show_default=True,
    help="Codings in the generated project (100 codes, 50 cases, 500 documents).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def bench_quotes_cmd(codings: int, seed: int, as_json: bool) -> None:
    """Time quotes for a code (p50/p95) and the 100 codes x 50 cases matrix."""
    from qualcode.bench.quotes import run

    if not as_json:
        click.echo(f"building a scratch project with {codings:,} codings...", err=True)
    result = run(codings, seed=seed)
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo(result.table())
