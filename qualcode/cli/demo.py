"""``qualcode demo``: build the sample LPSA project and serve it."""

from __future__ import annotations

import threading
import time

import click

from qualcode.cli import cli
from qualcode.cli.context import CliContext


@cli.command("demo")
@click.option("--no-serve", is_flag=True, help="Build the project only.")
@click.option(
    "--suggestions/--no-suggestions",
    default=True,
    show_default=True,
    help="Fit the suggestion model and offer suggestions to rokafor on three "
    "documents (in the background while serving; before returning with --no-serve).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.pass_obj
def demo_cmd(ctx: CliContext, no_serve: bool, suggestions: bool, host: str, port: int) -> None:
    """Build the sample LPSA study (transcripts, codebook, two fieldworkers' codings) and serve
    it. Running it again rebuilds the project."""
    from qualcode.services.demo import SLUG, build_demo

    started = time.perf_counter()
    result = build_demo(ctx.sessionmaker, progress=lambda step: click.echo(f"  … {step}", err=True))
    elapsed = time.perf_counter() - started
    codings = ", ".join(f"{u}: {n}" for u, n in sorted(result.codings.items()))
    click.echo(
        f"Built project '{SLUG}': {result.documents} documents, codings {codings} "
        f"({elapsed:.1f} s)."
    )
    click.echo("Sign in with:")
    for username, password in result.passwords.items():
        click.echo(f"  {username:<8} {password}")
    if no_serve:
        if suggestions:
            _seed(ctx, result.project_id)
        return
    from qualcode.cli.serve import run_server

    if suggestions:  # the model fits while the server already answers
        threading.Thread(target=_seed, args=(ctx, result.project_id), daemon=True).start()
    click.echo(f"Open http://{host}:{port}/p/{SLUG}/")
    run_server(ctx, host, port)


def _seed(ctx: CliContext, project_id: int) -> None:
    from qualcode.services.demo_suggestions import seed_suggestions

    started = time.perf_counter()
    count = seed_suggestions(ctx.sessionmaker, project_id)
    click.echo(
        f"Suggestions ready: {count} for rokafor ({time.perf_counter() - started:.1f} s).", err=True
    )
