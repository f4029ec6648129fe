"""Codebook specs in and out of the database, chapter outlines, and frozen versions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import Conflict, InvalidInput, NotFound
from qualcode.interop.codebook_spec import ChapterSpec, CodebookSpec, CodeSpec, SectionSpec
from qualcode.models import ChapterOutline, ChapterSection, Code, CodebookVersion, Project
from qualcode.services import audit
from qualcode.services import codebook as codebook_service


def import_spec(
    session: Session, project: Project, spec: CodebookSpec, *, user_id: int | None = None
) -> dict[str, int]:
    """Add the spec's codes to the project, then its chapter outline. A code already in the
    project with the same path, or else the same GUID, is updated in place; a GUID another
    project's code already carries is replaced by a fresh one (the same codebook can be loaded
    into several projects). All or nothing: the caller's transaction holds it."""
    existing = codebook_service.all_codes(session, project.id)
    path_of = codebook_service.paths(existing)
    by_path = {path_of[c.id].lower(): c for c in existing}
    by_guid = {c.guid: c for c in existing}
    created = updated = 0

    def add(node: CodeSpec, parent: Code | None, prefix: str) -> None:
        nonlocal created, updated
        path = f"{prefix}/{node.name}" if prefix else node.name
        fields = _fields(node)
        code = by_path.get(path.lower()) or (by_guid.get(node.guid) if node.guid else None)
        if code is None:
            code = codebook_service.create_code(
                session,
                project,
                node.name,
                parent=parent,
                user_id=user_id,
                guid=_unused_guid(session, node),
                **fields,
            )
            created += 1
        else:
            codebook_service.update_code(session, code, user_id=user_id, **fields)
            path = path_of.get(code.id, path)
            updated += 1
        for child in node.children:
            add(child, code, path)

    for node in spec.codes:
        add(node, None, "")
    chapters = import_chapters(session, project, spec.chapters, user_id=user_id)
    audit.record(
        session,
        "codebook.imported",
        project,
        project_id=project.id,
        user_id=user_id,
        detail={"name": spec.name, "created": created, "updated": updated, "chapters": chapters},
    )
    session.flush()
    return {"created": created, "updated": updated, "chapters": chapters}


def _unused_guid(session: Session, node: CodeSpec) -> str | None:
    if node.guid and session.scalar(select(Code.id).where(Code.guid == node.guid)) is not None:
        return None
    return node.guid


def _fields(node: CodeSpec) -> dict[str, Any]:
    return {
        "color": node.color or "#888888",
        "kind": node.kind,
        "definition": node.definition,
        "inclusion": node.inclusion,
        "exclusion": node.exclusion,
        "typical_example": node.typical_example,
        "atypical_example": node.atypical_example,
        "keywords": list(node.keywords),
        "chapter": node.chapter,
        "section": node.section,
        "active": node.active,
        "codable": node.codable,
    }


def import_chapters(
    session: Session, project: Project, chapters: list[ChapterSpec], *, user_id: int | None = None
) -> int:
    codes = codebook_service.all_codes(session, project.id)
    by_path = {p.lower(): cid for cid, p in codebook_service.paths(codes).items()}
    by_id = {c.id: c for c in codes}
    for position, ch in enumerate(chapters):
        row = session.scalar(
            select(ChapterOutline).where(
                ChapterOutline.project_id == project.id, ChapterOutline.number == ch.number
            )
        )
        if row is None:
            row = ChapterOutline(
                project_id=project.id, number=ch.number, title=ch.title, position=position
            )
            session.add(row)
            session.flush()
        row.title = ch.title
        existing = {s.number: s for s in row.sections}
        for spos, sec in enumerate(ch.sections):
            srow = existing.get(sec.number)
            if srow is None:
                srow = ChapterSection(
                    chapter_id=row.id, number=sec.number, title=sec.title, position=spos
                )
                row.sections.append(srow)
            srow.title = sec.title
            wanted = [by_id[by_path[p.lower()]] for p in sec.codes if p.lower() in by_path]
            srow.codes = wanted
    session.flush()
    if chapters:
        audit.record(
            session,
            "chapters.imported",
            project,
            project_id=project.id,
            user_id=user_id,
            detail={"chapters": len(chapters)},
        )
    return len(chapters)


