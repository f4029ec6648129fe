"""The synthetic LPSA corpus: deterministic, realistic turns, files every reader reads back."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from qualcode.bench.corpus import generate_transcripts, write_corpus
from qualcode.ingest import read_transcript
from qualcode.text.normalize import normalize_text


def test_bench_corpus_is_deterministic_and_independent_of_n() -> None:
    three = list(generate_transcripts(3, words=800, seed=7))
    assert list(generate_transcripts(3, words=800, seed=7)) == three
    assert list(generate_transcripts(1, words=800, seed=7)) == three[:1]
    assert list(generate_transcripts(1, words=800, seed=8)) != three[:1]
    assert len({name for name, _ in three}) == 3


def test_bench_corpus_turn_structure() -> None:
    ((_, text),) = generate_transcripts(1, words=5000, seed=1)
    assert normalize_text(text) == text
    assert 5000 <= len(text.split()) < 5600
    lines = text.split("\n")
    assert lines[0].startswith("Interview with ")
    speakers = [line.split(": ", 1)[0] for line in lines[1:]]
    assert len(set(speakers)) == 2
    assert speakers[0] in ("Interviewer", "INT")
    lengths = sorted(len(line.split()) for line in lines[1:])
    assert lengths[0] <= 5
    assert lengths[-1] >= 100
    assert any(term in text for term in ("stretch", "reward grant", "pump-priming", "LSP"))


@pytest.mark.parametrize("fmt", ["txt", "vtt", "docx"])
def test_bench_corpus_files_read_back_to_the_same_text(tmp_path: Path, fmt: str) -> None:
    paths = write_corpus(tmp_path, 2, fmt, words=600, seed=4)
    assert [p.suffix for p in paths] == [f".{fmt}"] * 2
    for path, (_, text) in zip(paths, generate_transcripts(2, words=600, seed=4), strict=True):
        transcript = read_transcript(path)
        assert transcript.text == text
        assert transcript.warnings == []
        assert len(transcript.speakers) == 2


def test_bench_corpus_docx_opens_in_python_docx(tmp_path: Path) -> None:
    (path,) = write_corpus(tmp_path, 1, "docx", words=300)
    document = docx.Document(str(path))
    assert document.paragraphs[1].runs[0].bold
    assert document.paragraphs[1].text.startswith(("Interviewer: ", "INT: "))


def test_bench_corpus_refuses_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown corpus format 'pdf'"):
        write_corpus(tmp_path, 1, "pdf")
