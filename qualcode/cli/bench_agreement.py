"""``qualcode bench agreement``: the per-code agreement table of two coders, from the database."""

from __future__ import annotations

import click

from qualcode.cli.bench import bench
from qualcode.cli.context import echo_json


@bench.command("agreement")
@click.option(
    "--documents",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Documents of 50,000 characters in the generated project.",
)
@click.option(
    "--codings",
    type=click.IntRange(min=2),
    default=20_000,
    show_default=True,
    help="Codings in all, over both coders.",
)
@click.option("--codes", type=click.IntRange(min=1), default=40, show_default=True)
@click.option(
    "--repeats",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Timed runs per unit; the best is reported.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def bench_agreement_cmd(
    documents: int, codings: int, codes: int, repeats: int, seed: int, as_json: bool
) -> None:
    """Time the full per-code table (target: under 2 s for 200 documents, 20,000 codings)."""
    from qualcode.bench.agreement import run_agreement_bench

    if not as_json:
        click.echo(
            f"building a scratch project with {documents} documents and {codings:,} codings...",
            err=True,
        )
    figures = run_agreement_bench(documents, codings, codes=codes, repeats=repeats, seed=seed)
    if as_json:
        echo_json(figures)
        return
    verdict = "within" if figures["within_target"] else "OVER"
    click.echo(
        f"{figures['documents_compared']} documents, {figures['codings']:,} codings, "
        f"{figures['codes']} codes, {figures['characters']:,} characters "
        f"(built in {figures['setup_seconds']:.1f} s)"
    )
    for unit, seconds in figures["seconds"].items():
        click.echo(
            f"  per-code table, {unit} units: {seconds:.3f} s best of {repeats} "
            f"(median {figures['median_seconds'][unit]:.3f} s; "
            f"{figures['cpu_seconds'][unit]:.3f} s CPU; gathering the layers alone "
            f"{figures['gather_seconds'][unit]:.3f} s)"
        )
    click.echo(f"  {verdict} the {figures['target_seconds']:g} s target")
