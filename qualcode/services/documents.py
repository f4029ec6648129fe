"""Documents and turns, cases, and typed attribute values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.errors import Conflict, InvalidInput, NotFound
from qualcode.models import (
    AttributeDef,
    AttributeScope,
    AttributeType,
    AttributeValue,
    Case,
    Document,
    Project,
    Turn,
)
from qualcode.services import audit
from qualcode.services.document_rows import insert_document
from qualcode.text.transcript import Transcript, TurnData


def add_document(
    session: Session,
    project: Project,
    transcript: Transcript,
    *,
    title: str,
    filename: str = "",
    case: Case | None = None,
    user_id: int | None = None,
    previous: Document | None = None,
) -> Document:
    """Store a parsed transcript as a ``Document`` with its ``Turn`` rows
    (:func:`qualcode.services.document_rows.insert_document`, in the session's transaction).

    The text must already be normalised (``qualcode.text.normalize``); it is refused otherwise,
    because every offset in the project depends on it never changing after import.
    """
    session.flush()  # the rows written here refer to the session's pending ones (a new case)
    written = insert_document(
        session.connection(),
        project.id,
        transcript,
        title=title,
        filename=filename,
        case_id=case.id if case else None,
        user_id=user_id,
        previous=(previous.id, previous.version) if previous else None,
    )
    if previous is not None:
        session.expire(previous, ["is_current"])
    doc = session.get(Document, written.id)
    assert doc is not None
    return doc


def turn_data(session: Session, document_ids: Iterable[int]) -> dict[int, list[TurnData]]:
    """Document id -> its turns in order, as the text model's :class:`TurnData`."""
    turns: dict[int, list[TurnData]] = {}
    rows = session.execute(
        select(Turn.document_id, Turn.start, Turn.end, Turn.speaker, Turn.timestamp,
               Turn.is_interviewer)
        .where(Turn.document_id.in_(sorted(set(document_ids))))
        .order_by(Turn.document_id, Turn.index)
    )  # fmt: skip
    for doc_id, start, end, speaker, timestamp, interviewer in rows:
        turns.setdefault(doc_id, []).append(TurnData(start, end, speaker, timestamp, interviewer))
    return turns


def text_lengths(session: Session, document_ids: Iterable[int]) -> dict[int, int]:
    """Document id -> length of its text in code points (read from the texts themselves: SQL
    cannot measure a compressed column, see :mod:`qualcode.db.types`)."""
    ids = sorted(set(document_ids))
    lengths: dict[int, int] = {}
    for chunk in (ids[i : i + 200] for i in range(0, len(ids), 200)):
        rows = session.execute(select(Document.id, Document.text).where(Document.id.in_(chunk)))
        lengths.update((doc_id, len(text)) for doc_id, text in rows)
    return lengths


def find_duplicate(session: Session, project: Project, sha256: str) -> Document | None:
    return session.scalar(
        select(Document).where(
            Document.project_id == project.id,
            Document.sha256 == sha256,
            Document.is_current.is_(True),
        )
    )


def find_by_title(session: Session, project: Project, title: str) -> Document | None:
    return session.scalar(
        select(Document).where(
            Document.project_id == project.id,
            Document.title == title,
            Document.is_current.is_(True),
        )
    )


def get_document(session: Session, project: Project, ident: int | str) -> Document:
    """A document by id or by title."""
    doc: Document | None
    if isinstance(ident, int) or str(ident).isdigit():
        doc = session.get(Document, int(ident))
        if doc is not None and doc.project_id != project.id:
            doc = None
    else:
        doc = find_by_title(session, project, str(ident))
    if doc is None:
        raise NotFound(f"no document {ident} in {project.slug}")
    return doc


def list_documents(
    session: Session, project: Project, *, case_id: int | None = None, current_only: bool = True
) -> Sequence[Document]:
    stmt = select(Document).where(Document.project_id == project.id).order_by(Document.title)
    if current_only:
        stmt = stmt.where(Document.is_current.is_(True))
    if case_id is not None:
        stmt = stmt.where(Document.case_id == case_id)
    return session.scalars(stmt).all()


def delete_document(session: Session, doc: Document, *, user_id: int | None) -> None:
    audit.record(session, "document.deleted", doc, user_id=user_id, detail={"title": doc.title})
    session.delete(doc)
    session.flush()


# --- cases ------------------------------------------------------------------------------------


def get_or_create_case(
    session: Session, project: Project, name: str, *, user_id: int | None = None
) -> Case:
    name = name.strip()
    if not name:
        raise InvalidInput("a case needs a name")
    case = session.scalar(select(Case).where(Case.project_id == project.id, Case.name == name))
    if case is None:
        case = Case(project_id=project.id, name=name)
        session.add(case)
        session.flush()
        audit.record(session, "case.created", case, user_id=user_id, detail={"name": name})
    return case


def list_cases(session: Session, project: Project) -> Sequence[Case]:
    return session.scalars(
        select(Case).where(Case.project_id == project.id).order_by(Case.name)
    ).all()


def assign_case(session: Session, doc: Document, case: Case | None, *, user_id: int | None) -> None:
    doc.case_id = case.id if case else None
    audit.record(
        session,
        "document.case_set",
        doc,
        user_id=user_id,
        detail={"case": case.name if case else None},
    )
    session.flush()


# --- attributes -------------------------------------------------------------------------------


def define_attribute(
    session: Session,
    project: Project,
    name: str,
    scope: AttributeScope | str,
    type_: AttributeType | str = AttributeType.TEXT,
    *,
    choices: Sequence[str] = (),
    user_id: int | None = None,
) -> AttributeDef:
    scope, type_ = AttributeScope(scope), AttributeType(type_)
    attr = session.scalar(
        select(AttributeDef).where(
            AttributeDef.project_id == project.id,
            AttributeDef.scope == scope,
            AttributeDef.name == name,
        )
    )
    if attr is None:
        attr = AttributeDef(
            project_id=project.id, name=name, scope=scope, type=type_, choices=list(choices)
        )
        session.add(attr)
        session.flush()
        audit.record(
            session,
            "attribute.defined",
            attr,
            user_id=user_id,
            detail={"name": name, "scope": scope.value, "type": type_.value},
        )
    elif attr.type is not type_ or list(choices) != attr.choices:
        attr.type, attr.choices = type_, list(choices)
        audit.record(
            session,
            "attribute.retyped",
            attr,
            user_id=user_id,
            detail={"name": name, "type": type_.value},
        )
    return attr


def set_attribute(
    session: Session,
    attr: AttributeDef,
    owner: Case | Document,
    value: Any,
    *,
    user_id: int | None = None,
) -> None:
    is_case = isinstance(owner, Case)
    if (attr.scope is AttributeScope.CASE) != is_case:
        raise Conflict(f"attribute {attr.name} belongs to {attr.scope.value}s")
    column = AttributeValue.case_id if is_case else AttributeValue.document_id
    row = session.scalar(
        select(AttributeValue).where(AttributeValue.attribute_id == attr.id, column == owner.id)
    )
    text = "" if value is None else str(value)
    if row is None:
        row = AttributeValue(
            attribute_id=attr.id,
            value=text,
            case_id=owner.id if is_case else None,
            document_id=None if is_case else owner.id,
        )
        session.add(row)
    else:
        row.value = text
    audit.record(
        session,
        "attribute.set",
        owner,
        project_id=attr.project_id,
        user_id=user_id,
        detail={"attribute": attr.name, "value": text},
    )
    session.flush()


def attribute_map(
    session: Session, project: Project
) -> tuple[dict[int, dict[str, str]], dict[int, dict[str, str]]]:
    """``(by_case_id, by_document_id)`` attribute name → value maps for a project."""
    rows = session.execute(
        select(
            AttributeDef.name,
            AttributeValue.case_id,
            AttributeValue.document_id,
            AttributeValue.value,
        )
        .join(AttributeDef, AttributeValue.attribute_id == AttributeDef.id)
        .where(AttributeDef.project_id == project.id)
    )
    by_case: dict[int, dict[str, str]] = {}
    by_doc: dict[int, dict[str, str]] = {}
    for name, case_id, doc_id, value in rows:
        if case_id is not None:
            by_case.setdefault(case_id, {})[name] = value
        elif doc_id is not None:
            by_doc.setdefault(doc_id, {})[name] = value
    return by_case, by_doc


def list_attributes(session: Session, project: Project) -> Sequence[AttributeDef]:
    return session.scalars(
        select(AttributeDef)
        .where(AttributeDef.project_id == project.id)
        .order_by(AttributeDef.scope, AttributeDef.name)
    ).all()


@dataclass
class DocumentSummary:
    id: int
    title: str
    case: str | None
    words: int
    turns: int
    speakers: list[str]
    attributes: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "case": self.case,
            "words": self.words,
            "turns": self.turns,
            "speakers": self.speakers,
            "attributes": self.attributes,
        }


