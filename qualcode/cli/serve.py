"""``qualcode serve``: the web UI under waitress, bound to 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import gc

import click

from qualcode.cli import cli
from qualcode.cli.context import CliContext


def run_server(ctx: CliContext, host: str, port: int, *, threads: int = 8) -> None:
    from waitress import serve as waitress_serve

    from webui import create_app

    ctx.connect()
    app = create_app({"DATABASE_URL": ctx.url, "REQUIRE_PASSWORDS": host not in LOCAL})
    gc.freeze()  # the app's long-lived objects leave the collector's young generations
    click.echo(f"qualcode is serving on http://{host}:{port}/  (Ctrl-C to stop)")
    waitress_serve(app, host=host, port=port, threads=threads, ident="qualcode")


LOCAL = {"127.0.0.1", "localhost", "::1"}


@cli.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; any other than loopback requires accounts with passwords.",
)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.pass_obj
def serve_cmd(ctx: CliContext, host: str, port: int, threads: int) -> None:
    """Run the web UI."""
    if host not in LOCAL:
        from qualcode.services.users import count_users

        with ctx.sessionmaker() as session:
            if count_users(session) == 0:
                raise click.ClickException(
                    f"refusing to serve on {host} with no accounts: create one with "
                    "qualcode user add NAME --admin"
                )
    run_server(ctx, host, port, threads=threads)
