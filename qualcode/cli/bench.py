"""``qualcode bench ...``: benchmarks on generated data, one subcommand per area.

This module only defines the ``bench`` group. Each benchmark lives in its own module named
``qualcode/cli/bench_<name>.py`` that imports :data:`bench` from here and adds its command::

    # qualcode/cli/bench_report.py
    from qualcode.cli.bench import bench

    @bench.command("report")
    def report_cmd() -> None: ...

Every ``bench_*`` module beside this one is imported when the group loads, so adding a
benchmark needs no change here. The measuring code itself belongs in ``qualcode/bench/``.
"""

from __future__ import annotations

import importlib
import pkgutil

from qualcode.cli import cli


@cli.group()
def bench() -> None:
    """Benchmarks on generated data (each builds its own scratch database)."""


def _register() -> None:
    package = importlib.import_module("qualcode.cli")
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module.name.startswith("bench_"):
            importlib.import_module(f"qualcode.cli.{module.name}")


_register()
