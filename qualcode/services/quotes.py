"""Quote retrieval: coded segments by code or Boolean code query, by words, with attribution.

The API other parts build on (the evidence page, ``qualcode quotes``, the chapter pack)::

    query = QuoteQuery(code_ids=(code.id,), filters=Filters(exclude_interviewer=True))
    result = find_quotes(session, project, query, limit=50, viewer=user)
    result.segments, result.documents, result.cases, result.cases_without
    for quote in result.quotes: quote.text, quote.case, quote.speaker, quote.coder, ...
    QuoteQuery(expression='"Barriers/Poor data" AND "Enablers/Focus"')  # code_query syntax
    QuoteQuery(code_ids=(code.id,), text='"pump priming" negotiat*')     # kwic syntax
    quotes_by_id(session, project, [coding_id, ...], viewer=user)        # e.g. pinned quotes
    context(session, quote.document_id, quote.start, quote.end, turns=1)

Pass ``viewer`` for anything shown to a user: blind mode then hides other coders' codings of
documents the viewer is still blind-coding (``evidence_scope``). ``Quote``, ``QuoteResult``
and the other result types are plain dataclasses in ``qualcode.reports.evidence``, so the
report writers take them without touching the database.

A quote is a coding: ``quote.text == document.text[quote.start:quote.end]`` (the text is
stored on the coding, so no document text is loaded to list or count quotes). Its speaker is
that of the turn it starts in, or of the turn it ends in when it starts in an interviewer's
question and runs into an answer. Codings of a sub-code count as quotes for its parent
unless ``descendants=False``. With only words (no codes), each speaker turn holding all the
words is a quote, with its keyword-in-context lines and no coding. Quotes come sorted by
case, document and position; the counts cover every match, not only the requested page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, String, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from qualcode.errors import InvalidInput, NotFound
from qualcode.models import Code, Coding, Document, Project, Turn, User
from qualcode.reports.evidence import Quote, QuoteResult
from qualcode.services import code_query as cq
from qualcode.services import codebook
from qualcode.services.evidence_scope import Filters, Scope, resolve_scope
from qualcode.services.kwic import kwic_all, matches, parse_terms
from qualcode.services.passages import Context, ContextTurn, context, turn_hits
from qualcode.text.normalize import word_count

EVERY_CODE = "every code"

__all__ = [
    "Context",
    "ContextTurn",
    "Filters",
    "Quote",
    "QuoteQuery",
    "QuoteResult",
    "context",
    "find_quotes",
    "interviewer_coding_ids",
    "quotes_by_id",
]


@dataclass(frozen=True)
class QuoteQuery:
    """What to retrieve. Give ``code_ids`` (any of them) or an ``expression`` (the Boolean
    syntax of :mod:`qualcode.services.code_query`, or a parsed ``CodeQuery``), or
    ``every_code`` (every coded quote, e.g. all the evidence from one case), and/or ``text``
    words; ``filters`` narrow the evidence (:class:`Filters`)."""

    code_ids: tuple[int, ...] = ()
    expression: str | cq.CodeQuery | None = None
    descendants: bool = True
    text: str = ""
    filters: Filters = field(default_factory=Filters)
    every_code: bool = False


def find_quotes(
    session: Session,
    project: Project,
    query: QuoteQuery,
    *,
    limit: int | None = None,
    offset: int = 0,
    viewer: User | None = None,
) -> QuoteResult:
    """Quotes matching ``query`` in ``project``; with ``viewer``, blind mode applies."""
    scope = resolve_scope(session, project, query.filters, viewer=viewer)
    codes = code_rows(session, project.id)
    paths = codebook.paths(codes)
    tree = _code_query(session, project, query, codes, paths)
    terms = parse_terms(query.text)
    matched: dict[int, frozenset[int]] = {}
    items: list[_CodingRow | Quote]
    if tree is None:
        if not terms:
            raise InvalidInput("choose a code, a code query or words to search for")
        # turns holding the words are quotes already: nothing more to build per page
        items = list(turn_hits(session, scope, terms, paths))
        label = f"text: {query.text.strip()}"
    else:
        rows, matched = _coded_hits(session, scope, tree)
        items = [row for row in rows if not terms or matches(row.quote, terms) is not None]
        label = (
            tree.ref
            if isinstance(tree, cq.CodeRef) and len(query.code_ids) <= 1
            else cq.to_text(tree)
        )
    return _result(label, items, matched, scope, paths, terms, offset, limit, session)


def _result(
    label: str,
    items: list[_CodingRow | Quote],
    matched: dict[int, frozenset[int]],
    scope: Scope,
    paths: dict[int, str],
    terms: Sequence[Any],
    offset: int,
    limit: int | None,
    session: Session | None = None,
) -> QuoteResult:
    """Sort, count and page the items (each document's already in position order); only the
    requested page is turned into ``Quote``s, and only its codings are attributed to turns
    if that was left for later (``session`` given). Few objects are made per item: on 10^4
    items the garbage collector's full passes, not the query, would set the slowest times."""
    if scope.exclude_interviewer:
        items = [item for item in items if not item.is_interviewer]
    rank = _document_rank(scope, {item.document_id for item in items})
    items.sort(key=lambda item: rank[item.document_id])  # stable: positions stay in order
    with_quotes = {scope.document_cases.get(item.document_id) for item in items}
    page = items[offset : offset + limit] if limit is not None else items[offset:]
    if session is not None:
        page = _with_turns(session, scope, page)
    return QuoteResult(
        label=label,
        quotes=[
            item
            if isinstance(item, Quote)
            else _quote(item, scope, paths, matched.get(item.id, frozenset()), terms)
            for item in page
        ],
        segments=len(items),
        documents=len({item.document_id for item in items}),
        cases=len(with_quotes - {None}),
        cases_without=[c for c in scope.cases if c.id not in with_quotes],
        offset=offset,
        limit=limit,
    )


def _document_rank(scope: Scope, doc_ids: set[int]) -> dict[int, int]:
    """These documents in quote order: by case name (documents without a case last), title,
    id."""
    cases, names, titles = scope.document_cases, scope.case_names, scope.titles

    def key(doc_id: int) -> tuple[bool, str, str, int]:
        case_id = cases[doc_id]
        case = names.get(case_id, "") if case_id is not None else ""
        return (case_id is None, case.lower(), titles[doc_id].lower(), doc_id)

    return {doc_id: i for i, doc_id in enumerate(sorted(doc_ids, key=key))}


def code_rows(session: Session, project_id: int) -> Sequence[Code]:
    """The project's codes as light rows (``id``, ``parent_id``, ``name``: what
    ``codebook.paths`` and ``codebook.descendants`` read); loading them as ORM objects costs a
    tenth of a quick quote query."""
    rows = session.execute(
        select(Code.id, Code.parent_id, Code.name).where(Code.project_id == project_id)
    ).all()
    return cast("Sequence[Code]", rows)


def _code_query(
    session: Session,
    project: Project,
    query: QuoteQuery,
    codes: Sequence[Any],
    paths: dict[int, str],
) -> cq.CodeQuery | None:
    def ids(code_id: int) -> list[int]:
        return codebook.descendants(codes, code_id) if query.descendants else [code_id]

    if query.expression is not None and query.code_ids:
        raise InvalidInput("give codes or a code query, not both")
    if query.every_code and query.expression is None and not query.code_ids:
        return cq.CodeRef(EVERY_CODE, frozenset(code.id for code in codes))
    if query.expression is not None:
        tree = cq.parse(query.expression) if isinstance(query.expression, str) else query.expression

        def resolve(ref: str) -> tuple[str, list[int]]:
            code = codebook.resolve(session, project, ref)
            return paths[code.id], ids(code.id)

        return cq.bind(tree, resolve)
    node: cq.CodeQuery | None = None
    for code_id in query.code_ids:
        if code_id not in paths:
            raise NotFound(f"no code with id {code_id} in {project.slug}")
        ref = cq.CodeRef(paths[code_id], frozenset(ids(code_id)))
        node = ref if node is None else cq.Op("OR", node, ref)
    return node


# --- coded quotes -----------------------------------------------------------------------------


class _CodingRow(NamedTuple):
    """A coding with what a quote shows, and the turns it touches (see the module doc)."""

    id: int
    document_id: int
    code_id: int
    coder_id: int
    start: int
    end: int
    quote: str
    origin: str
    title: str
    case_id: int | None
    coder: str
    first_turn: int | None
    last_turn: int | None
    turn_index: int | None
    speaker: str | None
    is_interviewer: bool
    complete: bool = True  # False: the turn fields are still to be read (``_with_turns``)


def _coding_rows(
    session: Session, scope: Scope, which: ColumnElement[bool], *, turns: bool = True
) -> list[_CodingRow]:
    """Codings in scope meeting ``which``, each with the turns at its start and its end: the
    last turn starting at or before the coding's start, and the last starting before its end
    (two index look-ups on ``turn(document_id, start)`` per coding). With ``turns=False`` the
    turn fields are left empty (None) for :func:`_with_turns` to fill in for a page."""
    columns = (
        Coding.id, Coding.document_id, Coding.code_id, Coding.coder_id, Coding.start,
        Coding.end, Coding.quote, type_coerce(Coding.origin, String),  # its value, as stored
        func.coalesce(func.nullif(User.display_name, ""), User.username),
    )  # fmt: skip
    cases = scope.document_cases
    if not turns:
        bare = (
            select(*columns)
            .join(User, User.id == Coding.coder_id)
            .where(which, *scope.clauses)
            .order_by(Coding.document_id, Coding.start, Coding.id)
        )
        titles = scope.titles
        return [
            _CodingRow(
                i,
                doc,
                code,
                coder_id,
                start,
                end,
                quote,
                origin,
                titles[doc],
                cases[doc],
                coder,
                *_NO_TURNS,
                False,
            )  # fmt: skip
            for i, doc, code, coder_id, start, end, quote, origin, coder in (
                session.connection().execute(bare).all()
            )
            if doc in cases
        ]
    first, last = aliased(Turn), aliased(Turn)
    at_start = (
        select(Turn.id)
        .where(Turn.document_id == Coding.document_id, Turn.start <= Coding.start)
        .order_by(Turn.start.desc())
        .limit(1)
        .correlate(Coding)
        .scalar_subquery()
    )
    at_end = (
        select(Turn.id)
        .where(Turn.document_id == Coding.document_id, Turn.start < Coding.end)
        .order_by(Turn.start.desc())
        .limit(1)
        .correlate(Coding)
        .scalar_subquery()
    )
    stmt = (
        select(
            *columns,
            first.index,
            first.end,
            first.speaker,
            first.is_interviewer,
            last.index,
            last.speaker,
            last.is_interviewer,
        )
        .join(User, User.id == Coding.coder_id)
        .outerjoin(first, first.id == at_start)
        .outerjoin(last, last.id == at_end)
        .where(which, *scope.clauses)
        .order_by(Coding.document_id, Coding.start, Coding.id)
    )
    # Core rows, unpacked: attribute access on 10^4 ORM rows costs more than the query
    return [_row(scope, row) for row in session.connection().execute(stmt).all() if row[1] in cases]


_NO_TURNS = (None, None, None, None, False)


def _with_turns(
    session: Session, scope: Scope, page: list[_CodingRow | Quote]
) -> list[_CodingRow | Quote]:
    """The page with each coding row attributed to its turns, if that was left for later."""
    later = [item.id for item in page if isinstance(item, _CodingRow) and not item.complete]
    if not later:
        return page
    done = {row.id: row for row in _coding_rows(session, scope, Coding.id.in_(sorted(later)))}
    return [
        done.get(item.id, item) if isinstance(item, _CodingRow) and not item.complete else item
        for item in page
    ]


def _row(scope: Scope, row: Sequence[Any]) -> _CodingRow:
    """Attribute the coding to the turn it starts in, or to the one it ends in when it starts
    in an interviewer's turn (or in a label) and ends in someone else's."""
    (ident, doc, code, coder_id, start, end, quote, origin, coder,
     s_index, s_end, s_speaker, s_int, e_index, e_speaker, e_int) = row  # fmt: skip
    first = last = index = speaker = None
    interviewer = False
    if e_index is not None:
        covers_start = s_index is not None and s_end is not None and s_end > start
        begin = s_index if covers_start else (s_index + 1 if s_index is not None else 0)
        if begin is not None and begin <= e_index:  # else: in a header, or a label
            first, last = begin, e_index
            if covers_start and not (s_int and not e_int):
                index, speaker, interviewer = s_index, s_speaker, bool(s_int)
            else:
                index, speaker, interviewer = e_index, e_speaker, bool(e_int)
    return _CodingRow(ident, doc, code, coder_id, start, end, quote, origin,
                      scope.titles[doc], scope.document_cases[doc], coder, first, last, index,
                      speaker, interviewer)  # fmt: skip


def _coded_hits(
    session: Session, scope: Scope, tree: cq.CodeQuery
) -> tuple[list[_CodingRow], dict[int, frozenset[int]]]:
    """The codings the query selects, and (for a Boolean query) the codes each matched.

    The turns each coding touches are read now only if something needs them for every coding
    (a Boolean query, or leaving out the interviewer's turns); otherwise only for the page."""
    which = Coding.code_id.in_(sorted(cq.code_ids(tree)))
    if isinstance(tree, cq.CodeRef):
        return _coding_rows(session, scope, which, turns=scope.exclude_interviewer), {}
    rows = _coding_rows(session, scope, which)
    hits = [
        cq.Hit(
            row.id, row.document_id, row.code_id, row.start, row.end, row.first_turn, row.last_turn
        )
        for row in rows
    ]
    matched = cq.evaluate(tree, hits, _GapWords(session) if cq.needs_text(tree) else None)
    return [row for row in rows if row.id in matched], matched


def _quote(
    row: _CodingRow,
    scope: Scope,
    paths: dict[int, str],
    matched: frozenset[int] = frozenset(),
    terms: Sequence[Any] = (),
) -> Quote:
    codes = [paths.get(row.code_id, "?")]
    if len(matched) > 1:
        codes += sorted(paths[c] for c in matched if c != row.code_id and c in paths)
    spans = matches(row.quote, terms) if terms else None
    return Quote(
        row.id,
        row.document_id,
        row.title,
        scope.case_names.get(row.case_id) if row.case_id else None,
        row.speaker,
        row.coder,
        row.start,
        row.end,
        row.quote,
        codes,
        row.turn_index,
        row.origin,
        scope.attributes.get(row.document_id, {}),
        row.case_id,
        row.coder_id,
        row.code_id,
        row.is_interviewer,
        kwic_all(row.quote, spans, offset=row.start) if spans else [],
    )


def quotes_by_id(
    session: Session, project: Project, coding_ids: Sequence[int], *, viewer: User | None = None
) -> list[Quote]:
    """The quotes of these codings, in the order given; codings of other projects, of
    superseded documents or hidden from ``viewer`` (blind mode) are left out."""
    if not coding_ids:
        return []
    scope = resolve_scope(session, project, Filters(), viewer=viewer)
    paths = codebook.paths(code_rows(session, project.id))
    rows = _coding_rows(session, scope, Coding.id.in_(sorted(set(coding_ids))))
    by_id = {row.id: _quote(row, scope, paths) for row in rows}
    return [by_id[i] for i in coding_ids if i in by_id]


def interviewer_coding_ids(session: Session, scope: Scope, code_ids: set[int]) -> set[int]:
    """Codings of these codes (in scope) attributed to an interviewer's turn."""
    rows = _coding_rows(session, scope, Coding.code_id.in_(sorted(code_ids)))
    return {row.id for row in rows if row.is_interviewer}


class _GapWords:
    """Words between two offsets of a document, loading each document's text once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.texts: dict[int, str] = {}

    def __call__(self, document_id: int, start: int, end: int) -> int:
        if document_id not in self.texts:
            self.texts[document_id] = (
                self.session.scalar(select(Document.text).where(Document.id == document_id)) or ""
            )
        return word_count(self.texts[document_id][start:end])
