"""``qualcode bench scale``: import, quotes, pages, matrix, memory and size at 10,000 documents."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.bench.scratch import BACKENDS
from qualcode.cli.bench import bench
from qualcode.cli.context import echo_json


@bench.command("scale")
@click.option(
    "--documents",
    type=click.IntRange(min=10),
    default=10_000,
    show_default=True,
    help="Transcripts of about 5,000 words in the generated project.",
)
@click.option(
    "--codings-per-document",
    "per_document",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
)
@click.option(
    "--service-documents",
    type=click.IntRange(min=0),
    default=None,
    help="Documents coded through apply_code, one call per coding (default: 2%, at "
    "least 10); the rest with multi-row inserts of the same rows.",
)
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="sqlite",
    show_default=True,
    help="A scratch SQLite file, or a scratch database on the local PostgreSQL "
    "(QUALCODE_BENCH_POSTGRES names another server).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--keep",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Keep the database for inspection: a SQLite copy in this file (a PostgreSQL "
    "scratch database is left in place and its URL printed).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def bench_scale_cmd(
    documents: int,
    per_document: int,
    service_documents: int | None,
    backend: str,
    seed: int,
    keep: Path | None,
    as_json: bool,
) -> None:
    """Import a generated project (documents x 50 codings), then time quotes, the document
    page and the evidence matrix; report peak memory and database size."""
    from qualcode.bench.scale import run

    result = run(
        documents,
        backend=backend,
        per_document=per_document,
        service_documents=service_documents,
        seed=seed,
        keep=keep,
        report=lambda message: click.echo(message, err=True),
    )
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo(result.table())
