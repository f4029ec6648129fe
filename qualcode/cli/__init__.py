"""The ``qualcode`` command: a click group whose commands are thin shells over services.

Heavy libraries (Flask, spaCy, scikit-learn) are imported inside the commands that need them,
so ``qualcode --help`` starts fast.
"""

from __future__ import annotations

from typing import Any

import click

from qualcode.cli.context import CliContext, handle_errors


class QualcodeGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        with handle_errors(lambda: ctx.obj if isinstance(ctx.obj, CliContext) else None):
            return super().invoke(ctx)


@click.group(cls=QualcodeGroup)
@click.option(
    "--database",
    "database",
    envvar="QUALCODE_DATABASE_URL",
    metavar="URL",
    help="SQLAlchemy URL or SQLite file (default ./qualcode.db; env QUALCODE_DATABASE_URL).",
)
@click.version_option(package_name="qualcode", message="qualcode %(version)s")
@click.pass_context
def cli(ctx: click.Context, database: str | None) -> None:
    """qualcode: code interview transcripts, measure agreement, export evidence."""
    ctx.obj = CliContext(database)
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    cli.main(prog_name="qualcode", standalone_mode=True)


def _register() -> None:
    import importlib

    from qualcode.cli import (  # noqa: F401 - each module adds its commands to ``cli``
        db,
        projects,
        serve,
        users,
    )

    for name in (
        "importing",
        "codebook",
        "suggest",
        "quotes",
        "agreement",
        "report",
        "exchange",
        "backup",
        "demo",
        "bench",
        "assign",
        "audit",
    ):
        try:
            importlib.import_module(f"qualcode.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"qualcode.cli.{name}":
                raise


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
