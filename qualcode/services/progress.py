"""Each coder's progress per document: not started, in progress, done."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.models import Assignment, AssignmentStatus, Coding, Document, Project, User


def coder_progress(session: Session, project: Project) -> dict[int, list[tuple[str, str]]]:
    """document id → [(coder display name, status)] for coders assigned to it or coding it."""
    status: dict[tuple[int, int], str] = {}
    names: dict[int, str] = {}
    for doc_id, user_id, st in session.execute(
        select(Assignment.document_id, Assignment.coder_id, Assignment.status)
        .join(Document)
        .where(Document.project_id == project.id)
    ):
        status[(doc_id, user_id)] = AssignmentStatus(st).value
    for doc_id, user_id, _n in session.execute(
        select(Coding.document_id, Coding.coder_id, func.count())
        .join(Document)
        .where(Document.project_id == project.id)
        .group_by(Coding.document_id, Coding.coder_id)
    ):
        if status.get((doc_id, user_id)) != AssignmentStatus.DONE.value:
            status[(doc_id, user_id)] = AssignmentStatus.IN_PROGRESS.value
    user_ids = {u for _, u in status}
    if user_ids:
        for uid, label, system in session.execute(
            select(User.id, User.display_name, User.is_system).where(User.id.in_(user_ids))
        ):
            if not system:
                names[uid] = label
    out: dict[int, list[tuple[str, str]]] = {}
    for (doc_id, uid), state in sorted(status.items()):
        if uid in names:
            out.setdefault(doc_id, []).append((names[uid], state))
    return out
