"""The evidence filters as URL query arguments, shared by the Evidence and Matrices pages.

``code`` (repeatable code ids, any of them), ``q`` (a Boolean code query), ``text`` (words),
``nodesc=1`` (leave out sub-codes), ``case`` (repeatable case ids), ``a.NAME=VALUE``
(attribute equals; repeatable), ``coder`` (repeatable user ids), ``origin`` (repeatable),
``consensus=1``, ``speaker=respondents`` (leave out interviewer turns). A matrix cell links to
the Evidence page with these, so its count and the quotes listed there agree.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from qualcode.errors import InvalidInput
from qualcode.services.evidence_scope import Filters, parse_origin
from qualcode.services.quotes import QuoteQuery

FILTER_KEYS = ("case", "coder", "origin", "consensus", "speaker")


def ints(args: MultiDict[str, str], key: str) -> tuple[int, ...]:
    out = []
    for value in args.getlist(key):
        if value.strip():
            if not value.strip().isdigit():
                raise InvalidInput(f"{key} must be a number, not {value!r}")
            out.append(int(value))
    return tuple(dict.fromkeys(out))


def filters_from(args: MultiDict[str, str]) -> Filters:
    where = tuple(
        (key[2:], value)
        for key in args
        if key.startswith("a.")
        for value in args.getlist(key)
        if value
    )
    origins = tuple(o for o in args.getlist("origin") if o)
    for origin in origins:
        parse_origin(origin)
    return Filters(
        case_ids=ints(args, "case"),
        where=where,
        coder_ids=ints(args, "coder"),
        origins=origins,
        consensus=args.get("consensus") == "1",
        exclude_interviewer=args.get("speaker") == "respondents",
    )


def query_from(args: MultiDict[str, str]) -> QuoteQuery | None:
    """The query the arguments describe, or ``None`` when they name nothing to look for."""
    codes = ints(args, "code")
    expression = (args.get("q") or "").strip() or None
    text = (args.get("text") or "").strip()
    every = args.get("all") == "1"
    if not codes and not expression and not text and not every:
        return None
    if codes and expression:
        codes = ()  # the query builder's expression wins over ticked codes
    return QuoteQuery(
        code_ids=codes,
        expression=expression,
        descendants=args.get("nodesc") != "1",
        text=text,
        filters=filters_from(args),
        every_code=every,  # only when no code and no query is given
    )


def filter_args(args: MultiDict[str, str]) -> dict[str, Any]:
    """Just the filter arguments (for links that change the codes but keep the filters)."""
    out: dict[str, Any] = {}
    for key in args:
        if key in FILTER_KEYS or key.startswith("a.") or key == "nodesc":
            values = [v for v in args.getlist(key) if v]
            if values:
                out[key] = values if len(values) > 1 else values[0]
    return out
