"""Proposed changes to a code's definition, and the codebook lead's decision on each.

A proposal is a ``Memo`` on the code with kind ``definition_proposal`` whose ``text`` is the
proposed definition (its ``title`` may say why, e.g. which disagreement prompted it). Quality
assurance writes them (``memos.create_memo(..., kind=PROPOSAL, code_id=...)``); the codebook
editor lists the open ones. Accepting copies the text into the code's definition; dismissing
leaves the code alone. Either way the memo is kept, re-labelled, as the record of the decision.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import Conflict, NotFound
from qualcode.models import Code, Memo, Project
from qualcode.services import audit
from qualcode.services import codebook as codebook_service

PROPOSAL = "definition_proposal"
ACCEPTED = "definition_accepted"
DISMISSED = "definition_dismissed"


def open_proposals(
    session: Session, project: Project, code_id: int | None = None
) -> Sequence[Memo]:
    """Undecided proposals of the project (or of one code), oldest first."""
    stmt = (
        select(Memo)
        .where(Memo.project_id == project.id, Memo.kind == PROPOSAL, Memo.code_id.is_not(None))
        .order_by(Memo.created_at, Memo.id)
    )
    if code_id is not None:
        stmt = stmt.where(Memo.code_id == code_id)
    return session.scalars(stmt).all()


def get_proposal(session: Session, project: Project, memo_id: int) -> Memo:
    memo = session.get(Memo, memo_id)
    if (
        memo is None
        or memo.project_id != project.id
        or memo.code_id is None
        or memo.kind not in (PROPOSAL, ACCEPTED, DISMISSED)
    ):
        raise NotFound(f"no definition proposal with id {memo_id}")
    if memo.kind != PROPOSAL:
        state = "accepted" if memo.kind == ACCEPTED else "dismissed"
        raise Conflict(f"that proposal was already {state}")
    return memo


def accept_proposal(
    session: Session, memo: Memo, *, user_id: int | None, lock_version: int | None = None
) -> Code:
    """Make the proposed text the code's definition (a locked edit like any other)."""
    code = session.get(Code, memo.code_id)
    if code is None:
        raise NotFound("the proposal's code no longer exists")
    codebook_service.update_code(
        session, code, user_id=user_id, lock_version=lock_version, definition=memo.text.strip()
    )
    memo.kind = ACCEPTED
    session.flush()
    audit.record(session, "proposal.accepted", memo, user_id=user_id, detail={"code_id": code.id})
    return code


def dismiss_proposal(session: Session, memo: Memo, *, user_id: int | None) -> None:
    memo.kind = DISMISSED
    session.flush()
    audit.record(
        session, "proposal.dismissed", memo, user_id=user_id, detail={"code_id": memo.code_id}
    )
