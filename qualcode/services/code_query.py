"""Boolean code queries: a small expression tree, its text syntax, and its evaluation on spans.

Pure (no database): :mod:`qualcode.services.quotes` binds the code names to ids and feeds the
codings in; tests use hand-made :class:`Hit` values.

Every expression evaluates to a set of codings. A code selects its codings (with or without
its sub-codes, as the query says); ``OR`` is the union; the other operators keep the codings
of their *left* side that stand in a relation to some *other* coding of their right side, in
the same document:

``A AND B``       an A coding overlapping a B coding (on the same passage)
``A NOT B``       an A coding overlapping no B coding
``A NEAR/N B``    an A coding within N words of a B coding (overlapping counts as 0 words)
``A SAMETURN B``  an A coding touching a speaker turn that a B coding touches

So ``A AND B`` returns A's quotes that are also coded B, and its counts are A's. Text syntax::

    expr    := term (OR term)*
    term    := factor ((AND | NOT | NEAR/N | SAMETURN) factor)*
    factor  := CODE | "(" expr ")"
    CODE    := "a quoted path" | bare words up to the next operator or parenthesis

Operators are upper-case words (``Data and evidence`` is a code name, ``A AND B`` a query);
a code is written as its path (``Barriers/Poor data``, quoted when it holds an upper-case
operator word or a parenthesis), its guid or its id. ``AND``, ``NOT``, ``NEAR`` and
``SAMETURN`` bind tighter than ``OR`` and group from the left.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from qualcode.errors import InvalidInput

Operator = Literal["AND", "OR", "NOT", "NEAR", "SAMETURN"]
_TOKEN = re.compile(r'\s*(?:(?P<quoted>"(?:[^"\\]|\\.)*")|(?P<paren>[()])|(?P<word>[^\s()"]+))')
_NEAR = re.compile(r"^NEAR/(\d+)$")
_BINARY = ("AND", "NOT", "SAMETURN")


@dataclass(frozen=True)
class CodeRef:
    """A code as the user wrote it; ``code_ids`` (the code, and its sub-codes when asked)
    are filled in by :func:`bind`."""

    ref: str
    code_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Op:
    op: Operator
    left: CodeQuery
    right: CodeQuery
    distance: int = 0  # NEAR/N: at most N words between the spans


CodeQuery = CodeRef | Op


@dataclass(frozen=True)
class Hit:
    """A coding as the evaluator sees it. ``first_turn``/``last_turn`` are the indexes of the
    turns it touches (``None`` when the document has no turns there)."""

    key: int
    document_id: int
    code_id: int
    start: int
    end: int
    first_turn: int | None = None
    last_turn: int | None = None


GapWords = Callable[[int, int, int], int]
"""``gap_words(document_id, start, end)``: the number of words in ``text[start:end]``."""


# --- parsing ----------------------------------------------------------------------------------


def parse(text: str) -> CodeQuery:
    """Parse the text syntax; ``InvalidInput`` names the position of the first problem."""
    tokens = _tokens(text)
    if not tokens:
        raise InvalidInput("the code query is empty")
    parser = _Parser(tokens, text)
    query = parser.expr()
    if parser.pos < len(tokens):
        kind, value, at = tokens[parser.pos]
        raise InvalidInput(f"code query: unexpected {value!r} at character {at + 1}")
    return query


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, value, position) with kind ``code``, ``op``, ``(`` or ``)``; consecutive bare
    words that are not operators join into one code path."""
    out: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            if text[pos:].strip():
                raise InvalidInput(f"code query: unclosed quote at character {pos + 1}")
            break
        at = match.start(match.lastgroup or 0)
        if match["quoted"]:
            out.append(("code", re.sub(r"\\(.)", r"\1", match["quoted"][1:-1]), at))
        elif match["paren"]:
            out.append((match["paren"], match["paren"], at))
        else:
            word = match["word"]
            if word in (*_BINARY, "OR") or _NEAR.match(word):
                out.append(("op", word, at))
            elif out and out[-1][0] == "bare":
                _, value, start = out.pop()
                out.append(("bare", f"{value} {word}", start))
            else:
                out.append(("bare", word, at))
        pos = match.end()
    return [("code" if kind == "bare" else kind, value, at) for kind, value, at in out]


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, int]], text: str) -> None:
        self.tokens, self.text, self.pos = tokens, text, 0

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def expr(self) -> CodeQuery:
        node = self.term()
        while (tok := self._peek()) and tok[0] == "op" and tok[1] == "OR":
            self.pos += 1
            node = Op("OR", node, self.term())
        return node

    def term(self) -> CodeQuery:
        node = self.factor()
        while (tok := self._peek()) and tok[0] == "op" and tok[1] != "OR":
            self.pos += 1
            near = _NEAR.match(tok[1])
            if near:
                node = Op("NEAR", node, self.factor(), distance=int(near.group(1)))
            else:
                node = Op(tok[1], node, self.factor())  # type: ignore[arg-type]
        return node

    def factor(self) -> CodeQuery:
        tok = self._peek()
        if tok is None:
            after = self.tokens[-1]
            raise InvalidInput(f"code query: expected a code after {after[1]!r} at the end")
        kind, value, at = tok
        self.pos += 1
        if kind == "code":
            return CodeRef(value.strip())
        if kind == "(":
            node = self.expr()
            close = self._peek()
            if close is None or close[0] != ")":
                raise InvalidInput(
                    f"code query: the parenthesis at character {at + 1} is not closed"
                )
            self.pos += 1
            return node
        raise InvalidInput(f"code query: expected a code, found {value!r} at character {at + 1}")


