"""Suggestions for the sample LPSA project, so the demo's suggestion panel and review queue
have something to show: the model is fitted on the fieldworkers' codings, then the first
fieldworker's open suggestions (and the machine's own layer, for the agreement page) are
computed on a few documents."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from qualcode.errors import NotFound
from qualcode.models import Document, Project
from qualcode.services import suggestion_models
from qualcode.services import suggestions as suggestion_service
from qualcode.services import users as user_service

DEMO_CODER = "rokafor"


def seed_suggestions(
    factory: sessionmaker[Session],
    project_id: int,
    *,
    documents: int = 3,
    username: str = DEMO_CODER,
) -> int:
    """Fit the project's model and store ``username``'s open suggestions on the first
    ``documents`` documents (by title); returns how many suggestions were stored."""
    with factory.begin() as session:
        project = session.get(Project, project_id)
        if project is None:
            raise NotFound(f"no project with id {project_id}")
        model = suggestion_models.train(session, project)
    stored = 0
    with factory.begin() as session:
        project = session.get(Project, project_id)
        assert project is not None
        user = user_service.require_user(session, username)
        docs = session.scalars(
            select(Document)
            .where(Document.project_id == project_id, Document.is_current.is_(True))
            .order_by(Document.title, Document.id)
            .limit(documents)
        ).all()
        for document in docs:
            units = suggestion_service.units_of(session, document)
            stored += len(
                suggestion_service.suggest_for_document(
                    session, project, document, user, model, units=units
                )
            )
            suggestion_service.suggest_for_document(
                session, project, document, None, model, units=units
            )
    return stored
