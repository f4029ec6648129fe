"""Suggestions for the sample LPSA project, so the demo's suggestion panel and review queue
have something to show: the model is fitted on the fieldworkers' codings, then the first
fieldworker's open suggestions (and the machine's own layer, for the agreement page) are
computed on a few documents."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from qualcode.db.engine import read_only_transactions
from qualcode.errors import NotFound
from qualcode.models import Document, Project, User
from qualcode.services import suggestion_models
from qualcode.services import suggestions as suggestion_service
from qualcode.services import users as user_service
from qualcode.services.training_data import gather

DEMO_CODER = "rokafor"


def seed_suggestions(
    factory: sessionmaker[Session],
    project_id: int,
    *,
    documents: int = 3,
    username: str = DEMO_CODER,
) -> int:
    """Fit the project's model and store ``username``'s open suggestions on the first
    ``documents`` documents (by title); returns how many suggestions were stored.

    Fitting and scoring read only; each write is a short transaction of its own, so a server
    answering at the same time never waits on the write lock."""
    with read_only_transactions(), factory() as session:
        project = session.get(Project, project_id)
        if project is None:
            raise NotFound(f"no project with id {project_id}")
        data = gather(session, project)
    model = suggestion_models.fit(data)
    suggestion_models.save(project, model)
    with factory.begin() as session:
        stored_project = session.get(Project, project_id)
        assert stored_project is not None
        suggestion_models.record(session, stored_project, model)
    stored = 0
    for position in range(documents):
        with read_only_transactions(), factory() as session:
            project = session.get(Project, project_id)
            assert project is not None
            user = user_service.require_user(session, username)
            document = session.scalars(
                select(Document)
                .where(Document.project_id == project_id, Document.is_current.is_(True))
                .order_by(Document.title, Document.id)
                .offset(position)
                .limit(1)
            ).first()
            if document is None:
                break
            units = suggestion_service.units_of(session, document)
            mine = suggestion_service.compute(session, project, document, user, model, units=units)
            machine = suggestion_service.compute(
                session, project, document, None, model, units=units
            )
            ids = (project.id, document.id, user.id)
        with factory.begin() as session:
            target = session.get(Project, ids[0])
            doc = session.get(Document, ids[1])
            coder = session.get(User, ids[2])
            assert target is not None
            assert doc is not None
            assert coder is not None
            stored += len(suggestion_service.store(session, target, doc, coder, mine, model))
            suggestion_service.store(session, target, doc, None, machine, model)
    return stored
