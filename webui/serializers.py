"""Model rows → JSON dicts for the workbench API, and the transcript's display layout.

Offsets in every dict are code points into ``Document.text`` (DESIGN.md). The page also
carries each text piece's UTF-16 start so the browser can measure selections without
re-counting the whole text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.models import Assignment, Code, Coding, Document, Memo, Turn, User
from qualcode.text.spans import Utf16Index


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` (SQLite hands datetimes back without a zone)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def clock(seconds: float | None) -> str | None:
    """A recording position as ``M:SS`` or ``H:MM:SS``."""
    if seconds is None:
        return None
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def user_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "name": user.label}


def coding_json(coding: Coding, *, with_quote: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": coding.id,
        "document_id": coding.document_id,
        "code_id": coding.code_id,
        "coder_id": coding.coder_id,
        "coder": coding.coder.label,
        "start": coding.start,
        "end": coding.end,
        "origin": coding.origin.value,
        "suggestion_id": coding.suggestion_id,
        "created": timestamp(coding.created_at),
    }
    if with_quote:
        out["quote"] = coding.quote
    return out


def document_codings(
    session: Session, document_id: int, coder_ids: Iterable[int] | None, *, with_quote: bool = True
) -> list[dict[str, Any]]:
    """The same dicts as ``coding_json`` for a document's codings (of some coders), read as
    plain columns: the page embeds hundreds of codings, and ORM objects cost 10x more here.
    Ordered as ``coding.codings_for_document`` orders them (by start, then id)."""
    columns = [
        Coding.id,
        Coding.document_id,
        Coding.code_id,
        Coding.coder_id,
        Coding.start,
        Coding.end,
        Coding.origin,
        Coding.suggestion_id,
        Coding.created_at,
        User.display_name,
        User.username,
    ]
    if with_quote:
        columns.append(Coding.quote)
    stmt = (
        select(*columns)
        .join(User, User.id == Coding.coder_id)
        .where(Coding.document_id == document_id)
        .order_by(Coding.start, Coding.id)
    )
    if coder_ids is not None:
        stmt = stmt.where(Coding.coder_id.in_(list(coder_ids)))
    out = []
    for row in session.execute(stmt):
        item = {
            "id": row.id,
            "document_id": row.document_id,
            "code_id": row.code_id,
            "coder_id": row.coder_id,
            "coder": row.display_name or row.username,
            "start": row.start,
            "end": row.end,
            "origin": row.origin.value,
            "suggestion_id": row.suggestion_id,
            "created": timestamp(row.created_at),
        }
        if with_quote:
            item["quote"] = row.quote
        out.append(item)
    return out


def code_json(code: Code, path: str, count: int = 0) -> dict[str, Any]:
    return {
        "id": code.id,
        "parent_id": code.parent_id,
        "name": code.name,
        "path": path,
        "color": code.color,
        "kind": code.kind.value,
        "definition": code.definition,
        "inclusion": code.inclusion,
        "exclusion": code.exclusion,
        "typical_example": code.typical_example,
        "atypical_example": code.atypical_example,
        "active": code.active,
        "codable": code.codable,
        "position": code.position,
        "count": count,
    }


def codebook_json(
    codes: Sequence[Code], paths: Mapping[int, str], counts: Mapping[int, int]
) -> list[dict[str, Any]]:
    """Codes in tree order (parents before children, siblings by position)."""
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    out: list[dict[str, Any]] = []
    stack = list(reversed(sorted(children.get(None, []), key=lambda c: (c.position, c.id))))
    while stack:
        code = stack.pop()
        out.append(code_json(code, paths[code.id], counts.get(code.id, 0)))
        stack.extend(reversed(sorted(children.get(code.id, []), key=lambda c: (c.position, c.id))))
    return out


def memo_json(memo: Memo) -> dict[str, Any]:
    return {
        "id": memo.id,
        "title": memo.title,
        "text": memo.text,
        "kind": memo.kind,
        "author_id": memo.author_id,
        "author": memo.author.label if memo.author else None,
        "document_id": memo.document_id,
        "code_id": memo.code_id,
        "coding_id": memo.coding_id,
        "case_id": memo.case_id,
        "start": memo.start,
        "end": memo.end,
        "quote": memo.quote,
        "created": timestamp(memo.created_at),
        "updated": timestamp(memo.updated_at),
    }


def turn_json(turn: Turn) -> dict[str, Any]:
    return {
        "index": turn.index,
        "start": turn.start,
        "end": turn.end,
        "speaker": turn.speaker,
        "timestamp": turn.timestamp,
        "is_interviewer": turn.is_interviewer,
    }


def assignment_json(assignment: Assignment | None) -> dict[str, Any] | None:
    if assignment is None:
        return None
    return {
        "id": assignment.id,
        "document_id": assignment.document_id,
        "coder_id": assignment.coder_id,
        "purpose": assignment.purpose.value,
        "blind": assignment.blind,
        "status": assignment.status.value,
        "done_at": timestamp(assignment.done_at),
    }


def document_json(document: Document, *, with_text: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": document.id,
        "title": document.title,
        "case": document.case.name if document.case else None,
        "words": document.word_count,
        "sha256": document.sha256,
        "version": document.version,
        "turns": [turn_json(t) for t in document.turns],
    }
    if with_text:
        out["text"] = document.text
    return out


# --- the transcript's display layout ----------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A run of the text shown (or, for labels and line breaks, kept but hidden) on the page."""

    start: int
    end: int
    start16: int
    text: str
    hidden: bool


