"""Matrices of evidence: codes × cases, codes × attribute values, codes × codes.

Each cell counts coded segments (codings) or the documents they are in, and keeps the coding
ids behind it so a cell drills down to its quotes. The rows are codes; a code's row includes
its sub-codes' codings unless ``descendants=False`` (the same rule as quotes, so a cell's
count equals the number of quotes its drill-down lists with the same filters).

- ``cols="cases"``: one column per case in scope (plus "(no case)" when needed);
- ``cols="attr:NAME"``: one column per value of attribute NAME (a document's own value, or
  else its case's), plus "(no value)" when needed;
- ``cols="codes"``: co-occurrence. Cell (A, B) holds the A codings that overlap a B coding
  (another coding) in the same document: what the quote query ``A AND B`` returns.

The framework matrix (cases × themes with authors' summaries) is in
:mod:`qualcode.services.framework`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import String, cast, func, null, select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput, NotFound
from qualcode.models import Code, Coding, Project, User
from qualcode.reports.evidence import Cell, Header, Matrix
from qualcode.services import codebook
from qualcode.services.documents import list_attributes
from qualcode.services.evidence_scope import Filters, Scope, resolve_scope
from qualcode.services.quotes import interviewer_coding_ids

COUNTS = ("segments", "documents")
NO_CASE, NO_VALUE = "(no case)", "(no value)"


def tree_order(codes: Sequence[Code]) -> list[Code]:
    """Codes depth-first, siblings by position: the order of the codebook tree."""
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    out: list[Code] = []
    stack = sorted(children.get(None, []), key=lambda c: (c.position, c.id), reverse=True)
    while stack:
        code = stack.pop()
        out.append(code)
        stack.extend(
            sorted(children.get(code.id, []), key=lambda c: (c.position, c.id), reverse=True)
        )
    return out


@dataclass
class _Tally:
    """Counts per cell from groups of codings (one code, one document): each group adds its
    size, its document and its coding ids to every row the code counts in."""

    rows: int
    cols: int
    segments: dict[tuple[int, int], int] = field(default_factory=dict)
    ids: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    documents: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    col_segments: dict[int, int] = field(default_factory=dict)
    col_documents: dict[int, set[int]] = field(default_factory=dict)

    def add(self, rows: list[int], col: int, document_id: int, ids: str | None, size: int) -> None:
        for row in rows:
            key = (row, col)
            self.segments[key] = self.segments.get(key, 0) + size
            if ids is not None:
                self.ids.setdefault(key, []).append(ids)
            self.documents.setdefault(key, set()).add(document_id)
        self.col_segments[col] = self.col_segments.get(col, 0) + size
        self.col_documents.setdefault(col, set()).add(document_id)

    def matrix(self, kind: str, count: str, rows: list[Header], cols: list[Header]) -> Matrix:
        by_documents = count == "documents"
        cells = [
            [
                Cell(
                    len(self.documents.get((r, c), ()))
                    if by_documents
                    else self.segments.get((r, c), 0),
                    _ids(self.ids.get((r, c))),
                )
                for c in range(self.cols)
            ]
            for r in range(self.rows)
        ]
        if by_documents:
            row_totals = [
                len(set().union(*(self.documents.get((r, c), set()) for c in range(self.cols))))
                for r in range(self.rows)
            ]
            col_totals = [len(self.col_documents.get(c, ())) for c in range(self.cols)]
        else:  # each coding is in one column, so a row's total is its sum
            row_totals = [
                sum(self.segments.get((r, c), 0) for c in range(self.cols))
                for r in range(self.rows)
            ]
            col_totals = [self.col_segments.get(c, 0) for c in range(self.cols)]
        return Matrix(kind, count, rows, cols, cells, row_totals, col_totals)


def _ids(chunks: list[str] | None) -> tuple[int, ...]:
    return tuple(sorted(int(i) for i in ",".join(chunks).split(","))) if chunks else ()


def code_matrix(
    session: Session,
    project: Project,
    *,
    cols: str = "cases",
    count: str = "segments",
    code_ids: Sequence[int] | None = None,
    descendants: bool = True,
    filters: Filters | None = None,
    viewer: User | None = None,
    with_ids: bool = True,
) -> Matrix:
    """Codes (``code_ids`` in that order, or the whole codebook in tree order) × ``cols``.

    With ``with_ids=False`` cells carry counts only (a page showing counts, whose cells link
    to the evidence page, skips reading the coding ids: about a third of the time)."""
    if count not in COUNTS:
        raise InvalidInput(f"unknown count {count!r}: use segments or documents")
    scope = resolve_scope(session, project, filters or Filters(), viewer=viewer)
    codes = codebook.all_codes(session, project.id)
    paths = codebook.paths(codes)
    row_codes = _row_codes(codes, paths, code_ids, project)
    rows_of = _contributions(codes, row_codes, descendants)
    rows = [Header(code.id, paths[code.id]) for code in row_codes]
    if cols == "codes":
        # a row's partner may be any code, so every code's codings are read
        all_codings = _codings(session, scope, {c.id for c in codes})
        return _cooccurrence(all_codings, rows, rows_of, count)
    headers, column, missing = _columns(session, project, scope, cols)
    groups = _groups(session, scope, set(rows_of), with_ids)
    index: dict[int | str | None, int] = {h.key: i for i, h in enumerate(headers)}
    if any(column.get(doc) not in index for _, doc, _, _ in groups):
        index[None] = len(headers)
        headers.append(Header("none", missing))
    tally = _Tally(len(rows), len(headers))
    for code_id, doc_id, size, ids in groups:
        col = index.get(column.get(doc_id), index.get(None))
        if col is not None:
            tally.add(rows_of[code_id], col, doc_id, ids, size)
    return tally.matrix(cols, count, rows, headers)


def _groups(
    session: Session, scope: Scope, code_ids: set[int], with_ids: bool
) -> list[tuple[int, int, int, str | None]]:
    """(code id, document id, number of codings, their ids joined by commas), grouped in SQL
    so a matrix over 10^5 codings reads 10^4 rows."""
    if scope.exclude_interviewer:
        grouped: dict[tuple[int, int], list[str]] = {}
        for coding_id, code_id, doc_id, _, _ in _codings(session, scope, code_ids):
            grouped.setdefault((code_id, doc_id), []).append(str(coding_id))
        return [
            (code, doc, len(ids), ",".join(ids) if with_ids else None)
            for (code, doc), ids in grouped.items()
        ]
    ids = func.aggregate_strings(cast(Coding.id, String), ",") if with_ids else null()
    stmt = (
        select(Coding.code_id, Coding.document_id, func.count(), ids)
        .where(Coding.code_id.in_(sorted(code_ids)), *scope.clauses)
        .group_by(Coding.code_id, Coding.document_id)
    )
    return [
        (r[0], r[1], r[2], r[3])
        for r in session.connection().execute(stmt).all()
        if r[1] in scope.document_cases
    ]


def _columns(
    session: Session, project: Project, scope: Scope, cols: str
) -> tuple[list[Header], dict[int, int | str | None], str]:
    """The column headers, each document's column key, and the label for "none of them"."""
    if cols == "cases":
        return ([Header(c.id, c.name) for c in scope.cases], dict(scope.document_cases), NO_CASE)
    if cols.startswith("attr:"):
        name = cols[5:]
        if not any(a.name == name for a in list_attributes(session, project)):
            raise InvalidInput(f"no attribute named {name} in {project.slug}")
        values: dict[int, int | str | None] = {
            doc: attrs.get(name) for doc, attrs in scope.attributes.items()
        }
        keys = sorted({str(v) for v in values.values() if v is not None}, key=str.lower)
        return [Header(k, k) for k in keys], values, NO_VALUE
    raise InvalidInput(f"unknown columns {cols!r}: use cases, attr:NAME or codes")


