"""Editing the chapter outline: chapters and sections (number, title, order, codes).

Part of the ``chapters`` blueprint (``webui/views/chapters.py`` imports this module). Each
route takes a form (redirecting back to the page) or JSON (answering JSON); all need lead.
"""

from __future__ import annotations

from typing import Any

from flask import g, request

from qualcode.errors import InvalidInput, NotFound
from qualcode.models import Role
from qualcode.services import chapters as chapter_service
from qualcode.services import codebook as codebook_service
from webui.access import project_route
from webui.db import get_session
from webui.views.chapters import answer, bp, position_from, request_data, text_field


def _code_ids(data: dict[str, Any]) -> list[int] | None:
    """The section's codes: a JSON list of ids, or the form's code paths, one a line
    (absent: unchanged)."""
    if request.is_json:
        ids = data.get("code_ids")
        if ids is None:
            return None
        if not isinstance(ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in ids
        ):
            raise InvalidInput("code_ids must be a list of code ids")
        return ids
    if "codes" not in data:
        return None
    ids = []
    for number, line in enumerate(text_field(data, "codes", 50_000).splitlines(), start=1):
        if line.strip():
            try:
                ids.append(codebook_service.resolve(get_session(), g.project, line).id)
            except NotFound:
                raise InvalidInput(f"codes, line {number}: no code {line.strip()}") from None
    return ids


@bp.post("/p/<slug>/chapters/new")
@project_route(Role.LEAD)
def add_chapter(slug: str) -> Any:
    session = get_session()
    data = request_data()
    chapter = chapter_service.add_chapter(
        session,
        g.project,
        number=text_field(data, "number", 20),
        title=text_field(data, "title"),
        user_id=g.user.id,
    )
    session.commit()
    return answer(
        {"id": chapter.id, "number": chapter.number, "title": chapter.title},
        201,
        anchor=f"chapter-{chapter.id}",
    )


@bp.post("/p/<slug>/chapters/<int:chapter_id>/edit")
@project_route(Role.LEAD)
def edit_chapter(slug: str, chapter_id: int) -> Any:
    session = get_session()
    chapter = chapter_service.get_chapter(session, g.project, chapter_id)
    data = request_data()
    chapter_service.update_chapter(
        session,
        chapter,
        number=text_field(data, "number", 20),
        title=text_field(data, "title"),
        user_id=g.user.id,
    )
    session.commit()
    return answer(
        {"id": chapter.id, "number": chapter.number, "title": chapter.title},
        anchor=f"chapter-{chapter.id}",
    )


@bp.post("/p/<slug>/chapters/<int:chapter_id>/move")
@project_route(Role.LEAD)
def move_chapter(slug: str, chapter_id: int) -> Any:
    session = get_session()
    chapter = chapter_service.get_chapter(session, g.project, chapter_id)
    chapter_service.move_chapter(
        session, chapter, position_from(request_data(), chapter.position), user_id=g.user.id
    )
    session.commit()
    return answer({"id": chapter.id, "position": chapter.position}, anchor=f"chapter-{chapter.id}")


@bp.post("/p/<slug>/chapters/<int:chapter_id>/delete")
@project_route(Role.LEAD)
def delete_chapter(slug: str, chapter_id: int) -> Any:
    session = get_session()
    chapter = chapter_service.get_chapter(session, g.project, chapter_id)
    chapter_service.delete_chapter(session, chapter, user_id=g.user.id)
    session.commit()
    return answer({"deleted": chapter_id})


@bp.post("/p/<slug>/chapters/<int:chapter_id>/sections/new")
@project_route(Role.LEAD)
def add_section(slug: str, chapter_id: int) -> Any:
    session = get_session()
    chapter = chapter_service.get_chapter(session, g.project, chapter_id)
    data = request_data()
    section = chapter_service.add_section(
        session,
        chapter,
        number=text_field(data, "number", 20),
        title=text_field(data, "title"),
        code_ids=_code_ids(data) or [],
        user_id=g.user.id,
    )
    session.commit()
    return answer(
        {"id": section.id, "number": section.number, "title": section.title},
        201,
        anchor=f"section-{section.id}",
    )


@bp.post("/p/<slug>/chapters/sections/<int:section_id>/edit")
@project_route(Role.LEAD)
def edit_section(slug: str, section_id: int) -> Any:
    session = get_session()
    section = chapter_service.get_section(session, g.project, section_id)
    data = request_data()
    chapter_service.update_section(
        session,
        section,
        number=text_field(data, "number", 20) if "number" in data else None,
        title=text_field(data, "title") if "title" in data else None,
        code_ids=_code_ids(data),
        user_id=g.user.id,
    )
    session.commit()
    return answer(
        {
            "id": section.id,
            "number": section.number,
            "title": section.title,
            "code_ids": [c.id for c in section.codes],
        },
        anchor=f"section-{section.id}",
    )


@bp.post("/p/<slug>/chapters/sections/<int:section_id>/move")
@project_route(Role.LEAD)
def move_section(slug: str, section_id: int) -> Any:
    session = get_session()
    section = chapter_service.get_section(session, g.project, section_id)
    chapter_service.move_section(
        session, section, position_from(request_data(), section.position), user_id=g.user.id
    )
    session.commit()
    return answer({"id": section.id, "position": section.position}, anchor=f"section-{section.id}")


@bp.post("/p/<slug>/chapters/sections/<int:section_id>/delete")
@project_route(Role.LEAD)
def delete_section(slug: str, section_id: int) -> Any:
    session = get_session()
    section = chapter_service.get_section(session, g.project, section_id)
    chapter_id = section.chapter_id
    chapter_service.delete_section(session, section, user_id=g.user.id)
    session.commit()
    return answer({"deleted": section_id}, anchor=f"chapter-{chapter_id}")
