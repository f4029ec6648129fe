"""Synthetic interview transcripts from the LPSA evaluation, for benchmarks and load tests.

Each transcript is an interview with one respondent (a target owner, an LPSA coordinator, a
finance officer, a partner...) in a fictional authority: a header line, then turns that
alternate between the interviewer's questions (short) and the respondent's answers (from a
sentence to several paragraphs' worth), with the odd interjection and follow-up. Sentences
are built from templates over the domain's vocabulary (stretch, reward grant, pump priming,
freedoms and flexibilities, the LSP...), so word frequencies resemble the real thing.
Generation is deterministic for a seed, and document ``i`` does not depend on ``n``.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from qualcode.bench.vocabulary import (
    AUTHORITIES,
    FIRST_NAMES,
    INTERJECTIONS,
    QUESTIONS,
    ROLES,
    SENTENCES,
    SLOTS,
    SURNAMES,
)

FORMATS = ("txt", "vtt", "docx")
WORDS_PER_SECOND = 2.6  # speaking rate used for caption timings


def _fill(template: str, rng: random.Random) -> str:
    parts = template.split("{")
    out = [parts[0]]
    for part in parts[1:]:
        slot, _, rest = part.partition("}")
        out.append(rng.choice(SLOTS[slot]))
        out.append(rest)
    text = "".join(out)
    return text[0].upper() + text[1:]


def _answer(rng: random.Random) -> str:
    roll = rng.random()
    count = 1 if roll < 0.15 else rng.randint(2, 5) if roll < 0.6 else rng.randint(6, 16)
    return " ".join(_fill(rng.choice(SENTENCES), rng) for _ in range(count))


def _transcript(index: int, words: int, seed: int) -> tuple[str, str]:
    rng = random.Random(f"{seed}:{index}")
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    authority, role = rng.choice(AUTHORITIES), rng.choice(ROLES)
    style = rng.random()
    respondent = f"{first} {last}" if style < 0.6 else first if style < 0.8 else "Respondent"
    interviewer = "Interviewer" if rng.random() < 0.8 else "INT"
    day = rng.randint(1, 28)
    lines = [f"Interview with {first} {last}, {role}, {authority}, {day} May 2005"]
    count = len(lines[0].split())
    while count < words:
        question = _fill(rng.choice(QUESTIONS), rng)
        answer = _answer(rng)
        turns = [(interviewer, question), (respondent, answer)]
        if rng.random() < 0.12:
            turns.append((interviewer, rng.choice(INTERJECTIONS)))
            turns.append((respondent, _answer(rng)))
        for speaker, text in turns:
            lines.append(f"{speaker}: {text}")
            count += len(text.split())
    name = f"interview-{index + 1:04d}-{authority.split()[0].lower()}"
    return name, "\n".join(lines)


def generate_transcripts(n: int, words: int = 5000, seed: int = 0) -> Iterator[tuple[str, str]]:
    """Yield ``n`` transcripts as ``(name, text)``; text is canonical (``Name: words`` lines)."""
    for index in range(n):
        yield _transcript(index, words, seed)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours:02d}:{minutes:02d}:{secs:06.3f}"


def to_vtt(text: str) -> str:
    """WebVTT captions of a canonical transcript: voice tags, cues of about twelve words."""
    cues = ["WEBVTT", ""]
    clock = 0.0
    number = 0
    for line in text.split("\n"):
        speaker, sep, words = line.partition(": ")
        voice = f"<v {speaker}>" if sep else ""
        tokens = (words if sep else line).split()
        for i in range(0, len(tokens), 12):
            chunk = tokens[i : i + 12]
            end = clock + len(chunk) / WORDS_PER_SECOND
            number += 1
            cues += [str(number), f"{_clock(clock)} --> {_clock(end)}", voice + " ".join(chunk), ""]
            clock = end + 0.3
    return "\n".join(cues)


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def to_docx_xml(text: str) -> str:
    """``word/document.xml`` for a canonical transcript: a paragraph per turn, labels bold."""
    paragraphs = []
    for line in text.split("\n"):
        speaker, sep, words = line.partition(": ")
        runs = (
            f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{escape(speaker)}: </w:t></w:r>'
            if sep
            else ""
        )
        runs += f'<w:r><w:t xml:space="preserve">{escape(words if sep else line)}</w:t></w:r>'
        paragraphs.append(f"<w:p>{runs}</w:p>")
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}">'
        f"<w:body>{''.join(paragraphs)}<w:sectPr/></w:body></w:document>"
    )


def write_docx(path: Path, text: str) -> None:
    """A minimal valid .docx (python-docx and Word open it) holding a canonical transcript."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", to_docx_xml(text))


def write_corpus(directory: Path, n: int, fmt: str, words: int = 5000, seed: int = 0) -> list[Path]:
    """Write ``n`` transcripts as ``fmt`` files (txt, vtt or docx) into ``directory``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown corpus format {fmt!r} (use one of {', '.join(FORMATS)})")
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generate_transcripts(n, words, seed):
        path = directory / f"{name}.{fmt}"
        if fmt == "txt":
            path.write_text(text + "\n", encoding="utf-8")
        elif fmt == "vtt":
            path.write_text(to_vtt(text), encoding="utf-8")
        else:
            write_docx(path, text)
        paths.append(path)
    return paths