def _row_codes(
    codes: Sequence[Code], paths: dict[int, str], code_ids: Sequence[int] | None, project: Project
) -> list[Code]:
    if code_ids is None:
        return tree_order(codes)
    by_id = {c.id: c for c in codes}
    for code_id in code_ids:
        if code_id not in by_id:
            raise NotFound(f"no code with id {code_id} in {project.slug}")
    return [by_id[i] for i in dict.fromkeys(code_ids)]


def _contributions(
    codes: Sequence[Code], row_codes: list[Code], descendants: bool
) -> dict[int, list[int]]:
    """code id → the rows its codings count in (its own, and its ancestors' when rolling up)."""
    out: dict[int, list[int]] = {}
    for row, code in enumerate(row_codes):
        members = codebook.descendants(codes, code.id) if descendants else [code.id]
        for member in members:
            out.setdefault(member, []).append(row)
    return out


def _codings(
    session: Session, scope: Scope, code_ids: set[int]
) -> list[tuple[int, int, int, int, int]]:
    """(coding id, code id, document id, start, end) of the codes' codings in scope."""
    stmt = select(Coding.id, Coding.code_id, Coding.document_id, Coding.start, Coding.end).where(
        Coding.code_id.in_(sorted(code_ids)), *scope.clauses
    )
    rows = [
        (r[0], r[1], r[2], r[3], r[4])
        for r in session.connection().execute(stmt).all()
        if r[2] in scope.document_cases
    ]
    if scope.exclude_interviewer:
        dropped = interviewer_coding_ids(session, scope, code_ids)
        rows = [r for r in rows if r[0] not in dropped]
    return rows


def _cooccurrence(
    codings: list[tuple[int, int, int, int, int]],
    rows: list[Header],
    rows_of: dict[int, list[int]],
    count: str,
) -> Matrix:
    """Sweep each document's codings by start; every overlapping pair marks both ways."""
    found: dict[tuple[int, int], set[int]] = {}
    documents: dict[tuple[int, int], set[int]] = {}
    by_document: dict[int, list[tuple[int, int, int, int, int]]] = {}
    for item in codings:
        by_document.setdefault(item[2], []).append(item)
    for doc_id, items in by_document.items():
        items.sort(key=lambda it: (it[3], it[4]))
        active: list[tuple[int, int, int, int, int]] = []
        for item in items:
            active = [a for a in active if a[4] > item[3]]
            for other in active:
                for a, b in ((item, other), (other, item)):
                    for row in rows_of.get(a[1], ()):
                        for col in rows_of.get(b[1], ()):
                            found.setdefault((row, col), set()).add(a[0])
                            documents.setdefault((row, col), set()).add(doc_id)
            active.append(item)
    values = documents if count == "documents" else found
    n = len(rows)
    cells = [
        [Cell(len(values.get((r, c), ())), tuple(sorted(found.get((r, c), ())))) for c in range(n)]
        for r in range(n)
    ]

    def total(keys: Iterable[tuple[int, int]]) -> int:
        return len(set().union(*(values.get(k, set()) for k in keys)))

    return Matrix(
        "codes",
        count,
        rows,
        list(rows),
        cells,
        [total((r, c) for c in range(n)) for r in range(n)],
        [total((r, c) for r in range(n)) for c in range(n)],
    )
