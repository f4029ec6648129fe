"""``qualcode import``: a mixed batch with broken files, ``--json``, ``--case``, and corrected
transcripts (same title, or ``--replace ID``) whose codings are re-anchored.

The file builders here are shared with the web upload tests.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import docx
import pytest
from factories import make_code, make_coding, make_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.models import Coding, Document, Event, ImportJob, Project, Turn

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TOPICS = ("stretch targets", "the reward grant", "pump priming", "baseline data",
          "the local strategic partnership", "freedoms and flexibilities")  # fmt: skip


def interview(n: int, turns: int = 6) -> list[tuple[str, str]]:
    """Distinct, realistic turns for interview ``n``."""
    rng = random.Random(n)
    out = []
    for t in range(turns):
        topic = rng.choice(TOPICS)
        if t % 2 == 0:
            out.append(("Interviewer", f"How did {topic} work out in case {n}, question {t}?"))
        else:
            out.append(("Jane Smith", f"Honestly, {topic} was hard for us in {n}; we learnt a "
                        f"lot about partnership working and delivery, point {t}."))  # fmt: skip
    return out


def txt_bytes(turns: list[tuple[str, str]]) -> bytes:
    return "\n".join(f"{s}: {w}" for s, w in turns).encode("utf-8")


def vtt_bytes(turns: list[tuple[str, str]]) -> bytes:
    cues = ["WEBVTT", ""]
    for i, (speaker, words) in enumerate(turns):
        cues += [str(i + 1), f"00:00:{2 * i:02d}.000 --> 00:00:{2 * i + 1:02d}.500",
                 f"<v {speaker}>{words}", ""]  # fmt: skip
    return "\n".join(cues).encode("utf-8")


def srt_bytes(turns: list[tuple[str, str]]) -> bytes:
    cues = []
    for i, (speaker, words) in enumerate(turns):
        cues += [str(i + 1), f"00:00:{2 * i:02d},000 --> 00:00:{2 * i + 1:02d},500",
                 f"{speaker}: {words}", ""]  # fmt: skip
    return "\n".join(cues).encode("utf-8")


def docx_bytes(turns: list[tuple[str, str]]) -> bytes:
    document = docx.Document()
    for speaker, words in turns:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{speaker}: ").bold = True
        paragraph.add_run(words)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


BUILDERS = {".txt": txt_bytes, ".md": txt_bytes, ".vtt": vtt_bytes, ".srt": srt_bytes,
            ".docx": docx_bytes}  # fmt: skip


def broken_files(max_bytes: int) -> dict[str, bytes]:
    """One file of every broken kind, by name."""
    good_docx = docx_bytes(interview(9999))
    return {
        "corrupt.docx": good_docx[: len(good_docx) // 2],
        "protected.docx": OLE_MAGIC + bytes(2048),  # an encrypted Word file is an OLE container
        "old-word.docx": OLE_MAGIC + b"\x00" * 512 + b"Microsoft Word 97-2003" + bytes(1024),
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 8,
        "huge.txt": txt_bytes(interview(4242, turns=2)) + b"\nJane Smith: " + b"words " * max_bytes,
    }


REASONS = {
    "corrupt.docx": "not a Word .docx file (the zip archive is damaged)",
    "protected.docx": "looks like an old .doc or an encrypted document",
    "old-word.docx": "looks like an old .doc or an encrypted document",
    "empty.txt": "the file is empty",
    "binary.txt": "binary data, not text",
    "huge.txt": "over the 50 KB limit",
}


def write_batch(folder: Path, good: int, max_bytes: int) -> dict[str, bytes]:
    """``good`` distinct transcripts in five formats, the broken files, one exact duplicate."""
    folder.mkdir()
    suffixes = list(BUILDERS)
    files: dict[str, bytes] = {}
    for n in range(good):
        suffix = suffixes[n % len(suffixes)]
        files[f"interview-{n:03d}{suffix}"] = BUILDERS[suffix](interview(n))
    files.update(broken_files(max_bytes))
    files["zz-copy-of-interview-001.txt"] = files["interview-001.md"]
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


@pytest.mark.slow
def test_import_cli_batch_imports_the_good_and_names_the_broken(runner, engine, tmp_path):
    assert runner(["project", "create", "lpsa"]).exit_code == 0
    write_batch(tmp_path / "batch", good=195, max_bytes=50 * 1024)
    result = runner(["import", "lpsa", str(tmp_path / "batch"), "--max-size", str(50 / 1024),
                     "--workers", "2", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"imported", "skipped", "failed"}
    assert len(out["imported"]) == 195
    failed = {Path(f["path"]).name: f["reason"] for f in out["failed"]}
    assert set(failed) == set(REASONS)
    for name, reason in REASONS.items():
        assert reason in failed[name], (name, failed[name])
    assert [Path(s["path"]).name for s in out["skipped"]] == ["zz-copy-of-interview-001.txt"]
    assert "exact duplicate of interview-001" in out["skipped"][0]["reason"]
    first = next(r for r in out["imported"] if r["title"] == "interview-000")
    assert first["turns"] == 6
    assert first["speakers"] == ["Interviewer", "Jane Smith"]
    assert first["status"] == "imported"
    assert first["words"] > 60
    with Session(engine) as s:
        titles = set(s.scalars(select(Document.title)))
        assert len(titles) == 195
        assert not titles & {Path(name).stem for name in REASONS}  # nothing of a failed file
        for doc in s.scalars(select(Document)):
            turns = s.scalars(select(Turn).where(Turn.document_id == doc.id)).all()
            assert len(turns) == doc.turn_count == 6
            assert doc.text[turns[1].start : turns[1].end].startswith("Honestly,")
        imported_events = s.scalar(
            select(func.count()).select_from(Event).where(Event.action == "document.imported")
        )
        assert imported_events == 195
        job = s.scalars(select(ImportJob)).one()
        assert (job.status, job.total, job.done) == ("finished", 202, 202)
        assert {Path(f["path"]).name for f in job.results} == set(REASONS)


def test_import_cli_table_shows_each_file_and_the_summary(runner, tmp_path):
    assert runner(["project", "create", "lpsa"]).exit_code == 0
    folder = tmp_path / "few"
    folder.mkdir()
    (folder / "a.txt").write_bytes(txt_bytes(interview(1)))
    (folder / "b.vtt").write_bytes(vtt_bytes(interview(2, turns=4)))
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    result = runner(["import", "lpsa", str(folder), "--workers", "1"])
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert lines["a.txt"].split()[1:4] == ["imported", "6", "2"]
    assert lines["b.vtt"].split()[1:4] == ["imported", "4", "2"]
    assert lines["broken.docx"].split(maxsplit=2)[1:] == [
        "failed",
        "not a Word .docx file (the zip archive is damaged)",
    ]
    assert "2 imported, 0 skipped, 1 failed" in result.stdout


def test_import_cli_all_failed_exits_with_an_error(runner, tmp_path):
    assert runner(["project", "create", "lpsa"]).exit_code == 0
    (tmp_path / "empty.txt").write_bytes(b"")
    result = runner(["import", "lpsa", str(tmp_path / "empty.txt"), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["failed"][0]["reason"] == "the file is empty"
    assert "no file could be imported" in result.stderr


def test_import_cli_case_puts_every_document_in_it(runner, engine, tmp_path):
    assert runner(["project", "create", "lpsa"]).exit_code == 0
    for n in (1, 2):
        (tmp_path / f"i{n}.txt").write_bytes(txt_bytes(interview(n)))
    result = runner(["import", "lpsa", str(tmp_path / "i1.txt"), str(tmp_path / "i2.txt"),
                     "--case", "Northshire County Council", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    with Session(engine) as s:
        docs = s.scalars(select(Document).order_by(Document.title)).all()
        assert [d.case.name if d.case else None for d in docs] == ["Northshire County Council"] * 2


CORRECTED = [
    ("Interviewer", "What got in the way of the stretch targets?"),
    (
        "Jane Smith",
        "Staff turnover, mainly. The champion left in the first year. "
        "We argued about baselines for months.",
    ),  # fmt: skip
    ("Interviewer", "And the reward grant?"),
    ("Jane Smith", "The reward grant paid for two posts in the community safety team."),
]
EXACT = "The champion left in the first year."  # unchanged in the correction
LOST = "We argued about baselines for months."  # deleted by the correction
FUZZY = "two posts in the community safety team"  # corrected to "community-safety"


def _coded_version_one(engine, runner, path: Path) -> dict[str, int]:
    """Import ``path`` (``CORRECTED``) as version 1 and code three quotes; their coding ids."""
    path.write_bytes(txt_bytes(CORRECTED))
    assert runner(["project", "create", "lpsa"]).exit_code == 0
    assert runner(["import", "lpsa", str(path), "--json"]).exit_code == 0
    with Session(engine, expire_on_commit=False) as s:
        coder = make_user(s, "ruth")
        doc = s.scalars(select(Document)).one()
        code = make_code(s, s.scalars(select(Project)).one(), "Barriers")
        ids = {q: make_coding(s, doc, code, coder, quote=q).id for q in (EXACT, LOST, FUZZY)}
        s.commit()
    return ids


def _correction() -> bytes:
    turns = [("Interviewer", "Before we start: thank you for your time."), *CORRECTED]
    turns[2] = ("Jane Smith", f"Staff turnover, mainly. {EXACT} The audit came later.")
    turns[4] = ("Jane Smith", "The reward grant paid for two posts in the community-safety team.")
    return txt_bytes(turns)


def _check_reanchored(engine, ids: dict[str, int], result: dict) -> None:
    assert (result["version"], result["reanchored"]) == (2, 2)
    (lost,) = result["not_reanchored"]
    assert lost["coding_id"] == ids[LOST]
    assert (lost["quote"], lost["code"], lost["coder"]) == (LOST, "Barriers", "ruth")
    assert lost["reason"].startswith("quote not found")
    with Session(engine) as s:
        old_doc, new_doc = s.scalars(select(Document).order_by(Document.version)).all()
        assert (old_doc.is_current, new_doc.is_current) == (False, True)
        assert new_doc.title == "interview-jane"
        exact, fuzzy = s.get(Coding, ids[EXACT]), s.get(Coding, ids[FUZZY])
        assert exact.document_id == fuzzy.document_id == new_doc.id
        assert new_doc.text[exact.start : exact.end] == exact.quote == EXACT
        assert new_doc.text[fuzzy.start : fuzzy.end] == fuzzy.quote
        assert fuzzy.quote.startswith("two posts in the community-safety team")  # fuzzy match
        assert s.get(Coding, ids[LOST]).document_id == old_doc.id  # kept, on the old version


def test_import_cli_corrected_transcript_keeps_codings_reanchored(runner, engine, tmp_path):
    path = tmp_path / "interview-jane.txt"
    ids = _coded_version_one(engine, runner, path)
    path.write_bytes(_correction())
    result = runner(["import", "lpsa", str(path), "--json"])
    assert result.exit_code == 0, result.output
    (new,) = json.loads(result.stdout)["imported"]
    _check_reanchored(engine, ids, new)
    table = runner(["import", "lpsa", str(path)])
    assert "exact duplicate of interview-jane" in table.stdout  # the same file again: skipped


def test_import_cli_replace_makes_a_new_version_of_that_document(runner, engine, tmp_path):
    first = tmp_path / "interview-jane.txt"
    ids = _coded_version_one(engine, runner, first)
    fixed = tmp_path / "jane-corrected-final.txt"
    fixed.write_bytes(_correction())
    with Session(engine) as s:
        old_id = s.scalars(select(Document.id)).one()
    result = runner(["import", "lpsa", str(fixed), "--replace", str(old_id), "--json"])
    assert result.exit_code == 0, result.output
    (new,) = json.loads(result.stdout)["imported"]
    _check_reanchored(engine, ids, new)  # the new version keeps the replaced one's title
    two = runner(["import", "lpsa", str(first), str(fixed), "--replace", str(old_id)])
    assert two.exit_code == 2  # bad usage
    assert "replaces one document: 2 files given" in two.stderr
    missing = runner(["import", "lpsa", str(first), "--replace", "999999", "--json"])
    assert json.loads(missing.stdout)["failed"][0]["reason"] == "no document 999999 in lpsa"
