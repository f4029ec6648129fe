"""Reading one REFI-QDA source: its text, its codings, and what cannot be carried over.

``TextSource`` is read directly; a ``PDFSource`` through its plain-text ``Representation``;
pictures, audio and video are reported as skipped. Where each selection lands on the text is
decided by :mod:`qualcode.interop.refi_qda.positions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from lxml import etree

from qualcode.interop.refi_qda.archive import ProjectArchive
from qualcode.interop.refi_qda.offsets import SourceText, Unit, decode_source
from qualcode.interop.refi_qda.positions import SelectionPlacer, counting_units
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

_UNSUPPORTED = {
    "PictureSource": ("PictureSelection", "pictures are not supported"),
    "AudioSource": ("AudioSelection", "audio sources are not supported"),
    "VideoSource": ("VideoSelection", "video sources are not supported"),
}


@dataclass
class SourceResult:
    source: SourceRec
    selections: list[SelectionRec]
    aliases: list[str] = field(default_factory=list)  # other GUIDs naming the same source


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
        self._coding_guids: set[str] = set()

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
        text = SourceText(raw)
        source = SourceRec(guid, name, text.text, description=child_text(el, "Description"))
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
        if not elements:
            return []
        positions = [
            (el.get("startPosition", ""), el.get("endPosition", ""), el.get("name") or "")
            for el in elements
        ]
        placer = SelectionPlacer(
            text, positions, units=self.units, names_carry_text=self.names_carry_text
        )
        if placer.unit is not Unit.CODEPOINT:
            self.report.messages.append(f"{source.name}: positions read as {placer.unit.value}")
        out: list[SelectionRec] = []
        for index, el in enumerate(elements):
            placed = placer.place(index)
            label = f"{source.name} [{positions[index][0]}, {positions[index][1]})"
            if placed.span is None:
                self.report.skip("selection", label, placed.problem)
                continue
            if placed.unit is not placer.unit and placed.unit is not None:
                self.report.messages.append(f"{label}: read as {placed.unit.value}")
            selection = self._selection(el, source, placed.span, label)
            if selection is not None:
                out.append(selection)
        return out

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
            if not coding_guid or coding_guid in self._coding_guids:
                coding_guid = new_guid("coding", guid, str(n))
            self._coding_guids.add(coding_guid)
            selection.codings.append(
                CodingRec(
                    guid=coding_guid,
                    code_guid=code,
                    creating_user=normalize_guid(coding_el.get("creatingUser") or "")
                    or selection_user,
                )
            )
        self.report.count("coding", len(selection.codings))
        return selection
