"""The chapter outline and quote bank: sections with their codes and pinned quotes, the
pseudonym list, and the chapter evidence packs (.docx) to download.

Reading and downloading need the viewer role; pinning, reordering, notes and editing the
outline need lead. Every write accepts a form (the page works without JavaScript: the answer
is a redirect back) or JSON (``static/js/chapters.js`` and ``static/js/pin.js``; the answer is
JSON). ``chapters.pin`` is the endpoint the Evidence page's pin buttons post to.
"""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Blueprint, g, jsonify, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from qualcode.errors import InvalidInput
from qualcode.models import ChapterSection, PinnedQuote, Role
from qualcode.reports.docx_report import render_bytes
from qualcode.services import chapters as chapter_service
from qualcode.services import codebook as codebook_service
from qualcode.services import reports as report_service
from webui.access import can, project_route
from webui.db import get_session

bp = Blueprint("chapters", __name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_NOTE = 5_000
MAX_PER_CASE = 50


def request_data() -> dict[str, Any]:
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise InvalidInput("the request body must be a JSON object")
        return data
    return request.form.to_dict()


def text_field(data: dict[str, Any], key: str, limit: int = 300) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise InvalidInput(f"{key} must be text")
    if len(value) > limit:
        raise InvalidInput(f"{key} is limited to {limit} characters")
    return value


def whole_field(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise InvalidInput(f"{key} must be a whole number")


def answer(payload: dict[str, Any], status: int = 200, anchor: str | None = None) -> Any:
    """JSON for scripts, a redirect back to the page for forms."""
    if request.is_json:
        return jsonify(payload), status
    return redirect(url_for("chapters.index", slug=g.project.slug, _anchor=anchor))


def _pin_json(resolved: chapter_service.ResolvedPin) -> dict[str, Any]:
    pin = resolved.pin
    return {
        "id": pin.id,
        "section_id": pin.section_id,
        "position": pin.position,
        "coding_id": resolved.coding_id,
        "text": resolved.text,
        "note": pin.note,
        "citation": resolved.citation,
        "flag": resolved.flag,
    }


# --- the page -------------------------------------------------------------------------------


@bp.get("/p/<slug>/chapters")
@project_route(Role.VIEWER)
def index(slug: str) -> str:
    session = get_session()
    codes = codebook_service.all_codes(session, g.project.id)
    paths = codebook_service.paths(codes)
    outline = chapter_service.outline(session, g.project)
    pins = {
        s.id: chapter_service.resolve_pins(session, s.pins)
        for chapter in outline
        for s in chapter.sections
    }
    return render_template(
        "chapters/index.html",
        outline=outline,
        pins=pins,
        paths=paths,
        pseudonyms=report_service.pseudonym_rules(g.project),
        can_edit=can(Role.LEAD),
        per_case=3,
    )


@bp.get("/api/p/<slug>/chapters")
@project_route(Role.VIEWER)
def api_outline(slug: str) -> Any:
    """The outline for the pin picker: chapters and their sections."""
    session = get_session()
    return jsonify(
        {
            "pin_url": url_for("chapters.pin", slug=slug),
            "can_pin": can(Role.LEAD),
            "chapters": [
                {
                    "id": ch.id,
                    "number": ch.number,
                    "title": ch.title,
                    "sections": [
                        {"id": s.id, "number": s.number, "title": s.title, "pins": len(s.pins)}
                        for s in ch.sections
                    ],
                }
                for ch in chapter_service.outline(session, g.project)
            ],
        }
    )


# --- the quote bank -------------------------------------------------------------------------


@bp.post("/p/<slug>/chapters/pin")
@project_route(Role.LEAD)
def pin(slug: str) -> Any:
    """Pin a coding to a section: ``{"coding_id", "section_id", "note"}``."""
    session = get_session()
    data = request_data()
    section = chapter_service.get_section(session, g.project, whole_field(data, "section_id"))
    made = chapter_service.pin_quote(
        session,
        g.project,
        coding_id=whole_field(data, "coding_id"),
        section=section,
        note=text_field(data, "note", MAX_NOTE),
        user_id=g.user.id,
    )
    session.commit()
    resolved = chapter_service.resolve_pins(session, [made])[0]
    return answer(
        {"pin": _pin_json(resolved), "section": f"{section.number} {section.title}"},
        201,
        anchor=f"pin-{made.id}",
    )


@bp.post("/p/<slug>/chapters/pins/<int:pin_id>/note")
@project_route(Role.LEAD)
def note(slug: str, pin_id: int) -> Any:
    session = get_session()
    row = chapter_service.get_pin(session, g.project, pin_id)
    chapter_service.update_note(
        session, row, text_field(request_data(), "note", MAX_NOTE), user_id=g.user.id
    )
    session.commit()
    return answer({"id": row.id, "note": row.note}, anchor=f"pin-{row.id}")


@bp.post("/p/<slug>/chapters/pins/<int:pin_id>/move")
@project_route(Role.LEAD)
def move_pin(slug: str, pin_id: int) -> Any:
    """``{"position": n}``, or ``{"direction": "up"|"down"}``; ``section_id`` moves it to
    another section."""
    session = get_session()
    row = chapter_service.get_pin(session, g.project, pin_id)
    data = request_data()
    target: ChapterSection | None = None
    if data.get("section_id") not in (None, ""):
        target = chapter_service.get_section(session, g.project, whole_field(data, "section_id"))
    position = position_from(data, row.position)
    chapter_service.move_pin(session, row, position=position, section=target, user_id=g.user.id)
    session.commit()
    return answer(
        {"id": row.id, "section_id": row.section_id, "position": row.position},
        anchor=f"pin-{row.id}",
    )


def position_from(data: dict[str, Any], current: int) -> int:
    direction = data.get("direction")
    if direction in ("up", "down"):
        return max(0, current - 1) if direction == "up" else current + 1
    return whole_field(data, "position")


@bp.post("/p/<slug>/chapters/sections/<int:section_id>/order")
@project_route(Role.LEAD)
def order_pins(slug: str, section_id: int) -> Any:
    session = get_session()
    section = chapter_service.get_section(session, g.project, section_id)
    ids = request_data().get("pin_ids")
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise InvalidInput("pin_ids must be a list of pin ids")
    chapter_service.reorder_pins(session, section, ids, user_id=g.user.id)
    session.commit()
    return answer({"section_id": section.id, "pin_ids": [p.id for p in section.pins]})


@bp.post("/p/<slug>/chapters/pins/<int:pin_id>/delete")
@project_route(Role.LEAD)
def unpin(slug: str, pin_id: int) -> Any:
    session = get_session()
    row: PinnedQuote = chapter_service.get_pin(session, g.project, pin_id)
    section_id = row.section_id
    chapter_service.unpin(session, row, user_id=g.user.id)
    session.commit()
    return answer({"deleted": pin_id}, anchor=f"section-{section_id}")


# --- the pseudonym list -----------------------------------------------------------------------


@bp.post("/p/<slug>/chapters/pseudonyms")
@project_route(Role.LEAD)
def pseudonyms(slug: str) -> Any:
    """Form: ``rules`` text, one ``Name = [Replacement]`` a line; JSON: ``{"rules": [...]}``."""
    session = get_session()
    data = request_data()
    if request.is_json:
        rules = data.get("rules")
        if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
            raise InvalidInput("rules must be a list of {find, replace}")
    else:
        rules = _parse_lines(text_field(data, "rules", 100_000))
    stored = report_service.set_pseudonyms(session, g.project, rules, user_id=g.user.id)
    session.commit()
    return answer({"rules": stored}, anchor="pseudonyms")


def _parse_lines(text: str) -> list[dict[str, str]]:
    rules = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        find, sep, replace = line.partition("=")
        if not sep:
            raise InvalidInput(f"pseudonym line {number}: write it as Name = [Replacement]")
        rules.append({"find": find.strip(), "replace": replace.strip()})
    return rules


# --- downloads ----------------------------------------------------------------------------------


@bp.get("/p/<slug>/chapters/pack.docx")
@project_route(Role.VIEWER)
def download_all(slug: str) -> Response:
    return _pack(None, f"{slug}-evidence-pack.docx")


@bp.get("/p/<slug>/chapters/<int:chapter_id>/pack.docx")
@project_route(Role.VIEWER)
def download(slug: str, chapter_id: int) -> Response:
    chapter = chapter_service.get_chapter(get_session(), g.project, chapter_id)
    return _pack(chapter.number, f"{slug}-chapter-{chapter.number}-evidence-pack.docx")


def _pack(chapter: str | None, filename: str) -> Response:
    per_case = request.args.get("per_case", "3")
    if not per_case.isdigit() or int(per_case) > MAX_PER_CASE:
        raise InvalidInput(f"per_case must be a whole number from 0 to {MAX_PER_CASE}")
    session = get_session()
    data = report_service.gather_report(
        session,
        g.project,
        chapter=chapter,
        per_case=int(per_case),
        pseudonymise=request.args.get("pseudonymise") in ("1", "on", "true"),
        viewer=g.user,
    )
    session.rollback()  # nothing to write; release the read transaction before rendering
    return send_file(
        io.BytesIO(render_bytes(data)),
        mimetype=DOCX,
        as_attachment=True,
        download_name=filename,
        max_age=0,
    )


from webui.views import chapter_outline  # noqa: E402,F401  (outline editing routes on ``bp``)
