"""Read and write codebook files of every supported format, chosen by the file's extension.

| extension      | read | write | carries                                                  |
|----------------|------|-------|----------------------------------------------------------|
| .yaml .yml     | yes  | yes   | everything (qualcode's own format, ``codebook/lpsa.yaml``) |
| .json          | yes  | yes   | everything (same structure as the YAML)                  |
| .xlsx          | yes  | yes   | everything (Codebook and Chapters sheets)                |
| .csv           | yes  | yes   | the codes and all their fields; not the chapter outline  |
| .qdc           | yes  | yes   | REFI-QDA codebook (``qualcode.interop.refi_qda``)        |
| .docx          | no   | yes   | a readable document for a calibration meeting            |

Every reader validates before returning (``validate_codebook``), so a caller never receives a
codebook it would have to check again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import InvalidImport, InvalidInput, NotFound
from qualcode.interop import codebook_docx, codebook_tabular, codebook_yaml
from qualcode.interop.codebook_spec import CodebookSpec
from qualcode.interop.codebook_validation import ParsedCodebook, validate_codebook

__all__ = [
    "READ_EXTENSIONS",
    "WRITE_EXTENSIONS",
    "CodebookFile",
    "default_codebook_path",
    "read_codebook",
    "read_codebook_file",
    "validate_codebook",
    "write_codebook",
]

log = logging.getLogger(__name__)

DEFAULT_CODEBOOK = "lpsa.yaml"

_READERS: dict[str, Callable[[Path], ParsedCodebook]] = {
    ".yaml": codebook_yaml.read_yaml,
    ".yml": codebook_yaml.read_yaml,
    ".json": codebook_yaml.read_json,
    ".csv": codebook_tabular.read_csv,
    ".xlsx": codebook_tabular.read_xlsx,
}
_WRITERS: dict[str, Callable[[CodebookSpec, Path], None]] = {
    ".yaml": codebook_yaml.write_yaml,
    ".yml": codebook_yaml.write_yaml,
    ".json": codebook_yaml.write_json,
    ".csv": codebook_tabular.write_csv,
    ".xlsx": codebook_tabular.write_xlsx,
    ".docx": codebook_docx.write_docx,
}
READ_EXTENSIONS = (*_READERS, ".qdc")
WRITE_EXTENSIONS = (*_WRITERS, ".qdc")


@dataclass(frozen=True)
class CodebookFile:
    """A codebook read from a file, with what the reader found out about the file."""

    spec: CodebookSpec
    format: str  # the extension, e.g. ".csv"
    encoding: str | None = None  # the text encoding of a CSV file: utf-8, utf-8-sig, cp1252...


def read_codebook(path: Path) -> CodebookSpec:
    """Read and validate the codebook in ``path``; ``InvalidImport`` says what is wrong where."""
    return read_codebook_file(path).spec


def read_codebook_file(path: Path) -> CodebookFile:
    """Like ``read_codebook``, also reporting the format and (for CSV) the detected encoding."""
    suffix = path.suffix.lower()
    if suffix == ".qdc":
        from qualcode.interop.refi_qda import read_qdc

        spec = read_qdc(path)
        validate_codebook(spec, source=str(path))
        return CodebookFile(spec, suffix)
    reader = _READERS.get(suffix)
    if reader is None:
        hint = " (Word codebooks are for reading, not for import)" if suffix == ".docx" else ""
        raise InvalidImport(
            f"cannot import a codebook from a {suffix or 'extensionless'} file{hint}; "
            f"use one of {', '.join(READ_EXTENSIONS)}",
            path=str(path),
        )
    parsed = reader(path)
    validate_codebook(parsed.spec, locations=parsed.locations, source=str(path))
    if parsed.encoding is not None:
        log.info("read %s as %s", path, parsed.encoding)
    return CodebookFile(parsed.spec, suffix, parsed.encoding)


def write_codebook(spec: CodebookSpec, path: Path) -> None:
    """Write ``spec`` in the format ``path``'s extension names."""
    suffix = path.suffix.lower()
    if suffix == ".qdc":
        from qualcode.interop.refi_qda import write_qdc

        write_qdc(spec, path)
        return
    writer = _WRITERS.get(suffix)
    if writer is None:
        raise InvalidInput(
            f"cannot write a codebook as {suffix or 'a file without extension'}; "
            f"use one of {', '.join(WRITE_EXTENSIONS)}"
        )
    writer(spec, path)


def default_codebook_path() -> Path:
    """The shipped LPSA codebook: package data in a wheel, else ``codebook/`` in a checkout."""
    package = Path(__file__).resolve().parents[1]
    candidates = (
        package / "_data" / "codebook" / DEFAULT_CODEBOOK,
        package.parent / "codebook" / DEFAULT_CODEBOOK,
    )
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise NotFound(
        "the default codebook is missing: looked for " + " and ".join(map(str, candidates))
    )
