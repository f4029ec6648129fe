"""The speakers of a project: who speaks how much, and who is the interviewer.

Speakers are recognised per project by their label. Marking a label as the interviewer's
(:func:`qualcode.services.documents.mark_interviewer`) changes every turn of it, and later
imports recognise it, so evidence views can leave interviewer speech out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from qualcode.models import Document, Project, Turn


@dataclass(frozen=True)
class Speaker:
    name: str
    turns: int
    documents: int
    interviewer_turns: int  # turns marked as the interviewer's

    @property
    def role(self) -> str:
        """``interviewer``, ``respondent``, or ``mixed`` when only some turns are marked."""
        if self.interviewer_turns == 0:
            return "respondent"
        return "interviewer" if self.interviewer_turns == self.turns else "mixed"


def list_speakers(session: Session, project: Project) -> list[Speaker]:
    """Every labelled speaker in the project's current documents, most turns first."""
    marked = func.sum(case((Turn.is_interviewer.is_(True), 1), else_=0))
    rows = session.execute(
        select(Turn.speaker, func.count(), func.count(func.distinct(Turn.document_id)), marked)
        .join(Document, Turn.document_id == Document.id)
        .where(
            Document.project_id == project.id,
            Document.is_current.is_(True),
            Turn.speaker.is_not(None),
        )
        .group_by(Turn.speaker)
        .order_by(func.count().desc(), Turn.speaker)
    )
    return [
        Speaker(name, int(turns), int(documents), int(interviewer or 0))
        for name, turns, documents, interviewer in rows
        if name
    ]
