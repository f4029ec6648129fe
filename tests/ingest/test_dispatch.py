"""read_transcript / read_transcript_bytes dispatch, size cap and refusals; discover."""

from __future__ import annotations

import os
from pathlib import Path

import docx
import pytest

from qualcode.errors import InvalidImport
from qualcode.ingest import SUPPORTED_SUFFIXES, discover, read_transcript, read_transcript_bytes


def test_dispatch_supported_suffixes() -> None:
    assert set(SUPPORTED_SUFFIXES) == {
        ".docx",
        ".odt",
        ".rtf",
        ".pdf",
        ".txt",
        ".md",
        ".vtt",
        ".srt",
    }


def test_dispatch_size_cap_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(int(61.2 * 1024 * 1024))  # sparse: nothing is written or read
    with pytest.raises(InvalidImport) as caught:
        read_transcript(path)
    assert caught.value.reason == "file is 61.2 MB, over the 50 MB limit"
    assert caught.value.path == str(path)
    with pytest.raises(InvalidImport, match="file is 18 bytes, over the 10 bytes limit"):
        read_transcript_bytes("small.txt", b"Interviewer: hello", max_bytes=10)
    with pytest.raises(InvalidImport, match=r"file is 2\.5 KB, over the 2 KB limit"):
        read_transcript_bytes("small.txt", b"x" * 2560, max_bytes=2048)


def test_dispatch_unsupported_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InvalidImport, match=r"unsupported file type '\.doc' \(supported: \.docx"):
        read_transcript(tmp_path / "old.doc")
    with pytest.raises(InvalidImport, match="unsupported file type without a suffix"):
        read_transcript_bytes("README", b"hi")
    with pytest.raises(InvalidImport, match="no such file"):
        read_transcript(tmp_path / "missing.txt")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(InvalidImport, match="is a folder, not a file"):
        read_transcript(folder)


def test_dispatch_bytes_for_uploads_and_titles() -> None:
    transcript = read_transcript_bytes("Kent interview 3.TXT", b"Q: Why?\nA: Because.")
    assert transcript.title == "Kent interview 3"
    assert transcript.source_type == "txt"
    assert [t.speaker for t in transcript.turns] == ["Q", "A"]
    with pytest.raises(InvalidImport) as caught:
        read_transcript_bytes("blank.txt", b"   \n\n")
    assert str(caught.value) == "blank.txt: the file is empty"


def test_dispatch_document_without_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    with pytest.raises(InvalidImport, match="the document holds no text"):
        read_transcript(path)


def test_dispatch_odt_named_docx_is_read_by_content(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    document.text.addElement(P(text="Interviewer: Hello?"))
    path = tmp_path / "misnamed.docx"
    document.save(str(path))
    transcript = read_transcript(path)
    assert transcript.source_type == "odt"
    assert "holds an OpenDocument text; read as .odt" in transcript.warnings[0]


def _touch(path: Path, text: str = "Interviewer: hi") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_discover_recursive_natural_order_skips_hidden_and_unsupported(tmp_path: Path) -> None:
    root = tmp_path / "fieldwork"
    for name in [
        "b/interview10.txt",
        "b/interview2.docx",
        "a.vtt",
        "A2.md",
        ".hidden.txt",
        ".git/x.txt",
        "~$lock.docx",
        "README.md",
        "b/LICENSE.txt",
        "notes.xlsx",
        "c/d/e.srt",
    ]:
        _touch(root / name)
    os.symlink(root / "b", root / "z-link")
    found = discover([root])
    assert [p.relative_to(root).as_posix() for p in found] == [
        "a.vtt",
        "A2.md",
        "b/interview2.docx",
        "b/interview10.txt",
        "c/d/e.srt",
    ]


def test_discover_explicit_files_kept_once_and_missing_refused(tmp_path: Path) -> None:
    first = _touch(tmp_path / "one.txt")
    odd = _touch(tmp_path / "odd.doc")
    assert discover([first, odd, tmp_path]) == [first, odd]
    with pytest.raises(InvalidImport, match="no such file or folder"):
        discover([tmp_path / "nope"])
