"""``qualcode suggest`` and ``qualcode train``: NLP code suggestions from the shell.

Thin shells over ``services.suggestions`` and ``services.suggestion_models``. The model is
refitted first when the project's codings or decisions changed since it was stored (the
command may wait; the web app never does).

With ``--user NAME`` the suggestions are that coder's (units they already coded with a code,
or rejected it on, are left out) and are stored as their open suggestions, as the workbench
would. Without it they are the machine's own layer, stored for the ``machine`` coder of
``qualcode agreement``; the listing then leaves out units anyone already coded with the code.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.cli import cli
from qualcode.cli.context import CliContext, echo_json
from qualcode.errors import NotFound
from qualcode.models import Coding, Document, Project, Suggestion
from qualcode.services import codebook as codebook_service
from qualcode.services import projects as project_service
from qualcode.services import suggestion_models
from qualcode.services import suggestions as suggestion_service
from qualcode.services import users as user_service
from qualcode.services.suggestion_models import Model


def _documents(session: Session, project: Project, ids: Sequence[int]) -> list[Document]:
    current = select(Document).where(
        Document.project_id == project.id, Document.is_current.is_(True)
    )
    if not ids:
        return list(session.scalars(current.order_by(Document.title, Document.id)))
    found = {
        d.id: d
        for d in session.scalars(
            select(Document).where(Document.project_id == project.id, Document.id.in_(ids))
        )
    }
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise NotFound(f"no document with id {', '.join(missing)} in {project.slug}")
    return [found[i] for i in dict.fromkeys(ids)]


def model_json(model: Model) -> dict[str, Any]:
    p = model.provenance
    return {
        "version": p.version,
        "trained_at": p.trained_at,
        "examples": p.examples,
        "positives": p.positives,
        "negatives": p.negatives,
        "decisions": p.decisions,
        "codes": p.codes,
        "threshold": p.threshold,
        "fit_seconds": p.fit_seconds,
    }


def _coded_by_anyone(session: Session, document: Document, row: Suggestion) -> bool:
    return (
        session.scalar(
            select(Coding.id)
            .where(
                Coding.document_id == document.id,
                Coding.code_id == row.code_id,
                Coding.start < row.end,
                Coding.end > row.start,
            )
            .limit(1)
        )
        is not None
    )


@cli.command("suggest")
@click.argument("project")
@click.option(
    "--document",
    "documents",
    multiple=True,
    type=int,
    metavar="ID",
    help="Only this document (its id, see `qualcode documents`); repeatable.",
)
@click.option(
    "--user",
    "username",
    metavar="NAME",
    help="Suggest for this coder and store them as their open suggestions.",
)
@click.option(
    "--min-score",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Leave out suggestions scoring below this.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (offsets in code points).")
@click.pass_obj
def suggest_cmd(
    ctx: CliContext,
    project: str,
    documents: tuple[int, ...],
    username: str | None,
    min_score: float,
    as_json: bool,
) -> None:
    """Suggest codes for the units (sentences, answers) of every document, or those named."""
    with ctx.sessionmaker() as session:
        proj = project_service.get_by_slug(session, project)
        user = user_service.require_user(session, username) if username else None
        docs = _documents(session, proj, documents)
        if not as_json:
            click.echo("checking the suggestion model…", err=True)
        model = suggestion_models.current(session, proj)
        session.commit()
        paths = codebook_service.paths(codebook_service.all_codes(session, proj.id))
        guids = {c.id: c.guid for c in codebook_service.all_codes(session, proj.id)}
        out: list[dict[str, Any]] = []
        with click.progressbar(
            docs,
            label="Suggesting",
            file=sys.stderr,
            item_show_func=lambda d: d.title[:40] if d else None,
        ) as bar:
            for doc in bar:
                rows = suggestion_service.suggest_for_document(
                    session, proj, doc, user, model, min_score=min_score
                )
                session.commit()
                for row in rows:
                    if user is None and _coded_by_anyone(session, doc, row):
                        continue
                    out.append(
                        {
                            "document_id": doc.id,
                            "document": doc.title,
                            "code": paths.get(row.code_id, ""),
                            "code_guid": guids.get(row.code_id, ""),
                            "start": row.start,
                            "end": row.end,
                            "text": row.text,
                            "score": round(row.score, 4),
                            "confidence": row.confidence,
                            "method": row.method,
                            "rationale": row.rationale,
                            "id": row.id,
                        }
                    )
    if as_json:
        echo_json({"project": proj.slug, "model": model_json(model), "suggestions": out})
        return
    _table(out, model)


def _table(rows: list[dict[str, Any]], model: Model) -> None:
    p = model.provenance
    click.echo(
        f"model {p.version}: {p.examples} examples, {p.decisions} decisions, "
        f"threshold {p.threshold:.2f}"
    )
    if not rows:
        click.echo("No suggestions.")
        return
    for row in rows:
        text = " ".join(row["text"].split())
        text = text if len(text) <= 70 else text[:69] + "…"
        click.echo(
            f"{row['document'][:28]:<28}  {row['start']:>6}  {row['score']:.2f} "
            f"{row['confidence']:<6}  {row['code']}\n{'':>37}“{text}”"
        )
    click.echo(f"{len(rows)} suggestions.")


@cli.command("train")
@click.argument("project")
@click.option("--json", "as_json", is_flag=True, help="Print the model's summary as JSON.")
@click.pass_obj
def train_cmd(ctx: CliContext, project: str, as_json: bool) -> None:
    """Refit the project's suggestion model now from its codings and decisions."""
    with ctx.sessionmaker() as session:
        proj = project_service.get_by_slug(session, project)
        if not as_json:
            click.echo(f"training the suggestion model of {proj.slug}…", err=True)
        model = suggestion_models.train(session, proj)
        session.commit()
    if as_json:
        echo_json({"project": proj.slug, "model": model_json(model)})
        return
    p = model.provenance
    click.echo(
        f"Model {p.version} of {proj.slug}: {p.examples} examples ({p.positives} positive, "
        f"{p.negatives} negative), {p.decisions} decisions, {p.codes} codes; "
        f"fitted in {p.fit_seconds:.1f} s; threshold {p.threshold:.2f}."
    )
