"""The chapter outline (chapters → sections → codes) and the quote bank pinned to it.

The outline starts from the codebook's chapter mapping (``codebook_io.import_chapters``) and
lead authors edit it here. A pinned quote points at a coding and keeps a citation (document
title and guid, version, paragraph and turn, speaker, coder, case, code) and the quoted text,
taken when it was pinned. Re-importing a corrected transcript re-anchors codings onto the new
version without changing their ids, so a pin follows its coding to the corrected text; when
the coding is deleted (the foreign key sets ``coding_id`` to NULL) or could not be carried
over, the pin keeps its stored citation and quote and :func:`resolve_pins` flags it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from qualcode.errors import Conflict, InvalidInput, NotFound
from qualcode.models import ChapterOutline, ChapterSection, Code, Coding, PinnedQuote, Project
from qualcode.services import audit
from qualcode.services.citations import Citer
from qualcode.services.lookup import get_or_raise

# --- finding ----------------------------------------------------------------------------------


def outline(session: Session, project: Project) -> list[ChapterOutline]:
    """The project's chapters in order, with their sections, codes and pins loaded."""
    stmt = (select(ChapterOutline).where(ChapterOutline.project_id == project.id)
            .order_by(ChapterOutline.position, ChapterOutline.id)
            .options(selectinload(ChapterOutline.sections).selectinload(ChapterSection.codes),
                     selectinload(ChapterOutline.sections).selectinload(ChapterSection.pins)))
    return list(session.scalars(stmt).all())


def get_chapter(session: Session, project: Project, chapter_id: int) -> ChapterOutline:
    return get_or_raise(session, ChapterOutline, chapter_id, project_id=project.id)


def get_section(session: Session, project: Project, section_id: int) -> ChapterSection:
    section = session.get(ChapterSection, section_id)
    if section is None or section.chapter.project_id != project.id:
        raise NotFound(f"no chapter section with id {section_id}")
    return section


def get_pin(session: Session, project: Project, pin_id: int) -> PinnedQuote:
    pin = session.get(PinnedQuote, pin_id)
    if pin is None or pin.section.chapter.project_id != project.id:
        raise NotFound(f"no pinned quote with id {pin_id}")
    return pin


def chapter_by_number(session: Session, project: Project, number: str) -> ChapterOutline:
    chapter = session.scalar(select(ChapterOutline).where(
        ChapterOutline.project_id == project.id, ChapterOutline.number == number.strip()))
    if chapter is None:
        raise NotFound(f"no chapter {number} in the outline of {project.slug}")
    return chapter


def section_by_number(session: Session, project: Project, number: str) -> ChapterSection:
    section = session.scalar(
        select(ChapterSection).join(ChapterOutline)
        .where(ChapterOutline.project_id == project.id, ChapterSection.number == number.strip())
        .order_by(ChapterOutline.position, ChapterSection.position).limit(1))
    if section is None:
        raise NotFound(f"no section {number} in the outline of {project.slug}")
    return section


# --- editing the outline ----------------------------------------------------------------------


def _clean(number: str, title: str) -> tuple[str, str]:
    number, title = number.strip(), title.strip()
    if not number or len(number) > 20:
        raise InvalidInput("a chapter or section needs a number of at most 20 characters")
    if not title:
        raise InvalidInput(f"{number}: a title is needed")
    return number, title[:300]


def add_chapter(session: Session, project: Project, *, number: str, title: str,
                user_id: int | None) -> ChapterOutline:
    number, title = _clean(number, title)
    _unique_chapter(session, project, number)
    position = session.scalar(select(func.count(ChapterOutline.id)).where(
        ChapterOutline.project_id == project.id)) or 0
    chapter = ChapterOutline(project_id=project.id, number=number, title=title, position=position)
    session.add(chapter)
    session.flush()
    audit.record(session, "chapter.created", chapter, user_id=user_id,
                 detail={"number": number, "title": title})
    return chapter


def _unique_chapter(session: Session, project: Project, number: str,
                    exclude: int | None = None) -> None:
    clash = session.scalar(select(ChapterOutline.id).where(
        ChapterOutline.project_id == project.id, ChapterOutline.number == number))
    if clash is not None and clash != exclude:
        raise Conflict(f"chapter {number} already exists")


