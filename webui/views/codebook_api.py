"""The codebook editor's JSON API under ``/api/p/<slug>/codebook``, for ``codebook.js``.

A blueprint nested in ``codebook`` (endpoints ``codebook.api.*``). Reading needs the viewer
role, every change lead; bodies are checked here for types, the services check the values.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request

from qualcode.errors import InvalidInput, NotFound
from qualcode.models import Code, Coding, Role
from qualcode.services import codebook as codebook_service
from qualcode.services import codebook_io, coding_counts
from qualcode.services import codebook_proposals as proposals
from qualcode.services.lookup import get_or_raise
from webui.access import can, project_route
from webui.db import get_session
from webui.serializers import memo_json, timestamp

bp = Blueprint("api", __name__, url_prefix="/api/p/<slug>/codebook")

TEXT_LIMIT = 20_000
TEXT_FIELDS = (
    "name",
    "color",
    "kind",
    "definition",
    "inclusion",
    "exclusion",
    "typical_example",
    "atypical_example",
    "chapter",
    "section",
)
FLAG_FIELDS = ("active", "codable")


# ------------------------------------------------------------------------ JSON: reading


@bp.get("/tree")
@project_route(Role.VIEWER)
def tree(slug: str) -> dict[str, Any]:
    session = get_session()
    open_by_code = open_proposal_counts()
    by_id = {c.id: c for c in codebook_service.all_codes(session, g.project.id)}
    codes = []
    for row in codebook_service.tree(session, g.project.id):
        item = row.to_dict()
        item["proposals"] = open_by_code.get(row.id, 0)
        item["definition"] = by_id[row.id].definition  # for searching the tree
        item["keywords"] = list(by_id[row.id].keywords)
        codes.append(item)
    return {
        "version": codebook_io.version_label(session, g.project),
        "codes": codes,
        "can_edit": can(Role.LEAD),
    }


@bp.get("/codes/<int:code_id>")
@project_route(Role.VIEWER)
def code_detail(slug: str, code_id: int) -> dict[str, Any]:
    return _code_json(_code(code_id))


@bp.get("/codes/<int:code_id>/codings")
@project_route(Role.VIEWER)
def code_codings(slug: str, code_id: int) -> dict[str, Any]:
    """The code's codings with their quotes, for choosing which go where in a split."""
    session = get_session()
    code = _code(code_id)
    return {
        "code_id": code.id,
        "codings": [
            {
                "id": c.id,
                "document_id": c.document_id,
                "document": c.document.title,
                "coder": c.coder.label,
                "start": c.start,
                "end": c.end,
                "quote": c.quote,
            }
            for c in codebook_service.codings_of(session, code)
        ],
    }


def open_proposal_counts() -> dict[int, int]:
    counts: dict[int, int] = {}
    for memo in proposals.open_proposals(get_session(), g.project):
        if memo.code_id is not None:
            counts[memo.code_id] = counts.get(memo.code_id, 0) + 1
    return counts


def _code(code_id: int) -> Code:
    return get_or_raise(get_session(), Code, code_id, project_id=g.project.id)


def _code_json(code: Code) -> dict[str, Any]:
    session = get_session()
    count = coding_counts.counts(session, g.project.id).get(code.id, 0)
    open_memos = proposals.open_proposals(session, g.project, code.id)
    return {
        "id": code.id,
        "guid": code.guid,
        "parent_id": code.parent_id,
        "path": codebook_service.code_path(session, code),
        "name": code.name,
        "color": code.color,
        "kind": code.kind.value,
        "definition": code.definition,
        "inclusion": code.inclusion,
        "exclusion": code.exclusion,
        "typical_example": code.typical_example,
        "atypical_example": code.atypical_example,
        "keywords": list(code.keywords),
        "chapter": code.chapter,
        "section": code.section,
        "active": code.active,
        "codable": code.codable,
        "lock_version": code.lock_version,
        "codings": count,
        "created": timestamp(code.created_at),
        "proposals": [memo_json(m) for m in open_memos],
    }


# ------------------------------------------------------------------------ JSON: editing


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("the request body must be a JSON object")
    return data


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """The code fields of a request body, type-checked; the service checks the values."""
    out: dict[str, Any] = {}
    for key in TEXT_FIELDS:
        if key in data:
            value = data[key]
            if not isinstance(value, str) or len(value) > TEXT_LIMIT:
                raise InvalidInput(f"{key} must be text of at most {TEXT_LIMIT} characters")
            out[key] = (
                value
                if key
                in ("definition", "inclusion", "exclusion", "typical_example", "atypical_example")
                else value.strip()
            )
    for key in FLAG_FIELDS:
        if key in data:
            if not isinstance(data[key], bool):
                raise InvalidInput(f"{key} must be true or false")
            out[key] = data[key]
    if "keywords" in data:
        keywords = data["keywords"]
        if isinstance(keywords, str):
            keywords = keywords.split(";")
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise InvalidInput("keywords must be a list of text")
        out["keywords"] = keywords
    return out


