"""The chapter outline: chapters → sections → the codes that feed each section.

The outline starts from the codebook's chapter mapping (``codebook_io.import_chapters``) and
lead authors edit it here. The quote bank pinned to its sections lives in
:mod:`qualcode.services.pins`; its functions are re-exported here, so callers reach the whole
outline through one module (``chapters.pin_quote``, ``chapters.resolve_pins``...).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from qualcode.errors import Conflict, InvalidInput, NotFound
from qualcode.models import ChapterOutline, ChapterSection, Code, PinnedQuote, Project
from qualcode.services import audit
from qualcode.services.lookup import get_or_raise
from qualcode.services.pins import (
    ResolvedPin,
    move_pin,
    pin_quote,
    renumber,
    reorder_pins,
    reposition,
    resolve_pins,
    unpin,
    update_note,
)

__all__ = [
    "ResolvedPin",
    "add_chapter",
    "add_section",
    "chapter_by_number",
    "delete_chapter",
    "delete_section",
    "get_chapter",
    "get_pin",
    "get_section",
    "move_chapter",
    "move_pin",
    "move_section",
    "outline",
    "pin_quote",
    "reorder_pins",
    "resolve_pins",
    "section_by_number",
    "unpin",
    "update_chapter",
    "update_note",
    "update_section",
]

# --- finding ----------------------------------------------------------------------------------


def outline(session: Session, project: Project) -> list[ChapterOutline]:
    """The project's chapters in order, with their sections, codes and pins loaded."""
    stmt = (
        select(ChapterOutline)
        .where(ChapterOutline.project_id == project.id)
        .order_by(ChapterOutline.position, ChapterOutline.id)
        .options(
            selectinload(ChapterOutline.sections).selectinload(ChapterSection.codes),
            selectinload(ChapterOutline.sections).selectinload(ChapterSection.pins),
        )
    )
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
    chapter = session.scalar(
        select(ChapterOutline).where(
            ChapterOutline.project_id == project.id, ChapterOutline.number == number.strip()
        )
    )
    if chapter is None:
        raise NotFound(f"no chapter {number} in the outline of {project.slug}")
    return chapter


def section_by_number(session: Session, project: Project, number: str) -> ChapterSection:
    section = session.scalar(
        select(ChapterSection)
        .join(ChapterOutline)
        .where(ChapterOutline.project_id == project.id, ChapterSection.number == number.strip())
        .order_by(ChapterOutline.position, ChapterSection.position)
        .limit(1)
    )
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


def add_chapter(
    session: Session, project: Project, *, number: str, title: str, user_id: int | None
) -> ChapterOutline:
    number, title = _clean(number, title)
    _unique_chapter(session, project, number)
    position = (
        session.scalar(
            select(func.count(ChapterOutline.id)).where(ChapterOutline.project_id == project.id)
        )
        or 0
    )
    chapter = ChapterOutline(project_id=project.id, number=number, title=title, position=position)
    session.add(chapter)
    session.flush()
    audit.record(
        session,
        "chapter.created",
        chapter,
        user_id=user_id,
        detail={"number": number, "title": title},
    )
    return chapter


def _unique_chapter(
    session: Session, project: Project, number: str, exclude: int | None = None
) -> None:
    clash = session.scalar(
        select(ChapterOutline.id).where(
            ChapterOutline.project_id == project.id, ChapterOutline.number == number
        )
    )
    if clash is not None and clash != exclude:
        raise Conflict(f"chapter {number} already exists")


def update_chapter(
    session: Session, chapter: ChapterOutline, *, number: str, title: str, user_id: int | None
) -> ChapterOutline:
    number, title = _clean(number, title)
    project = session.get(Project, chapter.project_id)
    assert project is not None
    _unique_chapter(session, project, number, exclude=chapter.id)
    chapter.number, chapter.title = number, title
    session.flush()
    audit.record(
        session,
        "chapter.updated",
        chapter,
        user_id=user_id,
        detail={"number": number, "title": title},
    )
    return chapter