def export_spec(session: Session, project: Project) -> CodebookSpec:
    codes = codebook_service.all_codes(session, project.id)
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)

    def node(code: Code) -> CodeSpec:
        return CodeSpec(
            name=code.name,
            guid=code.guid,
            color=code.color,
            kind=code.kind.value,
            definition=code.definition,
            inclusion=code.inclusion,
            exclusion=code.exclusion,
            typical_example=code.typical_example,
            atypical_example=code.atypical_example,
            keywords=list(code.keywords),
            chapter=code.chapter,
            section=code.section,
            active=code.active,
            codable=code.codable,
            children=[node(c) for c in children.get(code.id, [])],
        )

    path_of = codebook_service.paths(codes)
    chapters = [
        ChapterSpec(
            number=ch.number,
            title=ch.title,
            sections=[
                SectionSpec(number=s.number, title=s.title, codes=[path_of[c.id] for c in s.codes])
                for s in ch.sections
            ],
        )
        for ch in session.scalars(
            select(ChapterOutline)
            .where(ChapterOutline.project_id == project.id)
            .order_by(ChapterOutline.position)
        ).all()
    ]
    latest = latest_version(session, project)
    return CodebookSpec(
        name=project.title,
        description=project.description,
        version=latest.name if latest else None,
        codes=[node(c) for c in children.get(None, [])],
        chapters=chapters,
    )


def freeze_version(
    session: Session, project: Project, name: str, *, note: str = "", user_id: int | None = None
) -> CodebookVersion:
    """Freeze the codebook as it is now under a name, so exports can say which version their
    evidence was coded under. Names are unique within a project."""
    name = name.strip()
    if not name:
        raise InvalidInput("a codebook version needs a name, e.g. v1.0")
    if (
        session.scalar(
            select(CodebookVersion.id).where(
                CodebookVersion.project_id == project.id, CodebookVersion.name == name
            )
        )
        is not None
    ):
        raise Conflict(f"{project.slug} already has a codebook version named {name}")
    spec = export_spec(session, project)
    spec.version = name
    version = CodebookVersion(
        project_id=project.id, name=name, note=note, snapshot=asdict(spec), created_by_id=user_id
    )
    session.add(version)
    session.flush()
    audit.record(session, "codebook.frozen", version, user_id=user_id, detail={"name": name})
    return version


def latest_version(session: Session, project: Project) -> CodebookVersion | None:
    return session.scalar(
        select(CodebookVersion)
        .where(CodebookVersion.project_id == project.id)
        .order_by(CodebookVersion.id.desc())
        .limit(1)
    )


def get_version(session: Session, project: Project, name: str) -> CodebookVersion:
    row = session.scalar(
        select(CodebookVersion).where(
            CodebookVersion.project_id == project.id, CodebookVersion.name == name
        )
    )
    if row is None:
        raise NotFound(f"no codebook version {name} in {project.slug}")
    return row


def changed_since(session: Session, project: Project, version: CodebookVersion) -> bool:
    """Whether the codes or chapter outline differ from what ``version`` froze."""
    current = asdict(export_spec(session, project))
    frozen = version.snapshot or {}
    return any(current[key] != frozen.get(key) for key in ("codes", "chapters"))


def version_label(session: Session, project: Project) -> str:
    """Which codebook an export or report used, in words: ``v1.0``, ``v1.0 with changes made
    since it was frozen``, or ``an unfrozen working copy`` when no version was ever frozen."""
    latest = latest_version(session, project)
    if latest is None:
        return "an unfrozen working copy (no version frozen yet)"
    if changed_since(session, project, latest):
        return f"{latest.name} with changes made since it was frozen"
    return latest.name


def list_versions(session: Session, project: Project) -> Sequence[CodebookVersion]:
    return session.scalars(
        select(CodebookVersion)
        .where(CodebookVersion.project_id == project.id)
        .order_by(CodebookVersion.id.desc())
    ).all()


def version_spec(version: CodebookVersion) -> CodebookSpec:
    """The codebook a frozen version holds, as a spec any writer can export."""
    from qualcode.interop.codebook_yaml import spec_from_mapping

    spec = spec_from_mapping(version.snapshot, source=f"codebook version {version.name}").spec
    spec.version = version.name
    return spec
