"""``qualcode bench suggest``: the quality and speed of the code suggestions, measured.

Two data sets: the NHS Friends and Family Test comments coded against the v6 framework
(``qualcode.bench.suggest``: learning curve at 5, 10, 20 and 50 examples per code, the bars of
issue 5, speed), and the sample LPSA interviews (``qualcode.bench.suggest_lpsa``: learning curve
over the number of coded documents, and the suggestion service on a 10,000-word transcript).
"""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.bench import bench
from qualcode.cli.context import echo_json
from qualcode.errors import InvalidInput


def say(message: str) -> None:
    click.echo(f"  … {message}", err=True)


def _numbers(value: str, name: str) -> list[int]:
    try:
        numbers = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(
            f"{name} must be whole numbers separated by commas, not {value!r}"
        ) from None
    if not numbers or min(numbers) < 0:
        raise InvalidInput(f"{name} must list at least one number, none negative")
    return numbers


@bench.command("suggest")
@click.option(
    "--data",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The NHS FFT CSV (default: ../shared/data/nhs-fft-v6framework.csv).",
)
@click.option(
    "--only",
    type=click.Choice(["all", "nhs", "lpsa"]),
    default="all",
    show_default=True,
    help="Which data set to measure on.",
)
@click.option(
    "--sizes", default="5,10,20,50", show_default=True, help="NHS: coded examples per code."
)
@click.option(
    "--documents",
    "lpsa_sizes",
    default="2,5,10,20",
    show_default=True,
    help="LPSA: coded documents to train on.",
)
@click.option("--seeds", default="0,1,2", show_default=True)
@click.option("--no-speed", is_flag=True, help="Skip the speed measures.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def bench_suggest_cmd(
    csv_path: Path | None,
    only: str,
    sizes: str,
    lpsa_sizes: str,
    seeds: str,
    no_speed: bool,
    as_json: bool,
) -> None:
    """Learning curves (ours beside an NVivo-style baseline) and speed of the suggestions."""
    seed_list = _numbers(seeds, "--seeds")
    out: dict[str, object] = {}
    tables: list[str] = []
    if only in ("all", "nhs"):
        from qualcode.bench import suggest as nhs

        result = nhs.run_suggest_bench(
            csv_path, _numbers(sizes, "--sizes"), seed_list, with_speed=not no_speed, progress=say
        )
        out["nhs"] = result
        tables.append(nhs.format_table(result))
    if only in ("all", "lpsa"):
        from qualcode.bench import suggest_lpsa as lpsa

        result = lpsa.run_lpsa_bench(
            _numbers(lpsa_sizes, "--documents"), seed_list, with_speed=not no_speed, progress=say
        )
        out["lpsa"] = result
        tables.append(lpsa.format_table(result))
    if as_json:
        echo_json(out)
    else:
        click.echo("\n\n".join(tables))
