"""Reading one REFI-QDA source: its text, and its selections mapped onto the canonical text.

The counting unit of ``startPosition``/``endPosition`` is chosen per source: first the one the
exporting tool is known to use (by ``Project@origin``), then the others, keeping whichever
makes the selections' names agree with the selected text (for tools whose names carry it:
ATLAS.ti, QualCoder, qualcode) and, failing that, keeps every selection inside the text. A
selection whose name still disagrees under the chosen unit is tried under the others before
it is skipped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from lxml import etree

from qualcode.interop.refi_qda.archive import ProjectArchive
from qualcode.interop.refi_qda.offsets import SourceText, Unit, decode_source
from qualcode.interop.refi_qda.xml import (
    child,
    child_text,
    children,
    local,
    new_guid,
    normalize_guid,
)
from qualcode.interop.snapshot import CodingRec, ImportReport, SelectionRec, SourceRec
from qualcode.text.spans import Span

_WHITESPACE = re.compile(r"\s+")
_ELLIPSES = ("…", "...")
_UNSUPPORTED = {
    "PictureSource": ("PictureSelection", "pictures are not supported"),
    "AudioSource": ("AudioSelection", "audio sources are not supported"),
    "VideoSource": ("VideoSelection", "video sources are not supported"),
}


def counting_units(origin: str) -> tuple[list[Unit], bool]:
    """Units to try, the tool's own first, and whether its selection names carry the text."""
    tool = origin.lower()
    cp_first = [Unit.CODEPOINT, Unit.UTF16, Unit.CODEPOINT_CRLF_ONE, Unit.UTF16_CRLF_ONE]
    utf16_first = [Unit.UTF16, Unit.CODEPOINT, Unit.UTF16_CRLF_ONE, Unit.CODEPOINT_CRLF_ONE]
    if "nvivo" in tool:
        return utf16_first, False
    if "qualcoder" in tool:
        return utf16_first, True
    if "atlas" in tool:
        atlas = [Unit.CODEPOINT_CRLF_ONE, Unit.UTF16_CRLF_ONE, Unit.CODEPOINT, Unit.UTF16]
        return atlas, True
    return cp_first, tool.startswith("qualcode")


def name_matches(name: str, quote: str) -> bool:
    """Does a selection's name hold its text (whitespace runs collapsed, ``…`` truncation)?"""
    wanted = _collapse(name)
    found = _collapse(quote)
    if not wanted:
        return False
    if wanted == found:
        return True
    for ellipsis in _ELLIPSES:
        if wanted.endswith(ellipsis):
            prefix = wanted.removesuffix(ellipsis).rstrip()
            return bool(prefix) and found.startswith(prefix)
    return False


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


@dataclass
class SourceResult:
    source: SourceRec
    selections: list[SelectionRec]
    aliases: list[str] = field(default_factory=list)  # other GUIDs naming the same source


@dataclass
class _Placed:
    element: etree._Element
    span: Span | None
    unit: Unit | None
    problem: str = ""


