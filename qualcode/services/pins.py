"""The quote bank: coded passages pinned to sections of the chapter outline.

A pinned quote points at a coding and keeps a citation (document title and guid, version,
paragraph and turn, speaker, coder, case, interviewee role, code) and the quoted text, taken
when it was pinned. Re-importing a corrected transcript re-anchors codings onto the new
version without changing their ids, so a pin follows its coding to the corrected text; when
the coding is deleted (the foreign key sets ``coding_id`` to NULL) or could not be carried
over, the pin keeps its stored citation and quote and :func:`resolve_pins` flags it.
Reached through :mod:`qualcode.services.chapters`, which re-exports these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import Conflict, InvalidInput, NotFound
from qualcode.models import ChapterSection, Coding, Document, PinnedQuote, Project
from qualcode.services import audit
from qualcode.services.citations import Citer


def reposition(items: list[Any], item: Any, position: int) -> None:
    """Move ``item`` to ``position`` among ``items`` (clamped) and renumber them all."""
    items.remove(item)
    items.insert(max(0, min(position, len(items))), item)
    renumber(items)


def renumber(items: Sequence[Any]) -> None:
    """Give ``items`` the positions 0, 1, 2... in their list order."""
    for position, item in enumerate(items):
        item.position = position


REMOVED = "the coded passage has been removed; quote and citation are as pinned"
NOT_CARRIED_OVER = (
    "the passage could not be found in the corrected transcript; quote and citation are as pinned"
)
CORRECTED = "the transcript was corrected after pinning; the quote shows the current text"


# --- the quote bank ---------------------------------------------------------------------------


def pin_quote(
    session: Session,
    project: Project,
    *,
    coding_id: int,
    section: ChapterSection,
    note: str = "",
    user_id: int | None,
) -> PinnedQuote:
    """Pin a coding to the end of ``section`` with an optional note; its citation and quote
    are stored with the pin."""
    coding = session.get(Coding, coding_id)
    document = session.get(Document, coding.document_id) if coding is not None else None
    if coding is None or document is None or document.project_id != project.id:
        raise NotFound(f"no coding with id {coding_id}")
    if section.chapter.project_id != project.id:
        raise NotFound(f"no chapter section with id {section.id}")
    if any(p.coding_id == coding_id for p in section.pins):
        raise Conflict(f"this quote is already pinned to section {section.number}")
    pin = PinnedQuote(
        section_id=section.id,
        coding_id=coding.id,
        note=note.strip(),
        position=len(section.pins),
        citation=Citer(session).citation(coding),
        quote=coding.quote,
        created_by_id=user_id,
    )
    section.pins.append(pin)
    session.flush()
    audit.record(
        session,
        "pin.created",
        pin,
        project_id=project.id,
        user_id=user_id,
        detail={"coding_id": coding.id, "section": section.number},
    )
    return pin


def update_note(
    session: Session, pin: PinnedQuote, note: str, *, user_id: int | None
) -> PinnedQuote:
    pin.note = note.strip()
    session.flush()
    audit.record(
        session,
        "pin.noted",
        pin,
        project_id=pin.section.chapter.project_id,
        user_id=user_id,
        detail={"note": pin.note},
    )
    return pin


def move_pin(
    session: Session,
    pin: PinnedQuote,
    *,
    position: int,
    section: ChapterSection | None = None,
    user_id: int | None,
) -> PinnedQuote:
    """Move a pin within its section, or to ``position`` in another section."""
    source = pin.section
    target = section or source
    if target.chapter.project_id != source.chapter.project_id:
        raise NotFound(f"no chapter section with id {target.id}")
    if target is not source:
        if pin.coding_id is not None and any(p.coding_id == pin.coding_id for p in target.pins):
            raise Conflict(f"this quote is already pinned to section {target.number}")
        source.pins.remove(pin)
        renumber(source.pins)
        target.pins.append(pin)
    reposition(list(target.pins), pin, position)
    target.pins.sort(key=lambda p: p.position)
    session.flush()
    audit.record(
        session,
        "pin.moved",
        pin,
        project_id=target.chapter.project_id,
        user_id=user_id,
        detail={"section": target.number, "position": pin.position},
    )
    return pin


def reorder_pins(
    session: Session, section: ChapterSection, pin_ids: Sequence[int], *, user_id: int | None
) -> None:
    """Put the section's pins in the order of ``pin_ids`` (all of them, each once)."""
    by_id = {p.id: p for p in section.pins}
    if sorted(pin_ids) != sorted(by_id):
        raise InvalidInput(f"give every pin of section {section.number} exactly once")
    for position, pin_id in enumerate(pin_ids):
        by_id[pin_id].position = position
    section.pins.sort(key=lambda p: p.position)
    session.flush()
    audit.record(
        session,
        "pins.reordered",
        section,
        project_id=section.chapter.project_id,
        user_id=user_id,
        detail={"order": list(pin_ids)},
    )


def unpin(session: Session, pin: PinnedQuote, *, user_id: int | None) -> None:
    section = pin.section
    audit.record(
        session,
        "pin.removed",
        pin,
        project_id=section.chapter.project_id,
        user_id=user_id,
        detail={"coding_id": pin.coding_id, "quote": pin.quote[:200]},
    )
    section.pins.remove(pin)
    session.flush()
    renumber(section.pins)


# --- resolving pins for display and export ------------------------------------------------------


@dataclass(frozen=True)
class ResolvedPin:
    """A pin as it stands now: the live citation and text of its coding when that coding is
    still in a current document, else what was stored when it was pinned, with ``flag``."""

    pin: PinnedQuote
    text: str
    citation: dict[str, Any]
    flag: str | None
    coding_id: int | None
    live: bool


def resolve_pins(session: Session, pins: Sequence[PinnedQuote]) -> list[ResolvedPin]:
    ids = sorted({p.coding_id for p in pins if p.coding_id is not None})
    # loaded in one query; each ``pin.coding`` then comes from the identity map
    codings = {c.id: c for c in session.scalars(select(Coding).where(Coding.id.in_(ids)))}
    # by id, not ``coding.document``: re-anchoring moves ``document_id`` under a loaded
    # relationship
    current = set(
        session.scalars(
            select(Document.id).where(
                Document.id.in_({c.document_id for c in codings.values()}),
                Document.is_current.is_(True),
            )
        )
    )
    live = [c for c in codings.values() if c.document_id in current]
    citations = Citer(session).citations(live)
    out = []
    for pin in pins:
        coding = codings.get(pin.coding_id) if pin.coding_id is not None else None
        stored = dict(pin.citation)
        if coding is None:
            out.append(ResolvedPin(pin, pin.quote, stored, REMOVED, None, False))
        elif coding.id not in citations:
            out.append(ResolvedPin(pin, pin.quote, stored, NOT_CARRIED_OVER, coding.id, False))
        else:
            flag = CORRECTED if coding.quote != pin.quote else None
            out.append(ResolvedPin(pin, coding.quote, citations[coding.id], flag, coding.id, True))
    return out
