"""``qualcode assign PROJECT --sample 20 --coders A,B --label L``: draw a blind double-coding
sample; ``qualcode assign done PROJECT DOC --coder NAME``: mark a coder's work done."""

from __future__ import annotations

import click

from qualcode.cli import cli
from qualcode.cli.context import CliContext, echo_json
from qualcode.services import assignments as assignment_service
from qualcode.services import documents as document_service
from qualcode.services import projects as project_service
from qualcode.services import sampling
from qualcode.services import users as user_service


class DefaultGroup(click.Group):
    """A group whose first argument, when not a subcommand, goes to the default command."""

    default = "sample"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = [self.default, *args]
        return super().parse_args(ctx, args)


@cli.group(cls=DefaultGroup)
def assign() -> None:
    """Assign documents to coders: blind double-coding samples, and marking work done.

    \b
    qualcode assign PROJECT --sample 20 --coders alice,bob --label "calibration round 2"
    qualcode assign done PROJECT DOCUMENT --coder alice
    """


@assign.command("sample")
@click.argument("slug")
@click.option(
    "--sample",
    "percent",
    required=True,
    type=click.FloatRange(0, 100, min_open=True),
    metavar="PERCENT",
    help="Share of the eligible documents to draw, by case.",
)
@click.option("--coders", required=True, metavar="A,B[,C]", help="Who double-codes each document.")
@click.option("--label", required=True, help='The round\'s name, e.g. "calibration round 2".')
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the draw.")
@click.option("--by", "actor", metavar="USER", help="The lead drawing the sample (for the log).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def sample_cmd(
    ctx: CliContext,
    slug: str,
    percent: float,
    coders: str,
    label: str,
    seed: int,
    actor: str | None,
    as_json: bool,
) -> None:
    """Draw PERCENT of project SLUG's documents, stratified by case, for blind double coding."""
    with ctx.sessionmaker.begin() as session:
        project = project_service.get_by_slug(session, slug)
        users = [
            user_service.require_user(session, name.strip())
            for name in coders.split(",")
            if name.strip()
        ]
        actor_id = user_service.require_user(session, actor).id if actor else None
        drawn = sampling.draw_sample(
            session,
            project,
            percent=percent,
            coders=users,
            label=label,
            seed=seed,
            actor_id=actor_id,
        )
        data = drawn.to_dict()
    if as_json:
        echo_json(data)
        return
    click.echo(
        f"{label}: {len(data['documents'])} documents, each assigned blind to "
        f"{', '.join(data['coders'])} (seed {seed})"
    )
    for stratum in data["strata"]:
        click.echo(f"  {stratum['case']}: {len(stratum['drawn'])} of {stratum['eligible']}")


@assign.command("done")
@click.argument("slug")
@click.argument("document")
@click.option("--coder", required=True, metavar="NAME", help="Whose work on it is done.")
@click.option("--reopen", is_flag=True, help="Mark it in progress again instead.")
@click.pass_obj
def done_cmd(ctx: CliContext, slug: str, document: str, coder: str, reopen: bool) -> None:
    """Mark CODER's work on DOCUMENT (id or title) of project SLUG done."""
    with ctx.sessionmaker.begin() as session:
        project = project_service.get_by_slug(session, slug)
        doc = document_service.get_document(session, project, document)
        user = user_service.require_user(session, coder)
        if project_service.role_of(session, project, user) is None:
            raise click.ClickException(f"{coder} is not a member of {slug}")
        row = assignment_service.mark_done(session, doc, user.id, done=not reopen)
        status = row.status.value.replace("_", " ")
    click.echo(f"{doc.title}: {coder} {status}")