def summaries(session: Session, project: Project) -> list[DocumentSummary]:
    """What ``qualcode documents`` and the document list show, in three queries."""
    docs = session.execute(
        select(
            Document.id,
            Document.title,
            Case.name,
            Document.word_count,
            Document.turn_count,
            Document.case_id,
        )
        .outerjoin(Case, Document.case_id == Case.id)
        .where(Document.project_id == project.id, Document.is_current.is_(True))
        .order_by(Document.title)
    ).all()
    speakers: dict[int, list[str]] = {}
    for doc_id, speaker in session.execute(
        select(Turn.document_id, Turn.speaker)
        .join(Document)
        .where(Document.project_id == project.id, Turn.speaker.is_not(None))
        .group_by(Turn.document_id, Turn.speaker)
        .order_by(Turn.document_id, func.min(Turn.index))
    ):
        if speaker:
            speakers.setdefault(doc_id, []).append(speaker)
    by_case, by_doc = attribute_map(session, project)
    out = []
    for doc_id, title, case_name, words, turns, case_id in docs:
        attrs = dict(by_case.get(case_id, {})) if case_id else {}
        attrs.update(by_doc.get(doc_id, {}))
        out.append(
            DocumentSummary(doc_id, title, case_name, words, turns, speakers.get(doc_id, []), attrs)
        )
    return out


def mark_interviewer(
    session: Session,
    project: Project,
    speaker: str,
    *,
    interviewer: bool = True,
    user_id: int | None = None,
) -> int:
    """Mark every turn of ``speaker`` in the project as the interviewer's (or not), and remember
    the label so later imports recognise it. Returns the number of turns changed."""
    from sqlalchemy import update

    labels = set(project.settings.get("interviewer_labels", []))
    labels = labels | {speaker} if interviewer else labels - {speaker}
    project.settings = {**project.settings, "interviewer_labels": sorted(labels)}
    doc_ids = select(Document.id).where(Document.project_id == project.id).scalar_subquery()
    result = session.execute(
        update(Turn)
        .where(Turn.document_id.in_(doc_ids), Turn.speaker == speaker)
        .values(is_interviewer=interviewer)
    )
    audit.record(
        session,
        "speaker.role_set",
        project,
        project_id=project.id,
        user_id=user_id,
        detail={"speaker": speaker, "interviewer": interviewer},
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
