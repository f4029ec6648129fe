"""``qualcode bench ingest``: documents per second of a whole bulk import, per format."""

from __future__ import annotations

import click

from qualcode.cli.bench import bench
from qualcode.cli.context import echo_json


def _formats(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    from qualcode.bench.corpus import FORMATS

    chosen = tuple(f.strip().lower().lstrip(".") for f in value.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"choose from {', '.join(FORMATS)} (comma-separated)")
    return chosen


@bench.command("ingest")
@click.option(
    "--documents",
    type=click.IntRange(min=20),
    default=1000,
    show_default=True,
    help="Transcripts per format (the linearity run imports a tenth of them).",
)
@click.option(
    "--formats",
    default="txt,vtt,docx",
    show_default=True,
    callback=_formats,
    help="Corpus formats, comma-separated.",
)
@click.option(
    "--words",
    type=click.IntRange(min=100),
    default=5000,
    show_default=True,
    help="Words per transcript (about).",
)
@click.option(
    "--workers", type=click.IntRange(min=1), help="Parser processes (default: one per CPU)."
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def bench_ingest_cmd(
    documents: int,
    formats: tuple[str, ...],
    words: int,
    workers: int | None,
    seed: int,
    as_json: bool,
) -> None:
    """Import generated corpora (txt 500, vtt 300, docx 100 documents/s targets; peak memory
    under 400 MB; 10x the documents in at most 11x the time)."""
    from qualcode.bench.ingest import run

    result = run(
        documents,
        formats,
        words=words,
        workers=workers,
        seed=seed,
        say=None if as_json else (lambda message: click.echo(message, err=True)),
    )
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo(result.table())