def to_text(query: CodeQuery) -> str:
    """The query in the text syntax (codes quoted), e.g. for a link or a report heading."""
    if isinstance(query, CodeRef):
        return '"' + query.ref.replace("\\", "\\\\").replace('"', '\\"') + '"'
    op = f"NEAR/{query.distance}" if query.op == "NEAR" else query.op
    left, right = to_text(query.left), to_text(query.right)
    if isinstance(query.left, Op) and query.left.op == "OR" and query.op != "OR":
        left = f"({left})"
    if isinstance(query.right, Op):
        right = f"({right})"
    return f"{left} {op} {right}"


# --- binding and evaluation -------------------------------------------------------------------


def bind(query: CodeQuery, resolve: Callable[[str], tuple[str, Iterable[int]]]) -> CodeQuery:
    """Resolve each code: ``resolve(ref)`` returns its canonical path and the code ids it
    stands for (raising ``NotFound`` for an unknown code)."""
    if isinstance(query, CodeRef):
        path, ids = resolve(query.ref)
        return CodeRef(path, frozenset(ids))
    return replace(query, left=bind(query.left, resolve), right=bind(query.right, resolve))


def code_ids(query: CodeQuery) -> set[int]:
    """Every code id the query mentions."""
    if isinstance(query, CodeRef):
        return set(query.code_ids)
    return code_ids(query.left) | code_ids(query.right)


def needs_turns(query: CodeQuery) -> bool:
    return isinstance(query, Op) and (
        query.op == "SAMETURN" or needs_turns(query.left) or needs_turns(query.right)
    )


def needs_text(query: CodeQuery) -> bool:
    return isinstance(query, Op) and (
        query.op == "NEAR" or needs_text(query.left) or needs_text(query.right)
    )


def evaluate(
    query: CodeQuery, hits: Sequence[Hit], gap_words: GapWords | None = None
) -> dict[int, frozenset[int]]:
    """The hits the query selects: ``key → ids of the codes it was matched with`` (its own
    code included). ``gap_words`` is needed for ``NEAR``."""
    by_document: dict[int, list[Hit]] = {}
    for hit in hits:
        by_document.setdefault(hit.document_id, []).append(hit)
    out: dict[int, frozenset[int]] = {}
    for document_hits in by_document.values():
        out.update(_evaluate(query, document_hits, gap_words))
    return out


def _evaluate(
    query: CodeQuery, hits: list[Hit], gap_words: GapWords | None
) -> dict[int, frozenset[int]]:
    if isinstance(query, CodeRef):
        return {h.key: frozenset({h.code_id}) for h in hits if h.code_id in query.code_ids}
    left = _evaluate(query.left, hits, gap_words)
    right = _evaluate(query.right, hits, gap_words)
    if query.op == "OR":
        return {
            key: left.get(key, frozenset()) | right.get(key, frozenset())
            for key in left.keys() | right.keys()
        }
    by_key = {h.key: h for h in hits}
    partners = [by_key[key] for key in right]
    out: dict[int, frozenset[int]] = {}
    for key, codes in left.items():
        hit = by_key[key]
        related = [p for p in partners if p.key != key and _related(query, hit, p, gap_words)]
        if query.op == "NOT":
            if not related:
                out[key] = codes
        elif related:
            out[key] = codes.union(*(right[p.key] for p in related))
    return out


def _related(query: Op, a: Hit, b: Hit, gap_words: GapWords | None) -> bool:
    if query.op in ("AND", "NOT"):
        return a.start < b.end and b.start < a.end
    if query.op == "SAMETURN":
        if None in (a.first_turn, a.last_turn, b.first_turn, b.last_turn):
            return False
        return a.first_turn <= b.last_turn and b.first_turn <= a.last_turn  # type: ignore[operator]
    if gap_words is None:
        raise ValueError("NEAR needs gap_words")
    if a.start < b.end and b.start < a.end:
        return True
    first, second = (a, b) if a.end <= b.start else (b, a)
    return gap_words(a.document_id, first.end, second.start) <= query.distance
