"""Property-based tests of the REFI-QDA project reader: random projects (texts with astral
characters, selections anywhere) survive a write and read unchanged, and damaged project
files are refused with ``InvalidImport``, never another exception."""

from __future__ import annotations

import tempfile
import unicodedata
import uuid
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from qualcode import __version__
from qualcode.errors import InvalidImport
from qualcode.interop.codebook_spec import CodebookSpec, CodeSpec
from qualcode.interop.refi_qda import read_qdpx, write_qdpx
from qualcode.interop.snapshot import (
    CodingRec,
    ProjectSnapshot,
    SelectionRec,
    SourceRec,
    UserRec,
)

ORIGIN = f"qualcode {__version__}"
# characters XML 1.0 can carry (no other controls, no surrogates or non-characters), with
# astral characters, combining marks and line breaks well represented
CHARS = st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="\ufffe\uffff")
PIECES = st.sampled_from(["😀", "𝄞", "👍🏽", "\n", " ", "e\u0301", "’", "中", "a", "b"])
TEXTS = st.lists(CHARS | PIECES, min_size=1, max_size=60).map(
    lambda parts: unicodedata.normalize("NFC", "".join(parts))
)
guids = st.uuids(version=4).map(str)


@st.composite
def projects(draw: st.DrawFn) -> ProjectSnapshot:
    users = [
        UserRec(guid, f"Coder {i + 1}")
        for i, guid in enumerate(draw(st.lists(guids, min_size=1, max_size=2, unique=True)))
    ]
    codes = [
        CodeSpec(name=f"Code {i + 1}", guid=guid)
        for i, guid in enumerate(draw(st.lists(guids, min_size=1, max_size=3, unique=True)))
    ]
    sources, selections = [], []
    for i in range(draw(st.integers(1, 3))):
        text = draw(TEXTS.filter(lambda t: len(t.strip()) > 0))
        source = SourceRec(
            str(uuid.UUID(int=draw(st.integers(1, 2**64)), version=4)), f"Interview {i + 1}", text
        )
        sources.append(source)
        for _ in range(draw(st.integers(0, 4))):
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, len(text)))
            user = draw(st.sampled_from(users)).guid
            coding = CodingRec(draw(guids), draw(st.sampled_from(codes)).guid, user)
            selections.append(
                SelectionRec(draw(guids), source.guid, start, end, text[start:end], user, [coding])
            )
    guids_used = (
        [s.guid for s in sources]
        + [s.guid for s in selections]
        + [c.guid for s in selections for c in s.codings]
    )
    if len(set(guids_used)) != len(guids_used):
        reject()
    return ProjectSnapshot(
        name="Random project",
        origin=ORIGIN,
        users=users,
        codebook=CodebookSpec(codes=codes),
        sources=sources,
        selections=selections,
    )


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_refi_a_random_project_survives_a_write_and_read_unchanged(snapshot: ProjectSnapshot):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.qdpx"
        write_qdpx(snapshot, path)
        back = read_qdpx(path)
    assert back.report.skipped == []
    texts = {s.guid: s.text for s in back.sources}
    for selection in back.selections:  # the offsets hold the quoted text in the read text
        assert texts[selection.source_guid][selection.start : selection.end] == selection.text
    key = lambda s: (s.source_guid, s.start, s.end, s.guid)  # noqa: E731
    assert sorted(back.selections, key=key) == sorted(snapshot.selections, key=key)
    assert back.sources == snapshot.sources
    assert back.codebook.codes == snapshot.codebook.codes


def _valid_qdpx(directory: Path) -> bytes:
    code = CodeSpec(name="Staff turnover", guid=str(uuid.UUID(int=1, version=4)))
    text = "Interviewer: Why? 😀\nJane: Staff turnover hurt us."
    start = text.index("Staff")
    source = SourceRec(str(uuid.UUID(int=2, version=4)), "Interview", text)
    user = UserRec(str(uuid.UUID(int=3, version=4)), "Ana")
    selection = SelectionRec(
        str(uuid.UUID(int=4, version=4)),
        source.guid,
        start,
        start + 14,
        "Staff turnover",
        user.guid,
        [CodingRec(str(uuid.UUID(int=5, version=4)), code.guid, user.guid)],
    )
    path = directory / "valid.qdpx"
    write_qdpx(
        ProjectSnapshot(
            name="P",
            origin=ORIGIN,
            users=[user],
            codebook=CodebookSpec(codes=[code]),
            sources=[source],
            selections=[selection],
        ),
        path,
    )
    return path.read_bytes()


def _members(data: bytes) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.qdpx"
        path.write_bytes(data)
        with zipfile.ZipFile(path) as archive:
            return {name: archive.read(name) for name in archive.namelist()}


with tempfile.TemporaryDirectory() as _tmp:
    VALID = _members(_valid_qdpx(Path(_tmp)))


@settings(deadline=None, max_examples=200)
@given(st.sampled_from(sorted(VALID)), st.data())
def test_refi_damaged_project_members_are_read_or_refused_cleanly(member: str, data):
    damaged = bytearray(VALID[member])
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(damaged) - 1))
        damaged[at] = data.draw(st.integers(0, 255))
    damaged = damaged[: data.draw(st.integers(0, len(damaged)))]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "damaged.qdpx"
        with zipfile.ZipFile(path, "w") as archive:
            for name, content in VALID.items():
                archive.writestr(name, bytes(damaged) if name == member else content)
        refusal: InvalidImport | None = None
        try:
            snapshot = read_qdpx(path)
        except InvalidImport as error:
            refusal = error
    if refusal is not None:
        assert str(refusal)
        return
    texts = {s.guid: s.text for s in snapshot.sources}
    for selection in snapshot.selections:
        assert texts[selection.source_guid][selection.start : selection.end] == selection.text