def _optional_id(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{key} must be a code id or null")
    return value


def _required_id(data: dict[str, Any], key: str) -> int:
    value = _optional_id(data, key)
    if value is None:
        raise InvalidInput(f"{key} is required")
    return value


@bp.post("/codes")
@project_route(Role.LEAD)
def create(slug: str) -> tuple[dict[str, Any], int]:
    session = get_session()
    data = _body()
    parent_id = _optional_id(data, "parent_id")
    parent = _code(parent_id) if parent_id is not None else None
    fields = _fields(data)
    name = fields.pop("name", "")
    code = codebook_service.create_code(
        session, g.project, name, parent=parent, user_id=g.user.id, **fields
    )
    session.commit()
    return _code_json(code), 201


@bp.patch("/codes/<int:code_id>")
@project_route(Role.LEAD)
def update(slug: str, code_id: int) -> dict[str, Any]:
    """Edit fields; ``lock_version`` (from when the editor loaded the code) is required, so an
    edit someone else made in between is reported (409) rather than overwritten."""
    session = get_session()
    data = _body()
    code = _code(code_id)
    lock_version = _required_id(data, "lock_version")
    codebook_service.update_code(
        session, code, user_id=g.user.id, lock_version=lock_version, **_fields(data)
    )
    session.commit()
    return _code_json(code)


@bp.post("/codes/<int:code_id>/move")
@project_route(Role.LEAD)
def move(slug: str, code_id: int) -> dict[str, Any]:
    session = get_session()
    data = _body()
    code = _code(code_id)
    if "parent_id" not in data:
        raise InvalidInput("parent_id is required (null for the top level)")
    parent_id = _optional_id(data, "parent_id")
    parent = _code(parent_id) if parent_id is not None else None
    position = data.get("position")  # among the siblings; absent: last if re-parented
    if position is not None and (
        isinstance(position, bool) or not isinstance(position, int) or position < 0
    ):
        raise InvalidInput("position must be a whole number, 0 for the first among the siblings")
    codebook_service.move_code(session, code, parent, user_id=g.user.id, position=position)
    session.commit()
    return _code_json(code)


@bp.get("/codes/<int:code_id>/merge-preview")
@project_route(Role.LEAD)
def merge_preview(slug: str, code_id: int) -> dict[str, Any]:
    source = _code(code_id)
    into = request.args.get("into", type=int)
    if into is None:
        raise InvalidInput("say which code to merge into (?into=ID)")
    target = _code(into)
    preview = codebook_service.merge_preview(get_session(), source, target)
    return {"source": source.name, "target": target.name, **preview}


@bp.post("/codes/<int:code_id>/merge")
@project_route(Role.LEAD)
def merge(slug: str, code_id: int) -> dict[str, Any]:
    session = get_session()
    source = _code(code_id)
    target = _code(_required_id(_body(), "into"))
    moved = codebook_service.merge_codes(session, source, target, user_id=g.user.id)
    session.commit()
    return {"moved": moved, "target": _code_json(target)}


@bp.post("/codes/<int:code_id>/split")
@project_route(Role.LEAD)
def split(slug: str, code_id: int) -> tuple[dict[str, Any], int]:
    session = get_session()
    data = _body()
    code = _code(code_id)
    ids = data.get("coding_ids")
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
    ):
        raise InvalidInput("choose at least one coding to move to the new code")
    for coding_id in ids:  # another project's codings are not found, not refused
        if get_or_raise(session, Coding, coding_id).document.project_id != g.project.id:
            raise NotFound(f"no coding with id {coding_id}")
    name = data.get("name")
    if not isinstance(name, str):
        raise InvalidInput("the new code needs a name")
    new = codebook_service.split_code(session, code, name, ids, user_id=g.user.id)
    session.commit()
    return {"moved": len(set(ids)), "code": _code_json(new)}, 201


@bp.delete("/codes/<int:code_id>")
@project_route(Role.LEAD)
def delete(slug: str, code_id: int) -> dict[str, Any]:
    session = get_session()
    code = _code(code_id)
    codebook_service.delete_code(session, code, user_id=g.user.id)
    session.commit()
    return {"deleted": code_id}


@bp.post("/proposals/<int:memo_id>/accept")
@project_route(Role.LEAD)
def accept_proposal(slug: str, memo_id: int) -> dict[str, Any]:
    session = get_session()
    memo = proposals.get_proposal(session, g.project, memo_id)
    data = request.get_json(silent=True)
    lock_version = _optional_id(data, "lock_version") if isinstance(data, dict) else None
    code = proposals.accept_proposal(session, memo, user_id=g.user.id, lock_version=lock_version)
    session.commit()
    return _code_json(code)


@bp.post("/proposals/<int:memo_id>/dismiss")
@project_route(Role.LEAD)
def dismiss_proposal(slug: str, memo_id: int) -> dict[str, Any]:
    session = get_session()
    memo = proposals.get_proposal(session, g.project, memo_id)
    proposals.dismiss_proposal(session, memo, user_id=g.user.id)
    session.commit()
    return _code_json(_code(memo.code_id))  # type: ignore[arg-type]