@dataclass
class Block:
    """One row of the transcript: a speaker turn, or a line of text outside any turn."""

    turn: Turn | None
    pieces: list[Piece] = field(default_factory=list)

    @property
    def start(self) -> int:
        """Where the block's visible text starts (its turn's words, or its line)."""
        shown = [p for p in self.pieces if not p.hidden] or self.pieces
        return shown[0].start

    @property
    def end(self) -> int:
        shown = [p for p in self.pieces if not p.hidden] or self.pieces
        return shown[-1].end

    @property
    def speaker(self) -> str | None:
        return self.turn.speaker if self.turn else None

    @property
    def clock(self) -> str | None:
        return clock(self.turn.timestamp) if self.turn else None


def transcript_blocks(text: str, turns: Iterable[Turn], index: Utf16Index) -> list[Block]:
    """Lay the whole text out as blocks whose pieces cover ``[0, len(text))`` exactly, in order.

    Each turn's spoken words are a visible piece; the line break and the speaker label before
    it (shown in the gutter instead) are one hidden piece at the start of its block, kept so
    that the page holds the canonical text and a selection across turns measures true offsets.
    Text outside every turn (a title line, an untagged paragraph) gets a block per line.
    """
    blocks: list[Block] = []
    hidden: list[int] = []  # [start, end] of the hidden run waiting for the next block

    def piece(start: int, end: int, is_hidden: bool) -> Piece:
        return Piece(start, end, index.to_utf16(start), text[start:end], is_hidden)

    def hide(start: int, end: int) -> None:
        if start < end:
            if hidden and hidden[1] == start:
                hidden[1] = end
            else:
                flush(blocks[-1] if blocks else None)
                hidden[:] = [start, end]

    def flush(block: Block | None) -> None:
        if hidden:
            if block is None:
                block = Block(None)
                blocks.append(block)
            block.pieces.append(piece(hidden[0], hidden[1], True))
            hidden.clear()

    def open_block(turn: Turn | None, start: int, end: int) -> None:
        block = Block(turn)
        flush(block)
        block.pieces.append(piece(start, end, False))
        blocks.append(block)

    def untagged(start: int, end: int) -> None:
        pos = start
        while pos < end:
            newline = text.find("\n", pos, end)
            line_end = end if newline < 0 else newline
            if text[pos:line_end].strip():
                open_block(None, pos, line_end)
            else:
                hide(pos, line_end)
            if newline >= 0:
                hide(newline, newline + 1)
                line_end = newline + 1
            pos = line_end

    pos = 0
    for turn in sorted(turns, key=lambda t: t.start):
        if turn.start < pos:  # overlapping turns cannot be laid out; show the text once
            continue
        label_start = _label_start(text, pos, turn)
        untagged(pos, label_start)
        hide(label_start, turn.start)
        if turn.start < turn.end:
            open_block(turn, turn.start, turn.end)
        pos = max(pos, turn.end)
    untagged(pos, len(text))
    flush(blocks[-1] if blocks else None)
    return blocks


def _label_start(text: str, gap_start: int, turn: Turn) -> int:
    """Where the ``Speaker: `` label before a turn starts (the turn's start if there is none)."""
    if not turn.speaker:
        return turn.start
    gap = text[gap_start : turn.start]
    core = gap.rstrip()
    label = f"{turn.speaker}:"
    if not core.endswith(label):
        return turn.start
    start = gap_start + len(core) - len(label)
    if start > 0 and text[start - 1] != "\n":
        return turn.start
    return start


def transcript_html(blocks: Sequence[Block]) -> Markup:
    """The transcript's markup: one ``div.blk`` per block with the speaker and time in a gutter
    and the pieces as ``span.t`` (``.h`` when hidden) carrying their start in code points
    (``data-o``) and, where it differs, in UTF-16 units (``data-u``). Built here rather than in
    Jinja because a 20,000-word interview has thousands of pieces and this is the page's hot
    path (and the markup is kept lean for the same reason); every text is escaped."""
    out: list[str] = []
    previous: str | None = None
    for block in blocks:
        turn = block.turn
        classes = "blk"
        if turn is not None and turn.is_interviewer:
            classes += " interviewer"
        if turn is None:
            classes += " untagged"
        if block.speaker and block.speaker == previous:
            classes += " same-speaker"
        previous = block.speaker
        gutter = f'<span class="spk">{escape(block.speaker)}</span>' if block.speaker else ""
        if block.clock:
            gutter += f'<span class="ts">{block.clock}</span>'
        pieces = "".join(_piece_html(p) for p in block.pieces)
        out.append(
            f'<div class="{classes}"><div class="gutter">{gutter}</div>'
            f'<div class="txt">{pieces}</div></div>\n'
        )
    return Markup("".join(out))


def _piece_html(piece: Piece) -> str:
    hidden = " h" if piece.hidden else ""
    utf16 = f' data-u="{piece.start16}"' if piece.start16 != piece.start else ""
    return f'<span class="t{hidden}" data-o="{piece.start}"{utf16}>{escape(piece.text)}</span>'
