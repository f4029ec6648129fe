"""``qualcode bench web``: simulated coders against the real server (waitress or gunicorn)."""

from __future__ import annotations

import click

from qualcode.bench.scratch import BACKENDS
from qualcode.cli.bench import bench
from qualcode.cli.context import echo_json


@bench.command("web")
@click.option(
    "--coders",
    type=click.IntRange(min=1, max=200),
    default=20,
    show_default=True,
    help="Simulated coders, each signed in with its own session.",
)
@click.option("--seconds", type=click.FloatRange(min=1), default=60, show_default=True)
@click.option("--backend", type=click.Choice(BACKENDS), default="sqlite", show_default=True)
@click.option(
    "--server",
    type=click.Choice(["waitress", "gunicorn"]),
    default="waitress",
    show_default=True,
    help="qualcode serve (waitress, 8 threads) or gunicorn -w 4 'webui:create_app()'.",
)
@click.option(
    "--documents",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Transcripts of about 5,000 words in the scratch project.",
)
@click.option(
    "--think",
    type=click.FloatRange(min=0),
    default=0.5,
    show_default=True,
    help="Mean pause between a coder's actions in seconds (0: as fast as possible).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="gunicorn's -w (worker processes).",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="Threads per server process (default: waitress 8; gunicorn 1, its sync workers).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def bench_web_cmd(
    coders: int,
    seconds: float,
    backend: str,
    server: str,
    documents: int,
    think: float,
    workers: int,
    threads: int | None,
    seed: int,
    as_json: bool,
) -> None:
    """Coders open documents, fetch codings, apply and remove codes and poll for changes;
    reports requests, errors, p50/p95/p99 per kind and throughput. Exit status 1 if any
    request failed or a coding was lost."""
    from qualcode.bench.web import run

    result = run(
        coders,
        seconds,
        backend=backend,
        server=server,
        documents=documents,
        think=think,
        workers=workers,
        threads=threads,
        seed=seed,
        report=lambda message: click.echo(message, err=True),
    )
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo(result.table())
    if result.errors or result.lost or result.unexpected:
        raise SystemExit(1)
