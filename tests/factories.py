"""Plain factory functions: each adds a row, flushes and returns it."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from qualcode.models import Code, Coding, Document, Origin, Project, Role, User
from qualcode.services import codebook as codebook_service
from qualcode.services import coding as coding_service
from qualcode.services import documents as document_service
from qualcode.services import projects as project_service
from qualcode.services import users as user_service
from qualcode.text.spans import Span
from qualcode.text.transcript import Transcript, TurnData

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


def make_user(session: Session, username: str | None = None, **kw: Any) -> User:
    return user_service.create_user(
        session, username or f"user{next(_seq)}", password=kw.pop("password", PASSWORD), **kw
    )


def make_project(
    session: Session, slug: str | None = None, *, owner: User | None = None, **kw: Any
) -> Project:
    return project_service.create_project(
        session, slug or f"project-{next(_seq)}", owner=owner, **kw
    )


def member(
    session: Session, project: Project, role: Role | str = Role.CODER, username: str | None = None
) -> User:
    user = make_user(session, username)
    project_service.add_member(session, project, user, Role(role))
    return user


def transcript_from_turns(turns: list[tuple[str | None, str]]) -> Transcript:
    """Build a transcript in the canonical text model: one line per turn, ``Name: `` prefix."""
    parts, out, pos = [], [], 0
    for speaker, words in turns:
        prefix = f"{speaker}: " if speaker else ""
        start = pos + len(prefix)
        out.append(
            TurnData(start, start + len(words), speaker, is_interviewer=speaker == "Interviewer")
        )
        line = prefix + words
        parts.append(line)
        pos += len(line) + 1
    return Transcript(text="\n".join(parts), turns=out, source_type="txt")


DEFAULT_TURNS = [
    ("Interviewer", "What were the main barriers to delivering the targets?"),
    ("Jane Smith", "Honestly, staff turnover. The champion left and nobody handed over."),
    ("Interviewer", "And the pump-priming grant?"),
    ("Jane Smith", "The pump priming money let us start the scheme early; without it, no chance."),
]


def make_document(
    session: Session,
    project: Project,
    *,
    title: str | None = None,
    turns: list[tuple[str | None, str]] | None = None,
    case: str | None = None,
    user_id: int | None = None,
) -> Document:
    transcript = transcript_from_turns(turns or DEFAULT_TURNS)
    case_row = document_service.get_or_create_case(session, project, case) if case else None
    return document_service.add_document(
        session,
        project,
        transcript,
        title=title or f"Interview {next(_seq)}",
        case=case_row,
        user_id=user_id,
    )


def make_code(
    session: Session,
    project: Project,
    name: str | None = None,
    *,
    parent: Code | None = None,
    **fields: Any,
) -> Code:
    return codebook_service.create_code(
        session, project, name or f"Code {next(_seq)}", parent=parent, **fields
    )


def make_coding(
    session: Session,
    document: Document,
    code: Code,
    coder: User,
    *,
    quote: str | None = None,
    start: int | None = None,
    end: int | None = None,
    origin: Origin = Origin.MANUAL,
) -> Coding:
    if quote is not None:
        start = document.text.index(quote)
        end = start + len(quote)
    assert start is not None
    assert end is not None
    return coding_service.apply_code(
        session,
        document_id=document.id,
        code_id=code.id,
        span=Span(start, end),
        coder_id=coder.id,
        origin=origin,
    )
