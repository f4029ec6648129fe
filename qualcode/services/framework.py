"""The framework matrix (the Framework method of UK policy evaluation): cases × themes.

Each cell holds the lead author's summary of what a case says on a theme, linked to the
quotes (codings) it rests on, next to the number of coded segments the case has for the
theme (the theme's code and its sub-codes). Themes are the codebook's top-level codes unless
chosen. Only the summary and links are stored (``FrameworkCell``); counts are live.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import Conflict, InvalidInput, NotFound
from qualcode.models import Case, Code, Coding, Document, FrameworkCell, Project, User
from qualcode.reports.evidence import FrameworkEntry, FrameworkMatrix, Header
from qualcode.services import audit, codebook
from qualcode.services import documents as document_service
from qualcode.services.lookup import get_or_raise
from qualcode.services.matrices import code_matrix, tree_order
from qualcode.services.quotes import quotes_by_id

MAX_SUMMARY = 20_000


def themes(
    session: Session, project: Project, theme_ids: Sequence[int] | None = None
) -> list[Code]:
    """The chosen codes (in the order given), or the top-level codes in codebook order."""
    codes = codebook.all_codes(session, project.id)
    if theme_ids is None:
        return [c for c in tree_order(codes) if c.parent_id is None]
    by_id = {c.id: c for c in codes}
    missing = [i for i in theme_ids if i not in by_id]
    if missing:
        raise NotFound(f"no code with id {missing[0]} in {project.slug}")
    return [by_id[i] for i in dict.fromkeys(theme_ids)]


def framework_matrix(
    session: Session,
    project: Project,
    *,
    theme_ids: Sequence[int] | None = None,
    case_ids: Sequence[int] | None = None,
    viewer: User | None = None,
) -> FrameworkMatrix:
    """Every case of the project (or those chosen) × the themes, with summaries, linked
    quotes and evidence counts. With ``viewer``, blind mode applies to quotes and counts."""
    theme_codes = themes(session, project, theme_ids)
    paths = codebook.paths(codebook.all_codes(session, project.id))
    cases = [
        c
        for c in document_service.list_cases(session, project)
        if case_ids is None or c.id in case_ids
    ]
    counts = code_matrix(
        session, project, cols="cases", code_ids=[c.id for c in theme_codes], viewer=viewer
    )
    evidence = {
        (row.key, col.key): counts.cells[i][j].value
        for i, row in enumerate(counts.rows)
        for j, col in enumerate(counts.cols)
    }
    stored = {
        (cell.case_id, cell.code_id): cell
        for cell in session.scalars(
            select(FrameworkCell).where(FrameworkCell.project_id == project.id)
        )
    }
    linked = [int(i) for cell in stored.values() for i in cell.coding_ids]
    quotes = {q.coding_id: q for q in quotes_by_id(session, project, linked, viewer=viewer)}
    editors = _user_labels(session, {c.updated_by_id for c in stored.values()})
    cells = []
    for case in cases:
        row = []
        for theme in theme_codes:
            cell = stored.get((case.id, theme.id))
            entry = FrameworkEntry(evidence=evidence.get((theme.id, case.id), 0))
            if cell is not None:
                entry.summary = cell.summary
                entry.quotes = [quotes[int(i)] for i in cell.coding_ids if int(i) in quotes]
                entry.updated_by = editors.get(cell.updated_by_id)
            row.append(entry)
        cells.append(row)
    return FrameworkMatrix(
        [Header(c.id, c.name) for c in cases],
        [Header(t.id, paths[t.id]) for t in theme_codes],
        cells,
    )


def _user_labels(session: Session, ids: set[int | None]) -> dict[int | None, str]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    return {u.id: u.label for u in session.scalars(select(User).where(User.id.in_(wanted)))}


def get_cell(
    session: Session, project: Project, case_id: int, code_id: int
) -> FrameworkCell | None:
    return session.scalar(
        select(FrameworkCell).where(
            FrameworkCell.project_id == project.id,
            FrameworkCell.case_id == case_id,
            FrameworkCell.code_id == code_id,
        )
    )


def set_framework_cell(
    session: Session,
    project: Project,
    case_id: int,
    code_id: int,
    summary: str,
    coding_ids: Sequence[int],
    user_id: int | None,
) -> FrameworkCell:
    """Write a cell's summary and linked codings (each must be a coding of a document of that
    case in this project), recording the change in the audit log."""
    case = get_or_raise(session, Case, case_id, project_id=project.id)
    code = get_or_raise(session, Code, code_id, project_id=project.id)
    if len(summary) > MAX_SUMMARY:
        raise InvalidInput(f"a framework summary is limited to {MAX_SUMMARY} characters")
    ids = list(dict.fromkeys(int(i) for i in coding_ids))
    if ids:
        found: dict[int, int | None] = {
            coding_id: case_id
            for coding_id, case_id in session.execute(
                select(Coding.id, Document.case_id)
                .join(Document, Document.id == Coding.document_id)
                .where(Coding.id.in_(ids), Document.project_id == project.id)
            )
        }
        for coding_id in ids:
            if coding_id not in found:
                raise NotFound(f"no coding with id {coding_id}")
            if found[coding_id] != case.id:
                raise Conflict(f"coding {coding_id} is not from {case.name}")
    cell = get_cell(session, project, case.id, code.id)
    before = {"summary": cell.summary, "coding_ids": list(cell.coding_ids)} if cell else None
    if cell is None:
        cell = FrameworkCell(project_id=project.id, case_id=case.id, code_id=code.id)
        session.add(cell)
    cell.summary = summary.strip()
    cell.coding_ids = ids
    cell.updated_by_id = user_id
    session.flush()
    audit.record(
        session,
        "framework.cell_set",
        cell,
        project_id=project.id,
        user_id=user_id,
        detail={
            "case_id": case.id,
            "code_id": code.id,
            "before": before,
            "after": {"summary": cell.summary, "coding_ids": ids},
        },
    )
    return cell
