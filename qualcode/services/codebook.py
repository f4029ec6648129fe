"""The codebook tree: create, edit (optimistically locked), move, merge, split, deactivate."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from qualcode.errors import Conflict, InvalidInput, NotFound
from qualcode.models import Code, CodeKind, Coding, Memo, Project, Suggestion, section_code
from qualcode.services import audit, coding_counts

COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
EDITABLE = (
    "name",
    "color",
    "kind",
    "definition",
    "inclusion",
    "exclusion",
    "typical_example",
    "atypical_example",
    "keywords",
    "chapter",
    "section",
    "active",
    "codable",
)


def all_codes(session: Session, project_id: int) -> Sequence[Code]:
    return session.scalars(
        select(Code)
        .where(Code.project_id == project_id)
        .order_by(Code.parent_id.nulls_first(), Code.position, Code.id)
    ).all()


def paths(codes: Sequence[Code]) -> dict[int, str]:
    """Code id → path (names from the root joined by ``/``)."""
    by_id = {c.id: c for c in codes}
    out: dict[int, str] = {}

    def path(code: Code) -> str:
        if code.id not in out:
            parent = by_id.get(code.parent_id) if code.parent_id else None
            out[code.id] = f"{path(parent)}/{code.name}" if parent else code.name
        return out[code.id]

    for code in codes:
        path(code)
    return out


def code_path(session: Session, code: Code) -> str:
    names = [code.name]
    node = code
    while node.parent_id is not None:
        node = session.get(Code, node.parent_id)  # type: ignore[assignment]
        names.append(node.name)
    return "/".join(reversed(names))


def resolve(session: Session, project: Project, ref: str) -> Code:
    """A code by path (``Barriers/Staff turnover``, case-insensitive), guid or numeric id."""
    codes = all_codes(session, project.id)
    ref = ref.strip()
    for code in codes:
        if code.guid == ref.lower().strip("{}") or (ref.isdigit() and code.id == int(ref)):
            return code
    by_path = {p.lower(): cid for cid, p in paths(codes).items()}
    cid = by_path.get(ref.strip("/").lower())
    if cid is None:
        raise NotFound(f"no code {ref} in {project.slug}")
    return next(c for c in codes if c.id == cid)


def descendants(codes: Sequence[Code], code_id: int) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for c in codes:
        children.setdefault(c.parent_id, []).append(c.id)
    out, stack = [], [code_id]
    while stack:
        cid = stack.pop()
        out.append(cid)
        stack.extend(children.get(cid, []))
    return out


def _check_name(
    session: Session,
    project_id: int,
    parent_id: int | None,
    name: str,
    exclude_id: int | None = None,
) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("a code needs a name")
    if "/" in name:
        raise InvalidInput(f"a code name cannot contain '/': {name!r}")
    stmt = select(Code.id).where(
        Code.project_id == project_id, func.lower(Code.name) == name.lower()
    )
    stmt = stmt.where(
        Code.parent_id.is_(None) if parent_id is None else Code.parent_id == parent_id
    )
    if exclude_id is not None:
        stmt = stmt.where(Code.id != exclude_id)
    if session.scalar(stmt) is not None:
        raise Conflict(f"a code named {name} already exists there")
    return name


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in fields.items() if k in EDITABLE}
    if "color" in out:
        if not COLOR.match(str(out["color"])):
            raise InvalidInput(f"invalid colour {out['color']!r}: use #RRGGBB")
        out["color"] = str(out["color"]).upper()
    if "kind" in out:
        try:
            out["kind"] = CodeKind(out["kind"])
        except ValueError:
            kinds = ", ".join(k.value for k in CodeKind)
            raise InvalidInput(f"unknown code kind {out['kind']!r}: use one of {kinds}") from None
    if "keywords" in out:
        kw = out["keywords"]
        out["keywords"] = [
            k.strip() for k in (kw.split(";") if isinstance(kw, str) else kw) if str(k).strip()
        ]
    return out


def create_code(
    session: Session,
    project: Project,
    name: str,
    *,
    parent: Code | None = None,
    user_id: int | None = None,
    guid: str | None = None,
    **fields: Any,
) -> Code:
    if parent is not None and parent.project_id != project.id:
        raise NotFound("no such parent code in this project")
    name = _check_name(session, project.id, parent.id if parent else None, name)
    position = _sibling_count(session, project.id, parent.id if parent else None)
    code = Code(
        project_id=project.id,
        parent_id=parent.id if parent else None,
        name=name,
        position=position,
        **_clean(fields),
    )
    if guid:
        code.guid = guid
    session.add(code)
    session.flush()
    audit.record(
        session,
        "code.created",
        code,
        user_id=user_id,
        detail={"name": name, "parent_id": code.parent_id},
    )
    return code


def _sibling_count(session: Session, project_id: int, parent_id: int | None) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Code)
            .where(
                Code.project_id == project_id,
                Code.parent_id.is_(None) if parent_id is None else Code.parent_id == parent_id,
            )
        )
        or 0
    )


def update_code(
    session: Session,
    code: Code,
    *,
    user_id: int | None,
    lock_version: int | None = None,
    **fields: Any,
) -> Code:
    """Edit a code's fields. With ``lock_version`` (the version the editor loaded), an edit made
    by someone else in between is reported as a conflict instead of silently overwritten."""
    if lock_version is not None and lock_version != code.lock_version:
        raise Conflict(
            f"code {code.name} was changed by someone else since you opened it; "
            "reload to see their change"
        )
    changes = _clean(fields)
    if "name" in changes:
        changes["name"] = _check_name(
            session, code.project_id, code.parent_id, changes["name"], exclude_id=code.id
        )
    before = {k: _plain(getattr(code, k)) for k in changes}
    for key, value in changes.items():
        setattr(code, key, value)
    session.flush()
    audit.record(
        session,
        "code.changed",
        code,
        user_id=user_id,
        detail={"before": before, "after": {k: _plain(v) for k, v in changes.items()}},
    )
    return code


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, CodeKind) else value


def move_code(
    session: Session,
    code: Code,
    new_parent: Code | None,
    *,
    user_id: int | None,
    position: int | None = None,
) -> Code:
    if new_parent is not None:
        if new_parent.project_id != code.project_id:
            raise NotFound("no such parent code in this project")
        if new_parent.id in descendants(all_codes(session, code.project_id), code.id):
            raise Conflict(f"cannot move {code.name} under itself or one of its descendants")
    _check_name(
        session,
        code.project_id,
        new_parent.id if new_parent else None,
        code.name,
        exclude_id=code.id,
    )
    old_parent = code.parent_id
    new_parent_id = new_parent.id if new_parent else None
    if position is None and new_parent_id != old_parent:
        position = _sibling_count(session, code.project_id, new_parent_id)  # at the end
    if position is not None and position < 0:
        raise InvalidInput("a position is 0 (first) or more")
    code.parent_id = new_parent_id
    session.flush()
    if position is not None:
        position = _place(session, code, position)
    audit.record(
        session,
        "code.moved",
        code,
        user_id=user_id,
        detail={"from": old_parent, "to": code.parent_id, "position": position},
    )
    return code


def _place(session: Session, code: Code, position: int) -> int:
    """Put ``code`` at ``position`` among its siblings (0 is first; past the end is last) and
    number them all 0, 1, 2... The siblings' positions are written without touching their
    lock versions: their order changed, not what anyone may be editing."""
    siblings = [
        code_id
        for code_id in session.scalars(
            select(Code.id)
            .where(
                Code.project_id == code.project_id,
                Code.parent_id.is_(None)
                if code.parent_id is None
                else Code.parent_id == code.parent_id,
                Code.id != code.id,
            )
            .order_by(Code.position, Code.id)
        )
    ]
    position = min(position, len(siblings))
    siblings.insert(position, code.id)
    table = Code.metadata.tables[Code.__tablename__]
    others = [{"code_id": c, "at": i} for i, c in enumerate(siblings) if c != code.id]
    if others:
        session.execute(
            update(table)
            .where(table.c.id == bindparam("code_id"))
            .values(position=bindparam("at")),
            others,
        )
    code.position = position  # the moved code's own change, under its lock version
    session.flush()
    for other in session.identity_map.values():  # siblings loaded in this session: re-read
        if isinstance(other, Code) and other.id in siblings and other.id != code.id:
            session.expire(other, ["position"])
    return position


def _check_merge(session: Session, source: Code, target: Code) -> None:
    if source.id == target.id or source.project_id != target.project_id:
        raise Conflict("merge needs two different codes of one project")
    if target.id in descendants(all_codes(session, source.project_id), source.id):
        raise Conflict("cannot merge a code into one of its own descendants")
    taken = {c.name.lower() for c in target.children}
    clash = sorted(c.name for c in source.children if c.name.lower() in taken)
    if clash:
        raise Conflict(
            f"cannot merge {source.name} into {target.name}: both have a sub-code "
            f"named {clash[0]}; rename or merge that one first"
        )


def _coding_keys(session: Session, code: Code) -> set[tuple[int, int, int, int]]:
    """(document, coder, start, end) of each of the code's codings: what makes two the same."""
    rows = session.execute(
        select(Coding.document_id, Coding.coder_id, Coding.start, Coding.end).where(
            Coding.code_id == code.id
        )
    )
    return {(doc, coder, start, end) for doc, coder, start, end in rows}