def delete_chapter(session: Session, chapter: ChapterOutline, *, user_id: int | None) -> None:
    project_id = chapter.project_id
    audit.record(
        session,
        "chapter.deleted",
        chapter,
        user_id=user_id,
        detail={
            "number": chapter.number,
            "title": chapter.title,
            "pins": sum(len(s.pins) for s in chapter.sections),
        },
    )
    session.delete(chapter)
    session.flush()
    renumber(
        session.scalars(
            select(ChapterOutline)
            .where(ChapterOutline.project_id == project_id)
            .order_by(ChapterOutline.position)
        ).all()
    )


def move_chapter(
    session: Session, chapter: ChapterOutline, position: int, *, user_id: int | None
) -> None:
    siblings = list(
        session.scalars(
            select(ChapterOutline)
            .where(ChapterOutline.project_id == chapter.project_id)
            .order_by(ChapterOutline.position, ChapterOutline.id)
        )
    )
    reposition(siblings, chapter, position)
    session.flush()
    audit.record(
        session, "chapter.moved", chapter, user_id=user_id, detail={"position": chapter.position}
    )


def _project_codes(session: Session, project_id: int, code_ids: Sequence[int]) -> list[Code]:
    wanted = list(dict.fromkeys(code_ids))
    found = (
        {
            c.id: c
            for c in session.scalars(
                select(Code).where(Code.id.in_(wanted), Code.project_id == project_id)
            )
        }
        if wanted
        else {}
    )
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(f"no code with id {missing[0]}")
    return [found[i] for i in wanted]


def add_section(
    session: Session,
    chapter: ChapterOutline,
    *,
    number: str,
    title: str,
    code_ids: Sequence[int] = (),
    user_id: int | None,
) -> ChapterSection:
    number, title = _clean(number, title)
    _unique_section(session, chapter.project_id, number)
    section = ChapterSection(
        chapter_id=chapter.id, number=number, title=title, position=len(chapter.sections)
    )
    section.codes = _project_codes(session, chapter.project_id, code_ids)
    chapter.sections.append(section)
    session.flush()
    audit.record(
        session,
        "section.created",
        section,
        project_id=chapter.project_id,
        user_id=user_id,
        detail={"number": number, "title": title, "codes": [c.id for c in section.codes]},
    )
    return section


def _unique_section(
    session: Session, project_id: int, number: str, exclude: int | None = None
) -> None:
    clash = session.scalar(
        select(ChapterSection.id)
        .join(ChapterOutline)
        .where(ChapterOutline.project_id == project_id, ChapterSection.number == number)
    )
    if clash is not None and clash != exclude:
        raise Conflict(f"section {number} already exists")


def update_section(
    session: Session,
    section: ChapterSection,
    *,
    number: str | None = None,
    title: str | None = None,
    code_ids: Sequence[int] | None = None,
    user_id: int | None,
) -> ChapterSection:
    project_id = section.chapter.project_id
    new_number, new_title = _clean(
        number if number is not None else section.number,
        title if title is not None else section.title,
    )
    _unique_section(session, project_id, new_number, exclude=section.id)
    section.number, section.title = new_number, new_title
    if code_ids is not None:
        section.codes = _project_codes(session, project_id, code_ids)
    session.flush()
    audit.record(
        session,
        "section.updated",
        section,
        project_id=project_id,
        user_id=user_id,
        detail={"number": new_number, "title": new_title, "codes": [c.id for c in section.codes]},
    )
    return section


def delete_section(session: Session, section: ChapterSection, *, user_id: int | None) -> None:
    chapter = section.chapter
    audit.record(
        session,
        "section.deleted",
        section,
        project_id=chapter.project_id,
        user_id=user_id,
        detail={"number": section.number, "pins": len(section.pins)},
    )
    chapter.sections.remove(section)
    session.flush()
    renumber(chapter.sections)


def move_section(
    session: Session, section: ChapterSection, position: int, *, user_id: int | None
) -> None:
    reposition(list(section.chapter.sections), section, position)
    section.chapter.sections.sort(key=lambda s: s.position)
    session.flush()
    audit.record(
        session,
        "section.moved",
        section,
        project_id=section.chapter.project_id,
        user_id=user_id,
        detail={"position": section.position},
    )