def update_chapter(session: Session, chapter: ChapterOutline, *, number: str, title: str,
                   user_id: int | None) -> ChapterOutline:
    number, title = _clean(number, title)
    project = session.get(Project, chapter.project_id)
    assert project is not None
    _unique_chapter(session, project, number, exclude=chapter.id)
    chapter.number, chapter.title = number, title
    session.flush()
    audit.record(session, "chapter.updated", chapter, user_id=user_id,
                 detail={"number": number, "title": title})
    return chapter


def delete_chapter(session: Session, chapter: ChapterOutline, *, user_id: int | None) -> None:
    project_id = chapter.project_id
    audit.record(session, "chapter.deleted", chapter, user_id=user_id,
                 detail={"number": chapter.number, "title": chapter.title,
                         "pins": sum(len(s.pins) for s in chapter.sections)})
    session.delete(chapter)
    session.flush()
    _renumber(session.scalars(select(ChapterOutline).where(
        ChapterOutline.project_id == project_id).order_by(ChapterOutline.position)).all())


def move_chapter(session: Session, chapter: ChapterOutline, position: int, *,
                 user_id: int | None) -> None:
    siblings = list(session.scalars(select(ChapterOutline).where(
        ChapterOutline.project_id == chapter.project_id).order_by(ChapterOutline.position,
                                                                   ChapterOutline.id)))
    _move(siblings, chapter, position)
    session.flush()
    audit.record(session, "chapter.moved", chapter, user_id=user_id,
                 detail={"position": chapter.position})


def _project_codes(session: Session, project_id: int, code_ids: Sequence[int]) -> list[Code]:
    wanted = list(dict.fromkeys(code_ids))
    found = {c.id: c for c in session.scalars(select(Code).where(
        Code.id.in_(wanted), Code.project_id == project_id))} if wanted else {}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(f"no code with id {missing[0]}")
    return [found[i] for i in wanted]


def add_section(session: Session, chapter: ChapterOutline, *, number: str, title: str,
                code_ids: Sequence[int] = (), user_id: int | None) -> ChapterSection:
    number, title = _clean(number, title)
    _unique_section(session, chapter.project_id, number)
    section = ChapterSection(chapter_id=chapter.id, number=number, title=title,
                             position=len(chapter.sections))
    section.codes = _project_codes(session, chapter.project_id, code_ids)
    chapter.sections.append(section)
    session.flush()
    audit.record(session, "section.created", section, project_id=chapter.project_id,
                 user_id=user_id, detail={"number": number, "title": title,
                                          "codes": [c.id for c in section.codes]})
    return section


def _unique_section(session: Session, project_id: int, number: str,
                    exclude: int | None = None) -> None:
    clash = session.scalar(select(ChapterSection.id).join(ChapterOutline).where(
        ChapterOutline.project_id == project_id, ChapterSection.number == number))
    if clash is not None and clash != exclude:
        raise Conflict(f"section {number} already exists")


def update_section(session: Session, section: ChapterSection, *, number: str | None = None,
                   title: str | None = None, code_ids: Sequence[int] | None = None,
                   user_id: int | None) -> ChapterSection:
    project_id = section.chapter.project_id
    new_number, new_title = _clean(number if number is not None else section.number,
                                   title if title is not None else section.title)
    _unique_section(session, project_id, new_number, exclude=section.id)
    section.number, section.title = new_number, new_title
    if code_ids is not None:
        section.codes = _project_codes(session, project_id, code_ids)
    session.flush()
    audit.record(session, "section.updated", section, project_id=project_id, user_id=user_id,
                 detail={"number": new_number, "title": new_title,
                         "codes": [c.id for c in section.codes]})
    return section


def delete_section(session: Session, section: ChapterSection, *, user_id: int | None) -> None:
    chapter = section.chapter
    audit.record(session, "section.deleted", section, project_id=chapter.project_id,
                 user_id=user_id, detail={"number": section.number, "pins": len(section.pins)})
    chapter.sections.remove(section)
    session.flush()
    _renumber(chapter.sections)


def move_section(session: Session, section: ChapterSection, position: int, *,
                 user_id: int | None) -> None:
    _move(list(section.chapter.sections), section, position)
    session.flush()
    audit.record(session, "section.moved", section, project_id=section.chapter.project_id,
                 user_id=user_id, detail={"position": section.position})


def _move(items: list[Any], item: Any, position: int) -> None:
    items.remove(item)
    items.insert(max(0, min(position, len(items))), item)
    _renumber(items)


