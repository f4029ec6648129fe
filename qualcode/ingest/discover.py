"""Finding the transcript files in the paths a user names (files and folders)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from qualcode.errors import InvalidImport

SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".docx",
    ".odt",
    ".rtf",
    ".pdf",
    ".txt",
    ".md",
    ".vtt",
    ".srt",
)
_DIGITS = re.compile(r"(\d+)")
_NOT_TRANSCRIPTS = frozenset({"readme", "license", "licence", "changelog"})  # folder notes


def _name_key(name: str) -> tuple[list[str | int], str]:
    """Natural order: ``interview2`` before ``interview10``, case ignored, stem before suffix."""
    stem, suffix = os.path.splitext(name)
    parts = _DIGITS.split(stem)
    return [int(p) if i % 2 else p.casefold() for i, p in enumerate(parts)], suffix.casefold()


def _skipped(name: str) -> bool:
    """Hidden files, Word's lock files (``~$...``) and a folder's README or licence."""
    return name.startswith((".", "~$")) or name.split(".")[0].casefold() in _NOT_TRANSCRIPTS


def _walk(folder: Path) -> Iterator[Path]:
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda entry: _name_key(entry.name))
    for entry in entries:
        if _skipped(entry.name):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif entry.is_file() and Path(entry.name).suffix.lower() in SUPPORTED_SUFFIXES:
            yield Path(entry.path)


def discover(paths: Sequence[Path]) -> list[Path]:
    """The transcript files named by ``paths``, each once, in order.

    A folder is searched recursively, in natural name order, for files with a supported
    suffix; hidden files and folders, Word lock files (``~$...``) and README, LICENSE and
    CHANGELOG files are skipped; symbolic links to folders are not followed. A file named
    explicitly is kept whatever its suffix, so that reading it reports why it cannot be
    imported. A missing path raises :class:`~qualcode.errors.InvalidImport`.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            candidates: Iterator[Path] | list[Path] = _walk(path)
        elif path.exists():
            candidates = [path]
        else:
            raise InvalidImport("no such file or folder", path=str(path))
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found
