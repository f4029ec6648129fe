"""Citations of coded passages: document, version, paragraph, turn, speaker, coder, case.

The paragraph is the 1-based line of the document's canonical text the passage starts on
(importers write one line per paragraph or speaker turn, so it is the paragraph a reader
finds in the source transcript). It is counted in SQL, so citing many passages never loads
their documents' text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.models import AttributeDef, AttributeValue, Case, Coding, Document, Turn, User
from qualcode.services import codebook

ROLE_ATTRIBUTE = "interviewee_role"  # the document (or case) attribute naming who was interviewed


def paragraphs(session: Session, coding_ids: Iterable[int]) -> dict[int, int]:
    """Coding id → the 1-based paragraph (line) of its document where it starts."""
    ids = sorted(set(coding_ids))
    starts: dict[int, list[tuple[int, int]]] = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        rows = session.execute(
            select(Coding.document_id, Coding.id, Coding.start).where(Coding.id.in_(chunk))
        )
        for doc_id, coding_id, start in rows:
            starts.setdefault(doc_id, []).append((coding_id, start))
    out: dict[int, int] = {}
    doc_ids = sorted(starts)
    for chunk in (doc_ids[i : i + 100] for i in range(0, len(doc_ids), 100)):
        texts = session.execute(select(Document.id, Document.text).where(Document.id.in_(chunk)))
        for doc_id, text in texts:  # the texts are read whole: SQL cannot see inside them
            out.update((c, text.count("\n", 0, start) + 1) for c, start in starts[doc_id])
    return out


class Citer:
    """Builds citation dicts for codings, a batch at a time (a handful of queries however
    many codings), caching code paths."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._paths: dict[int, dict[int, str]] = {}

    def code_path(self, project_id: int, code_id: int) -> str:
        if project_id not in self._paths:
            self._paths[project_id] = codebook.paths(codebook.all_codes(self.session, project_id))
        return self._paths[project_id].get(code_id, "")

    def citation(self, coding: Coding) -> dict[str, Any]:
        return self.citations([coding])[coding.id]

    def citations(self, codings: Sequence[Coding]) -> dict[int, dict[str, Any]]:
        """Coding id → its citation."""
        if not codings:
            return {}
        doc_ids = sorted({c.document_id for c in codings})
        documents = {
            row.id: row
            for row in self.session.execute(
                select(
                    Document.id,
                    Document.title,
                    Document.guid,
                    Document.version,
                    Document.project_id,
                    Document.case_id,
                    Case.name.label("case"),
                )
                .outerjoin(Case, Case.id == Document.case_id)
                .where(Document.id.in_(doc_ids))
            )
        }
        turns: dict[int, list[Any]] = {}
        for turn in self.session.execute(
            select(
                Turn.document_id,
                Turn.index,
                Turn.start,
                Turn.end,
                Turn.speaker,
                Turn.is_interviewer,
            )
            .where(Turn.document_id.in_(doc_ids))
            .order_by(Turn.document_id, Turn.index)
        ):
            turns.setdefault(turn.document_id, []).append(turn)
        roles = self._roles(list(documents.values()))
        label = func.coalesce(func.nullif(User.display_name, ""), User.username)
        coders: dict[int, str] = {
            user_id: name
            for user_id, name in self.session.execute(
                select(User.id, label).where(User.id.in_({c.coder_id for c in codings}))
            )
        }
        numbers = paragraphs(self.session, [c.id for c in codings])
        out = {}
        for coding in codings:
            document = documents[coding.document_id]
            turn = _attributed(turns.get(coding.document_id, []), coding.start, coding.end)
            out[coding.id] = {
                "document": document.title,
                "document_guid": document.guid,
                "document_id": document.id,
                "version": document.version,
                "paragraph": numbers.get(coding.id),
                "turn": turn.index + 1 if turn is not None else None,
                "speaker": turn.speaker if turn is not None else None,
                "coder": coders.get(coding.coder_id),
                "case": document.case,
                "role": roles.get(document.id),
                "code": self.code_path(document.project_id, coding.code_id),
                "coding_guid": coding.guid,
                "start": coding.start,
                "end": coding.end,
            }
        return out

    def _roles(self, documents: Sequence[Any]) -> dict[int, str]:
        """Document id → the interviewee's role: the document's ``interviewee_role``, else
        its case's."""
        if not documents:
            return {}
        by_document: dict[int, str] = {}
        by_case: dict[int, str] = {}
        for doc_id, case_id, value in self.session.execute(
            select(AttributeValue.document_id, AttributeValue.case_id, AttributeValue.value)
            .join(AttributeDef, AttributeDef.id == AttributeValue.attribute_id)
            .where(
                AttributeDef.project_id.in_({d.project_id for d in documents}),
                AttributeDef.name == ROLE_ATTRIBUTE,
                AttributeValue.document_id.in_([d.id for d in documents])
                | AttributeValue.case_id.in_(
                    {d.case_id for d in documents if d.case_id is not None}
                ),
            )
        ):
            if doc_id is not None:
                by_document[doc_id] = str(value)
            elif case_id is not None:
                by_case[case_id] = str(value)
        out = {}
        for d in documents:
            role = by_document.get(d.id) or (by_case.get(d.case_id) if d.case_id else None)
            if role:
                out[d.id] = role
        return out


def _attributed(turns: Sequence[Any], start: int, end: int) -> Any:
    """The turn a passage is attributed to: the first answer (non-interviewer turn) it
    overlaps, else the first turn it overlaps, else the last turn before it."""
    touched = [t for t in turns if t.start < end and t.end > start]
    answer = next((t for t in touched if not t.is_interviewer), None)
    if answer is not None or touched:
        return answer or touched[0]
    before = [t for t in turns if t.start <= start]
    return before[-1] if before else None
