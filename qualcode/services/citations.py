"""Citations of coded passages: document, version, paragraph, turn, speaker, coder, case.

The paragraph is the 1-based line of the document's canonical text the passage starts on
(importers write one line per paragraph or speaker turn, so it is the paragraph a reader
finds in the source transcript). It is counted in SQL, so citing many passages never loads
their documents' text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.models import AttributeDef, AttributeValue, Coding, Document, Turn
from qualcode.services import codebook

ROLE_ATTRIBUTE = "interviewee_role"  # the document (or case) attribute naming who was interviewed


def paragraphs(session: Session, coding_ids: Iterable[int]) -> dict[int, int]:
    """Coding id → the 1-based paragraph (line) of its document where it starts."""
    ids = sorted(set(coding_ids))
    out: dict[int, int] = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        head = func.substr(Document.text, 1, Coding.start)
        newlines = func.length(head) - func.length(func.replace(head, "\n", ""))
        rows = session.execute(
            select(Coding.id, newlines)
            .join(Document, Document.id == Coding.document_id)
            .where(Coding.id.in_(chunk))
        )
        out.update({coding_id: int(count or 0) + 1 for coding_id, count in rows})
    return out


class Citer:
    """Builds citation dicts, caching code paths for a run of citations."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._paths: dict[int, dict[int, str]] = {}

    def code_path(self, project_id: int, code_id: int) -> str:
        if project_id not in self._paths:
            self._paths[project_id] = codebook.paths(codebook.all_codes(self.session, project_id))
        return self._paths[project_id].get(code_id, "")

    def turn(self, coding: Coding) -> Turn | None:
        """The turn a passage is attributed to: the first answer (non-interviewer turn) it
        overlaps, else the first turn it overlaps, else the turn before it."""
        touched = self.session.scalars(
            select(Turn)
            .where(
                Turn.document_id == coding.document_id,
                Turn.start < coding.end,
                Turn.end > coding.start,
            )
            .order_by(Turn.index)
        ).all()
        answer = next((t for t in touched if not t.is_interviewer), None)
        if answer is not None or touched:
            return answer or touched[0]
        return self.session.scalar(
            select(Turn)
            .where(Turn.document_id == coding.document_id, Turn.start <= coding.start)
            .order_by(Turn.start.desc())
            .limit(1)
        )

    def role(self, document: Document) -> str | None:
        """The interviewee's role: the document's ``interviewee_role``, else its case's."""
        rows = self.session.execute(
            select(AttributeValue.document_id, AttributeValue.value)
            .join(AttributeDef, AttributeDef.id == AttributeValue.attribute_id)
            .where(
                AttributeDef.project_id == document.project_id,
                AttributeDef.name == ROLE_ATTRIBUTE,
                (AttributeValue.document_id == document.id)
                | (
                    (AttributeValue.case_id == document.case_id)
                    & AttributeValue.case_id.is_not(None)
                ),
            )
        ).all()
        values = {doc_id is not None: str(value) for doc_id, value in rows}
        return values.get(True, values.get(False))

    def citation(self, coding: Coding) -> dict[str, Any]:
        document = self.session.get(Document, coding.document_id)
        assert document is not None
        turn = self.turn(coding)
        return {
            "document": document.title,
            "document_guid": document.guid,
            "document_id": document.id,
            "version": document.version,
            "paragraph": paragraphs(self.session, [coding.id]).get(coding.id),
            "turn": turn.index + 1 if turn is not None else None,
            "speaker": turn.speaker if turn is not None else None,
            "coder": coding.coder.label,
            "case": document.case.name if document.case is not None else None,
            "role": self.role(document),
            "code": self.code_path(document.project_id, coding.code_id),
            "coding_guid": coding.guid,
            "start": coding.start,
            "end": coding.end,
        }
