"""Who codes which document, their progress on it, and blind mode.

An ``Assignment`` ties a coder to a document for a purpose (coding or double-coding), with a
status (not started, in progress, done) and a ``blind`` flag. Blind mode protects independent
double-coding: while any blind-assigned coder of a document has not marked it done, each of
those coders sees only their own codings of it. Leads and owners always see everything; once
every blind-assigned coder is done, the codings are open to all (that is when they are compared).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.db.base import utcnow
from qualcode.errors import NotFound
from qualcode.models import (
    Assignment,
    AssignmentStatus,
    Coding,
    Document,
    Project,
    Purpose,
    Role,
    User,
)
from qualcode.services import audit
from qualcode.services import projects as project_service


def get_assignment(session: Session, document_id: int, coder_id: int) -> Assignment | None:
    return session.scalar(
        select(Assignment).where(
            Assignment.document_id == document_id, Assignment.coder_id == coder_id
        )
    )


def assignments_for_document(session: Session, document_id: int) -> Sequence[Assignment]:
    return session.scalars(
        select(Assignment).where(Assignment.document_id == document_id).order_by(Assignment.id)
    ).all()


def assign(
    session: Session,
    document: Document,
    coder: User,
    *,
    purpose: Purpose = Purpose.CODE,
    blind: bool = False,
    sample: str = "",
    actor_id: int | None = None,
) -> Assignment:
    """Assign ``coder`` to ``document`` (or change the existing assignment's purpose/blind)."""
    project = session.get(Project, document.project_id)
    assert project is not None
    if project_service.role_of(session, project, coder) is None:
        raise NotFound(f"{coder.username} is not a member of {project.slug}")
    assignment = get_assignment(session, document.id, coder.id)
    if assignment is None:
        assignment = Assignment(
            document_id=document.id,
            coder_id=coder.id,
            purpose=purpose,
            blind=blind,
            sample=sample,
            status=AssignmentStatus.NOT_STARTED,
        )
        session.add(assignment)
        action = "assignment.created"
    else:
        assignment.purpose, assignment.blind = purpose, blind
        assignment.sample = sample or assignment.sample
        action = "assignment.changed"
    session.flush()
    audit.record(
        session,
        action,
        assignment,
        project_id=document.project_id,
        user_id=actor_id,
        detail=_detail(assignment),
    )
    return assignment


def get_or_create(session: Session, document: Document, coder_id: int) -> Assignment:
    """The coder's assignment on the document, created (plain, not blind) when missing."""
    assignment = get_assignment(session, document.id, coder_id)
    if assignment is None:
        assignment = Assignment(
            document_id=document.id, coder_id=coder_id, status=AssignmentStatus.NOT_STARTED
        )
        session.add(assignment)
        session.flush()
    return assignment


def mark_in_progress(session: Session, document: Document, coder_id: int) -> Assignment | None:
    """Move a not-started assignment to in progress (called when the coder codes something).

    Coders without an assignment get none: progress is derived from their codings elsewhere.
    """
    assignment = get_assignment(session, document.id, coder_id)
    if assignment is not None and assignment.status is AssignmentStatus.NOT_STARTED:
        assignment.status = AssignmentStatus.IN_PROGRESS
        session.flush()
        audit.record(
            session,
            "assignment.status",
            assignment,
            project_id=document.project_id,
            user_id=coder_id,
            detail=_detail(assignment),
        )
    return assignment


def mark_done(
    session: Session,
    document: Document,
    coder_id: int,
    *,
    done: bool = True,
    actor_id: int | None = None,
) -> Assignment:
    """Mark the coder's work on the document done (or reopen it as in progress)."""
    assignment = get_or_create(session, document, coder_id)
    if done:
        assignment.status, assignment.done_at = AssignmentStatus.DONE, utcnow()
    else:
        assignment.status, assignment.done_at = AssignmentStatus.IN_PROGRESS, None
    session.flush()
    audit.record(
        session,
        "assignment.status",
        assignment,
        project_id=document.project_id,
        user_id=actor_id if actor_id is not None else coder_id,
        detail=_detail(assignment),
    )
    return assignment


def _detail(assignment: Assignment) -> dict[str, object]:
    return {
        "document_id": assignment.document_id,
        "coder_id": assignment.coder_id,
        "purpose": assignment.purpose.value,
        "blind": assignment.blind,
        "status": assignment.status.value,
    }


def blind_pending(session: Session, document_id: int) -> set[int]:
    """Coders whose blind assignment on the document is set; empty once all are done."""
    rows = session.execute(
        select(Assignment.coder_id, Assignment.status).where(
            Assignment.document_id == document_id, Assignment.blind.is_(True)
        )
    ).all()
    if all(status is AssignmentStatus.DONE for _, status in rows):
        return set()
    return {coder_id for coder_id, _ in rows}


def blind_documents(session: Session, project_id: int, user: User) -> set[int]:
    """Documents of the project the user is blind-coding now (empty for leads and owners)."""
    project = session.get(Project, project_id)
    assert project is not None
    role = project_service.role_of(session, project, user)
    if role is None or role.at_least(Role.LEAD):
        return set()
    mine = session.scalars(
        select(Assignment.document_id)
        .join(Document)
        .where(
            Document.project_id == project_id,
            Assignment.coder_id == user.id,
            Assignment.blind.is_(True),
        )
    ).all()
    return {doc_id for doc_id in mine if blind_pending(session, doc_id)}


def hidden_coding_counts(
    session: Session, user: User, document_ids: Iterable[int]
) -> dict[int, int]:
    """Code id → number of other coders' codings on documents the user is blind-coding
    (to subtract from project-wide counts, so counts do not give the other coders away)."""
    ids = list(document_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Coding.code_id, func.count())
        .where(Coding.document_id.in_(ids), Coding.coder_id != user.id)
        .group_by(Coding.code_id)
    )
    return {code_id: n for code_id, n in rows}


def visible_coder_ids(session: Session, document: Document, user: User) -> set[int] | None:
    """Whose codings of ``document`` the user may see: ``None`` for everyone's, or a set of
    coder ids (just the user's own) while the user is blind-coding it."""
    project = session.get(Project, document.project_id)
    assert project is not None
    role = project_service.role_of(session, project, user)
    if role is not None and role.at_least(Role.LEAD):
        return None
    if user.id in blind_pending(session, document.id):
        return {user.id}
    return None