def merge_preview(session: Session, source: Code, target: Code) -> dict[str, int]:
    """What ``merge_codes`` would do, without doing it: ``codings`` of the source, how many
    would be ``moved`` and how many are ``duplicates`` of the target's (same document, coder
    and span), and how many sub-codes, suggestions and memos go along."""
    _check_merge(session, source, target)
    target_keys = _coding_keys(session, target)
    source_keys = _coding_keys(session, source)
    duplicates = len(source_keys & target_keys)

    def count(model: type[Suggestion] | type[Memo]) -> int:
        return (
            session.scalar(
                select(func.count()).select_from(model).where(model.code_id == source.id)
            )
            or 0
        )

    return {
        "codings": len(source_keys),
        "moved": len(source_keys) - duplicates,
        "duplicates": duplicates,
        "children": len(source.children),
        "suggestions": count(Suggestion),
        "memos": count(Memo),
    }


def merge_codes(session: Session, source: Code, target: Code, *, user_id: int | None) -> int:
    """Move every coding (and suggestion, memo, child, report section) of ``source`` to
    ``target``, then delete ``source``. A coding that would duplicate one of the target's is
    dropped. Returns the number of codings moved."""
    _check_merge(session, source, target)
    moved = dropped = 0
    target_keys = _coding_keys(session, target)
    for coding in session.scalars(select(Coding).where(Coding.code_id == source.id)).all():
        key = (coding.document_id, coding.coder_id, coding.start, coding.end)
        if key in target_keys:
            session.delete(coding)
            dropped += 1
        else:
            coding.code_id = target.id
            target_keys.add(key)
            moved += 1
    session.execute(
        update(Suggestion).where(Suggestion.code_id == source.id).values(code_id=target.id)
    )
    session.execute(update(Memo).where(Memo.code_id == source.id).values(code_id=target.id))
    position = len(target.children)
    for offset, child in enumerate(list(source.children)):
        child.parent = target  # through the relationship, so deleting source cannot orphan it
        child.position = position + offset
    fed = set(
        session.scalars(
            select(section_code.c.section_id).where(section_code.c.code_id == target.id)
        )
    )
    for section_id in session.scalars(
        select(section_code.c.section_id).where(section_code.c.code_id == source.id)
    ).all():
        if section_id not in fed:
            session.execute(insert(section_code).values(section_id=section_id, code_id=target.id))
    session.flush()
    audit.record(
        session,
        "code.merged",
        target,
        user_id=user_id,
        detail={
            "source_id": source.id,
            "source": source.name,
            "codings_moved": moved,
            "duplicates_dropped": dropped,
        },
    )
    session.delete(source)
    session.flush()
    return moved


