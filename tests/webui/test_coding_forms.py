"""Input parsing for the workbench API: spans in UTF-16 units or code points, and the errors
a bad request gets."""

from __future__ import annotations

import pytest

from qualcode.errors import InvalidInput
from qualcode.models import Document, Origin, Purpose
from qualcode.text.normalize import text_hash
from qualcode.text.spans import Span
from webui.forms import (
    AssignmentIn,
    CodingChange,
    CodingIn,
    MemoChange,
    MemoIn,
    done_from,
    span_from,
    utf16_index,
)

TEXT = "a😀b 👩🏽‍💼 q̃ é\U0001d11e end"


def document(text: str = TEXT, ident: int = 1) -> Document:
    return Document(id=ident, text=text, sha256=text_hash(text), title="t", project_id=1)


def u16(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


@pytest.mark.parametrize("target", ["b", "q̃", "é", "\U0001d11e", "end", "👩🏽‍💼"])
def test_coding_forms_utf16_offsets_become_code_points(target):
    doc = document()
    start = TEXT.index(target)
    end = start + len(target)
    span = span_from({"start16": u16(TEXT, start), "end16": u16(TEXT, end)}, doc)
    assert span == Span(start, end)
    assert TEXT[span.start : span.end] == target


def test_coding_forms_code_points_pass_through_and_are_checked():
    doc = document()
    assert span_from({"start": 1, "end": 2}, doc) == Span(1, 2)
    with pytest.raises(InvalidInput, match="outside the text"):
        span_from({"start": 0, "end": len(TEXT) + 1}, doc)
    with pytest.raises(InvalidInput, match="splits a surrogate pair"):
        span_from({"start16": 2, "end16": 3}, doc)
    with pytest.raises(InvalidInput, match="outside the text"):
        span_from({"start16": 0, "end16": len(TEXT.encode("utf-16-le"))}, doc)
    assert span_from({}, doc, required=False) is None


def test_coding_forms_coding_in_and_change():
    doc = document()
    data = CodingIn.from_json({"code_id": 3, "start": 1, "end": 2, "origin": "suggestion"}, doc)
    assert data == CodingIn(3, Span(1, 2), Origin.SUGGESTION)
    with pytest.raises(InvalidInput, match="code_id is required"):
        CodingIn.from_json({"start": 1, "end": 2}, doc)
    with pytest.raises(InvalidInput, match="JSON object"):
        CodingIn.from_json(None, doc)
    assert CodingChange.from_json({"code_id": 4}, doc) == CodingChange(None, 4)
    with pytest.raises(InvalidInput, match="new span"):
        CodingChange.from_json({"origin": "manual"}, doc)


def test_coding_forms_memos_assignments_and_done():
    memo = MemoIn.from_json({"text": "t", "document_id": 2, "start16": 0, "end16": 1})
    assert (memo.document_id, memo.span_data) == (2, {"start16": 0, "end16": 1})
    assert MemoChange.from_json({"title": "x"}) == MemoChange(None, "x")
    with pytest.raises(InvalidInput, match="title is too long"):
        MemoIn.from_json({"text": "t", "title": "x" * 301})
    assignment = AssignmentIn.from_json({"coder": "ann", "purpose": "double-code", "blind": True})
    assert assignment == AssignmentIn("ann", Purpose.DOUBLE_CODE, True)
    with pytest.raises(InvalidInput, match="blind must be true or false"):
        AssignmentIn.from_json({"coder": "ann", "blind": "yes"})
    assert done_from({}) is True
    assert done_from({"done": False}) is False


def test_coding_forms_utf16_index_is_built_once_per_text():
    doc = document(ident=41)
    assert utf16_index(doc) is utf16_index(document(ident=41))
    assert utf16_index(doc) is not utf16_index(document(TEXT + "!", ident=41))