def _renumber(items: Sequence[Any]) -> None:
    for position, item in enumerate(items):
        item.position = position


# --- the quote bank ---------------------------------------------------------------------------


def pin_quote(session: Session, project: Project, *, coding_id: int, section: ChapterSection,
              note: str = "", user_id: int | None) -> PinnedQuote:
    """Pin a coding to the end of ``section`` with an optional note; its citation and quote
    are stored with the pin."""
    coding = session.get(Coding, coding_id)
    if coding is None or coding.document.project_id != project.id:
        raise NotFound(f"no coding with id {coding_id}")
    if section.chapter.project_id != project.id:
        raise NotFound(f"no chapter section with id {section.id}")
    if any(p.coding_id == coding_id for p in section.pins):
        raise Conflict(f"this quote is already pinned to section {section.number}")
    pin = PinnedQuote(section_id=section.id, coding_id=coding.id, note=note.strip(),
                      position=len(section.pins), citation=Citer(session).citation(coding),
                      quote=coding.quote, created_by_id=user_id)
    section.pins.append(pin)
    session.flush()
    audit.record(session, "pin.created", pin, project_id=project.id, user_id=user_id,
                 detail={"coding_id": coding.id, "section": section.number})
    return pin


def update_note(session: Session, pin: PinnedQuote, note: str, *,
                user_id: int | None) -> PinnedQuote:
    pin.note = note.strip()
    session.flush()
    audit.record(session, "pin.noted", pin, project_id=pin.section.chapter.project_id,
                 user_id=user_id, detail={"note": pin.note})
    return pin


def move_pin(session: Session, pin: PinnedQuote, *, position: int,
             section: ChapterSection | None = None, user_id: int | None) -> PinnedQuote:
    """Move a pin within its section, or to ``position`` in another section."""
    source = pin.section
    target = section or source
    if target.chapter.project_id != source.chapter.project_id:
        raise NotFound(f"no chapter section with id {target.id}")
    if target is not source:
        if pin.coding_id is not None and any(p.coding_id == pin.coding_id for p in target.pins):
            raise Conflict(f"this quote is already pinned to section {target.number}")
        source.pins.remove(pin)
        _renumber(source.pins)
        target.pins.append(pin)
    _move(list(target.pins), pin, position)
    target.pins.sort(key=lambda p: p.position)
    session.flush()
    audit.record(session, "pin.moved", pin, project_id=target.chapter.project_id,
                 user_id=user_id, detail={"section": target.number, "position": pin.position})
    return pin


def reorder_pins(session: Session, section: ChapterSection, pin_ids: Sequence[int], *,
                 user_id: int | None) -> None:
    """Put the section's pins in the order of ``pin_ids`` (all of them, each once)."""
    by_id = {p.id: p for p in section.pins}
    if sorted(pin_ids) != sorted(by_id):
        raise InvalidInput(f"give every pin of section {section.number} exactly once")
    for position, pin_id in enumerate(pin_ids):
        by_id[pin_id].position = position
    section.pins.sort(key=lambda p: p.position)
    session.flush()
    audit.record(session, "pins.reordered", section, project_id=section.chapter.project_id,
                 user_id=user_id, detail={"order": list(pin_ids)})


def unpin(session: Session, pin: PinnedQuote, *, user_id: int | None) -> None:
    section = pin.section
    audit.record(session, "pin.removed", pin, project_id=section.chapter.project_id,
                 user_id=user_id, detail={"coding_id": pin.coding_id, "quote": pin.quote[:200]})
    section.pins.remove(pin)
    session.flush()
    _renumber(section.pins)


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
    citer = Citer(session)
    out = []
    for pin in pins:
        coding = pin.coding
        stored = dict(pin.citation)
        if coding is None:
            out.append(ResolvedPin(pin, pin.quote, stored, "the coded passage has been removed; "
                                   "quote and citation are as pinned", None, False))
            continue
        if not coding.document.is_current:
            out.append(ResolvedPin(pin, pin.quote, stored, "the passage could not be found in the "
                                   "corrected transcript; quote and citation are as pinned",
                                   coding.id, False))
            continue
        citation = citer.citation(coding)
        flag = None
        if coding.quote != pin.quote:
            flag = "the transcript was corrected after pinning; the quote shows the current text"
        out.append(ResolvedPin(pin, coding.quote, citation, flag, coding.id, True))
    return out
