"""``qualcode agreement PROJECT --coders A,B[,C]``: inter-coder agreement per code."""

from __future__ import annotations

from typing import Any

import click

from qualcode.cli import cli
from qualcode.cli.context import CliContext, echo_json
from qualcode.services import agreement as agreement_service
from qualcode.services import codebook as codebook_service
from qualcode.services import projects as project_service
from qualcode.stats import CodeAgreement

NOT_COMPUTABLE = "n/c"
COLUMNS = ("prev.", "%agree", "kappa", "alpha", "AC1", "units")
SHORT_FLAGS = {
    "prevalence below 10%": "prevalence < 10%: kappa/alpha depressed, see AC1",
    "prevalence above 90%": "prevalence > 90%: kappa/alpha depressed, see AC1",
}


def _number(value: float | None) -> str:
    return NOT_COMPUTABLE if value is None else f"{value:.3f}"


def _percent(value: float | None) -> str:
    return NOT_COMPUTABLE if value is None else f"{value:.1%}"


def _interval(code: CodeAgreement) -> str:
    ci = code.alpha_ci
    return NOT_COMPUTABLE if ci is None else f"[{ci.low:.3f}, {ci.high:.3f}]"


def _row(code: CodeAgreement, intervals: bool) -> list[str]:
    cells = [
        code.code,
        _percent(code.prevalence),
        _percent(code.percent_agreement),
        _number(code.cohen_kappa),
        _number(code.krippendorff_alpha),
        _number(code.gwet_ac1),
        f"{code.units:,}",
    ]
    return [*cells, _interval(code)] if intervals else cells


def _note(code: CodeAgreement) -> str:
    if code.krippendorff_alpha is None or code.cohen_kappa is None:
        return f"{NOT_COMPUTABLE}: {agreement_service.not_computable_reason(code)}"
    return "; ".join(SHORT_FLAGS.get(flag.split(":")[0], flag) for flag in code.flags)


def _summary(overall: dict[str, Any], name: str, label: str) -> str:
    stats = overall.get(name, {})
    if stats.get("mean") is None:
        return f"{label}: {NOT_COMPUTABLE}"
    return (
        f"{label}: mean {stats['mean']:.3f}, median {stats['median']:.3f} over "
        f"{stats['computable']} codes ({stats['not_computable']} not computable)"
    )


def print_table(comparison: agreement_service.Comparison) -> None:
    report, corpus = comparison.report, comparison.corpus
    labels = ", ".join(
        f"{c.name} ({c.label})" if c.label != c.name else c.name for c in corpus.coders
    )
    click.echo(
        f"Agreement of {labels} on {report.unit} units over {len(report.document_ids)} "
        f"documents every coder finished ({corpus.excluded} left out)."
    )
    if corpus.machine is not None:
        click.echo(
            f"machine = suggestions of model {corpus.machine.version or '(unnamed)'} "
            f"scoring at least {corpus.machine.threshold:g}"
        )
    ordered = agreement_service.worst_first(report.codes)
    intervals = "bootstrap" in report.overall
    rows = [_row(code, intervals) for code in ordered]
    notes = [_note(code) for code in ordered]
    header = ["code", *COLUMNS, *(["alpha 95% CI"] if intervals else [])]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    widths[0] = min(widths[0], 48)

    def line(cells: list[str]) -> str:
        first = cells[0] if len(cells[0]) <= widths[0] else cells[0][: widths[0] - 1] + "…"
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first.ljust(widths[0]), *rest])

    click.echo(line(header))
    for cells, note in zip(rows, notes, strict=True):
        click.echo(line(cells) + (f"  {note}" if note else ""))
    overall = report.overall
    click.echo("")
    click.echo("Overall (codes worst first above; " + overall["pooling"] + "):")
    for name, label in (
        ("krippendorff_alpha", "Krippendorff's alpha"),
        ("cohen_kappa", "Cohen's kappa"),
        ("gwet_ac1", "Gwet's AC1"),
        ("percent_agreement", "percent agreement"),
    ):
        click.echo("  " + _summary(overall, name, label))
    pooled = overall.get("pooled_krippendorff_alpha")
    click.echo(f"  pooled alpha (1 - sum D_o / sum D_e): {_number(pooled)}")


@cli.command("agreement")
@click.argument("slug")
@click.option(
    "--coders",
    required=True,
    metavar="A,B[,C]",
    help="User names to compare; 'machine' is the suggester, 'consensus' the adjudicated layer.",
)
@click.option(
    "--unit",
    type=click.Choice(["character", "paragraph"]),
    default="character",
    show_default=True,
    help="Units compared: characters, or speaker turns.",
)
@click.option("--code", "code_ref", metavar="PATH", help="Only this code (path or guid).")
@click.option(
    "--bootstrap",
    type=click.IntRange(min=0),
    default=0,
    metavar="N",
    help="Confidence intervals from N resamples of the documents.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def agreement_cmd(
    ctx: CliContext,
    slug: str,
    coders: str,
    unit: str,
    code_ref: str | None,
    bootstrap: int,
    seed: int,
    as_json: bool,
) -> None:
    """Inter-coder agreement per code in project SLUG, worst first."""
    with ctx.sessionmaker() as session:
        project = project_service.get_by_slug(session, slug)
        code = codebook_service.resolve(session, project, code_ref) if code_ref else None
        comparison = agreement_service.agreement(
            session,
            project,
            coders.split(","),
            unit=unit,
            code=code,
            bootstrap=bootstrap,
            seed=seed,
        )
    if as_json:
        echo_json(comparison.to_dict())
        return
    print_table(comparison)
