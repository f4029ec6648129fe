"""An imported source's text in qualcode's canonical form, with its selections' offsets mapped.

The REFI-QDA reader gives a source's text NFC with ``\\n`` line endings (DESIGN.md's rule for
imported sources). ``add_document`` is stricter: it also wants what
:func:`qualcode.text.normalize.normalize_text` removes, namely trailing whitespace on a line,
control characters and stray byte-order marks, and other line-break characters as ``\\n``.
Every one of those edits deletes a character or replaces one by one, so the canonical text is
an alignment of the original and every offset maps across by counting the characters kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.text.normalize import normalize_text
from qualcode.text.spans import Span

# characters normalize_text turns into "\n" (one for one)
_LINE_BREAKS = frozenset("\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


@dataclass(frozen=True)
class CanonicalText:
    """A source's canonical text, and where each offset into the original lands in it."""

    text: str
    changed: bool
    _offsets: tuple[int, ...] = ()  # original offset -> canonical offset (when changed)

    def span(self, start: int, end: int) -> Span:
        """The canonical span of ``[start, end)`` in the original text."""
        if not self.changed:
            return Span(start, end)
        return Span(self._offsets[start], self._offsets[end])


def canonical_text(original: str) -> CanonicalText:
    """Align ``original`` with its canonical form; ``ValueError`` if they cannot be aligned.

    Alignment fails only when normalisation recomposes characters across a removed control
    character (``e``, ``\\x01``, a combining accent), which no real transcript holds.
    """
    canonical = normalize_text(original)
    if canonical == original:
        return CanonicalText(original, changed=False)
    offsets: list[int] = []
    j = 0
    for ch in original:
        offsets.append(j)
        if j < len(canonical) and (
            ch == canonical[j] or (canonical[j] == "\n" and ch in _LINE_BREAKS)
        ):
            j += 1
    offsets.append(j)
    if j != len(canonical):
        raise ValueError("its text cannot be brought to qualcode's canonical form")
    return CanonicalText(canonical, changed=True, _offsets=tuple(offsets))