def split_code(
    session: Session,
    code: Code,
    new_name: str,
    coding_ids: Sequence[int],
    *,
    user_id: int | None,
    **fields: Any,
) -> Code:
    """Create a sibling code and move the chosen codings to it; the rest stay. The choice is
    checked before anything changes."""
    if not coding_ids:
        raise InvalidInput(f"choose which codings of {code.name} go to the new code")
    chosen = session.scalars(select(Coding).where(Coding.id.in_(coding_ids))).all()
    if len(chosen) != len(set(coding_ids)) or any(c.code_id != code.id for c in chosen):
        raise Conflict(f"every coding to split off must be a coding of {code.name}")
    parent = session.get(Code, code.parent_id) if code.parent_id else None
    project = session.get(Project, code.project_id)
    assert project is not None
    new = create_code(
        session,
        project,
        new_name,
        parent=parent,
        user_id=user_id,
        color=fields.pop("color", code.color),
        kind=fields.pop("kind", code.kind.value),
        **fields,
    )
    for coding in chosen:
        coding.code_id = new.id
    session.flush()
    audit.record(
        session,
        "code.split",
        code,
        user_id=user_id,
        detail={"new_code_id": new.id, "codings_moved": len(chosen)},
    )
    return new


def delete_code(session: Session, code: Code, *, user_id: int | None) -> None:
    used = (
        session.scalar(
            select(func.count())
            .select_from(Coding)
            .where(Coding.code_id.in_(descendants(all_codes(session, code.project_id), code.id)))
        )
        or 0
    )
    if used:
        raise Conflict(f"code {code.name} has {used} codings: merge or deactivate it instead")
    audit.record(session, "code.deleted", code, user_id=user_id, detail={"name": code.name})
    session.delete(code)
    session.flush()


def codings_of(session: Session, code: Code) -> Sequence[Coding]:
    """The code's codings (every coder's), in document and text order."""
    return session.scalars(
        select(Coding)
        .where(Coding.code_id == code.id)
        .order_by(Coding.document_id, Coding.start, Coding.id)
    ).all()


@dataclass(frozen=True)
class TreeRow:
    """One code in tree order, with its coding counts (its own, and with its sub-codes')."""

    id: int
    guid: str
    path: str
    name: str
    parent_id: int | None
    depth: int
    kind: str
    color: str
    active: bool
    codable: bool
    codings: int
    codings_with_children: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def tree(session: Session, project_id: int) -> list[TreeRow]:
    """The project's codes depth first, siblings by position."""
    codes = all_codes(session, project_id)
    counts = coding_counts.counts(session, project_id)
    path_of = paths(codes)
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    rows: list[TreeRow] = []

    def walk(parent_id: int | None, depth: int) -> int:
        total = 0
        for code in children.get(parent_id, []):
            index = len(rows)
            rows.append(
                TreeRow(
                    code.id,
                    code.guid,
                    path_of[code.id],
                    code.name,
                    code.parent_id,
                    depth,
                    code.kind.value,
                    code.color,
                    code.active,
                    code.codable,
                    counts.get(code.id, 0),
                    0,
                )
            )
            with_children = counts.get(code.id, 0) + walk(code.id, depth + 1)
            rows[index] = replace(rows[index], codings_with_children=with_children)
            total += with_children
        return total

    walk(None, 0)
    return rows