class SourceReader:
    """Reads ``TextSource`` and ``PDFSource`` elements of one project file."""

    def __init__(
        self,
        archive: ProjectArchive,
        *,
        origin: str,
        code_guids: set[str],
        report: ImportReport,
    ) -> None:
        self.archive = archive
        self.units, self.names_carry_text = counting_units(origin)
        self.code_guids = code_guids
        self.report = report
        self._selection_guids: set[str] = set()

    # -- texts ------------------------------------------------------------------------------

    def load_text(self, el: etree._Element, label: str) -> tuple[str | None, str]:
        """The raw text of a ``TextSourceType`` element, or ``(None, why not)``."""
        content = child(el, "PlainTextContent")
        if content is not None:
            return content.text or "", ""
        ref = el.get("plainTextPath")
        if not ref:
            rich = el.get("richTextPath") or ""
            if rich.lower().endswith(".docx"):
                return None, "a Word source without its plain-text representation"
            return None, "no plain text (neither PlainTextContent nor plainTextPath)"
        if ref.lower().startswith(("relative://", "absolute://")):
            return None, f"its text is outside the archive ({ref})"
        data = self.archive.internal(ref)
        if data is None:
            return None, f"its text file is missing from the archive ({ref})"
        raw, encoding = decode_source(data)
        if encoding == "cp1252":
            self.report.messages.append(f"{label}: text is not UTF-8; read as Windows-1252")
        return raw, ""

    # -- sources ----------------------------------------------------------------------------

    def read(self, el: etree._Element) -> SourceResult | None:
        kind = local(el)
        guid = normalize_guid(el.get("guid") or "")
        name = el.get("name") or self._name_from_path(el) or guid or "(unnamed source)"
        if kind in _UNSUPPORTED:
            selection_tag, reason = _UNSUPPORTED[kind]
            self._skip_source(el, name, reason, selection_tag)
            return None
        if kind not in ("TextSource", "PDFSource"):
            return None
        text_el = el if kind == "TextSource" else child(el, "Representation")
        if text_el is None:
            self._skip_source(el, name, "a PDF without a text representation", "PDFSelection")
            return None
        if not guid:
            self.report.skip("source", name, "it has no GUID")
            return None
        raw, problem = self.load_text(text_el, name)
        if raw is None:
            self._skip_source(el, name, problem, "PlainTextSelection")
            return None
        source = SourceRec(guid=guid, name=name, text="", description=child_text(el, "Description"))
        text = SourceText(raw)
        source.text = text.text
        for area in children(el, "PDFSelection"):
            self.report.skip(
                "selection", f"{name} page {area.get('page')}", "an area of a PDF page"
            )
        whole = list(children(text_el, "Coding"))
        if whole:
            reason = f"codes applied to a whole source are not supported ({len(whole)})"
            self.report.skip("coding", name, reason)
        self.report.count("source")
        aliases = [normalize_guid(text_el.get("guid") or "")] if text_el is not el else []
        selections = self._selections(text_el, source, text)
        return SourceResult(source, selections, [a for a in aliases if a and a != guid])

    @staticmethod
    def _name_from_path(el: etree._Element) -> str:
        ref = el.get("plainTextPath") or el.get("richTextPath") or el.get("path") or ""
        return PurePosixPath(ref.split("://")[-1]).name

    def _skip_source(self, el: etree._Element, name: str, reason: str, selection_tag: str) -> None:
        selections = list(el.iter(f"{{*}}{selection_tag}"))
        detail = f" ({len(selections)} selections not imported)" if selections else ""
        self.report.skip("source", name, reason + detail)

    # -- selections -------------------------------------------------------------------------

    def _selections(
        self, text_el: etree._Element, source: SourceRec, text: SourceText
    ) -> list[SelectionRec]:
        elements = list(children(text_el, "PlainTextSelection"))
        unit = self._choose_unit(elements, text)
        if unit is not Unit.CODEPOINT and elements:
            self.report.messages.append(f"{source.name}: positions read as {unit.value}")
        out: list[SelectionRec] = []
        for el in elements:
            placed = self._place(el, text, unit)
            label = f"{source.name} [{el.get('startPosition')}, {el.get('endPosition')})"
            if placed.span is None:
                self.report.skip("selection", label, placed.problem)
                continue
            if placed.unit is not None and placed.unit is not unit:
                self.report.messages.append(f"{label}: read as {placed.unit.value}")
            selection = self._selection(el, source, placed.span, label)
            if selection is not None:
                out.append(selection)
        return out

    def _choose_unit(self, elements: list[etree._Element], text: SourceText) -> Unit:
        best, best_score = self.units[0], self._score(elements, text, self.units[0])
        if best_score == (len(elements), len(elements)):
            return best
        for unit in self.units[1:]:
            score = self._score(elements, text, unit)
            if score > best_score:
                best, best_score = unit, score
        return best

    def _score(
        self, elements: list[etree._Element], text: SourceText, unit: Unit
    ) -> tuple[int, int]:
        named = inside = 0
        for el in elements:
            span = self._span(el, text, unit)
            if span is not None:
                inside += 1
                named += name_matches(el.get("name") or "", text.text[span.start : span.end])
        return named, inside

    @staticmethod
    def _span(el: etree._Element, text: SourceText, unit: Unit) -> Span | None:
        try:
            return text.span(int(el.get("startPosition", "")), int(el.get("endPosition", "")), unit)
        except ValueError:
            return None

    def _place(self, el: etree._Element, text: SourceText, unit: Unit) -> _Placed:
        name = el.get("name") or ""
        try:
            start, end = int(el.get("startPosition", "")), int(el.get("endPosition", ""))
            span: Span | None = text.span(start, end, unit)
            problem = ""
        except ValueError as err:
            span, problem = None, str(err)
        if span is not None and name_matches(name, text.text[span.start : span.end]):
            return _Placed(el, span, unit)
        for other in self.units:
            other_span = self._span(el, text, other)
            if other_span and name_matches(name, text.text[other_span.start : other_span.end]):
                return _Placed(el, other_span, other)
        if self.names_carry_text and _collapse(name) and span is not None:
            reason = f"its text does not match its name {name[:60]!r} in any counting unit"
            return _Placed(el, None, None, reason)
        return _Placed(el, span, unit, problem or "outside the text")

    def _selection(
        self, el: etree._Element, source: SourceRec, span: Span, label: str
    ) -> SelectionRec | None:
        guid = normalize_guid(el.get("guid") or "") or new_guid("selection", source.guid, label)
        if guid in self._selection_guids:
            self.report.skip("selection", label, f"its GUID {guid} is used twice")
            return None
        self._selection_guids.add(guid)
        selection_user = normalize_guid(el.get("creatingUser") or "") or None
        selection = SelectionRec(
            guid=guid,
            source_guid=source.guid,
            start=span.start,
            end=span.end,
            text=source.text[span.start : span.end],
            creating_user=selection_user,
            description=child_text(el, "Description"),
        )
        for n, coding_el in enumerate(children(el, "Coding")):
            ref = child(coding_el, "CodeRef")
            code = normalize_guid(ref.get("targetGUID") or "") if ref is not None else ""
            if code not in self.code_guids:
                self.report.skip(
                    "coding", label, f"it refers to an unknown code {code or '(none)'}"
                )
                continue
            if not len(span):
                self.report.skip("coding", label, "a zero-length selection")
                continue
            coding_guid = normalize_guid(coding_el.get("guid") or "")
            selection.codings.append(
                CodingRec(
                    guid=coding_guid or new_guid("coding", guid, str(n)),
                    code_guid=code,
                    creating_user=normalize_guid(coding_el.get("creatingUser") or "")
                    or selection_user,
                )
            )
        self.report.count("coding", len(selection.codings))
        return selection
