"""Small input dataclasses for the JSON API: parse, validate, convert offsets.

A request body is untrusted: every field is checked for its type and range here, and a bad one
raises ``InvalidInput`` naming the field, which ``webui/errors.py`` turns into a 400 answer.

Spans may be sent in either unit. The browser measures selections in UTF-16 code units and
sends ``start16``/``end16``; scripts usually send code points as ``start``/``end`` (the unit of
every offset the API returns). The one server-side conversion is ``qualcode.text.spans``'s
``Utf16Index``, built once per document text and cached here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from qualcode.errors import InvalidInput
from qualcode.models import Document, Origin, Purpose
from qualcode.text.spans import Span, Utf16Index

MEMO_MAX = 100_000
_CLIENT_ORIGINS = {Origin.MANUAL, Origin.SUGGESTION, Origin.IMPORT}

_index_lock = threading.Lock()
_index_cache: OrderedDict[tuple[int, str], Utf16Index] = OrderedDict()
_INDEX_CACHE_SIZE = 64


def utf16_index(document: Document) -> Utf16Index:
    """The document's UTF-16 index; built once per text (texts never change after import)."""
    key = (document.id, document.sha256)
    with _index_lock:
        index = _index_cache.get(key)
        if index is not None:
            _index_cache.move_to_end(key)
            return index
    index = Utf16Index(document.text)
    with _index_lock:
        _index_cache[key] = index
        while len(_index_cache) > _INDEX_CACHE_SIZE:
            _index_cache.popitem(last=False)
    return index


def body(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInput("the request body must be a JSON object")
    return data


def _int(data: dict[str, Any], key: str, *, required: bool = True) -> int | None:
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidInput(f"{key} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{key} must be a whole number, not {value!r}")
    return value


def _text(data: dict[str, Any], key: str, *, limit: int) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{key} must be text")
    if len(value) > limit:
        raise InvalidInput(f"{key} is too long ({len(value)} characters; at most {limit})")
    return value


def _bool(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise InvalidInput(f"{key} must be true or false")
    return value


def span_from(data: dict[str, Any], document: Document, *, required: bool = True) -> Span | None:
    """A code-point span from ``start``/``end`` or from UTF-16 ``start16``/``end16``."""
    if "start16" in data or "end16" in data:
        start, end = _int(data, "start16"), _int(data, "end16")
        assert start is not None
        assert end is not None
        if start > end:
            raise InvalidInput(f"start16 ({start}) is after end16 ({end})")
        try:
            return utf16_index(document).span_from_utf16(start, end)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
    if "start" in data or "end" in data or required:
        start, end = _int(data, "start"), _int(data, "end")
        assert start is not None
        assert end is not None
        if not 0 <= start <= end:
            raise InvalidInput(f"invalid span: start {start}, end {end}")
        if end > len(document.text):
            raise InvalidInput(
                f"span [{start}, {end}) is outside the text ({len(document.text)} characters)"
            )
        return Span(start, end)
    return None


@dataclass(frozen=True)
class CodingIn:
    """A new coding: a code on a span (``origin`` lets undo restore a removed coding as it was)."""

    code_id: int
    span: Span
    origin: Origin = Origin.MANUAL

    @classmethod
    def from_json(cls, data: Any, document: Document) -> CodingIn:
        data = body(data)
        code_id = _int(data, "code_id")
        span = span_from(data, document)
        assert code_id is not None
        assert span is not None
        try:
            origin = Origin(data.get("origin", Origin.MANUAL.value))
        except ValueError:
            raise InvalidInput(f"unknown origin {data.get('origin')!r}") from None
        if origin not in _CLIENT_ORIGINS:
            raise InvalidInput(f"origin {origin.value} cannot be set through this call")
        return cls(code_id, span, origin)


@dataclass(frozen=True)
class CodingChange:
    """Widen or narrow (a new span), recode (a new code), or both."""

    span: Span | None
    code_id: int | None

    @classmethod
    def from_json(cls, data: Any, document: Document) -> CodingChange:
        data = body(data)
        change = cls(
            span_from(data, document, required=False), _int(data, "code_id", required=False)
        )
        if change.span is None and change.code_id is None:
            raise InvalidInput("send a new span (start/end or start16/end16) or a code_id")
        return change


@dataclass(frozen=True)
class MemoIn:
    """A memo on the project, a document, a span of it, a code or a coding."""

    text: str
    title: str
    document_id: int | None
    code_id: int | None
    coding_id: int | None
    span_data: dict[str, Any]

    @classmethod
    def from_json(cls, data: Any) -> MemoIn:
        data = body(data)
        span_keys = {k: data[k] for k in ("start", "end", "start16", "end16") if k in data}
        return cls(
            _text(data, "text", limit=MEMO_MAX) or "",
            _text(data, "title", limit=300) or "",
            _int(data, "document_id", required=False),
            _int(data, "code_id", required=False),
            _int(data, "coding_id", required=False),
            span_keys,
        )


@dataclass(frozen=True)
class MemoChange:
    text: str | None
    title: str | None

    @classmethod
    def from_json(cls, data: Any) -> MemoChange:
        data = body(data)
        change = cls(_text(data, "text", limit=MEMO_MAX), _text(data, "title", limit=300))
        if change.text is None and change.title is None:
            raise InvalidInput("send a new text or title")
        return change


@dataclass(frozen=True)
class AssignmentIn:
    username: str
    purpose: Purpose
    blind: bool

    @classmethod
    def from_json(cls, data: Any) -> AssignmentIn:
        data = body(data)
        username = _text(data, "coder", limit=64)
        if not username:
            raise InvalidInput("coder (a user name) is required")
        try:
            purpose = Purpose(data.get("purpose", Purpose.CODE.value))
        except ValueError:
            raise InvalidInput(
                f"unknown purpose {data.get('purpose')!r}: use code or double-code"
            ) from None
        return cls(username, purpose, _bool(data, "blind", False))


def done_from(data: Any) -> bool:
    return _bool(body(data), "done", True)
