"""Untrusted ``.qdpx`` uploads: unsafe archives and XML are refused with a named reason."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from qualcode.errors import InvalidImport
from qualcode.interop.refi_qda import read_qdpx

MINIMAL_QDE = b'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="p"/>'


def make_zip(path: Path, members: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


def test_refi_security_a_minimal_project_is_accepted(tmp_path: Path):
    snapshot = read_qdpx(make_zip(tmp_path / "ok.qdpx", [("project.qde", MINIMAL_QDE)]))
    assert snapshot.name == "p"


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("../evil.txt", r"climbs out of the archive \('..'\)"),
        ("sources/../../evil.txt", r"climbs out of the archive"),
        ("/etc/passwd", "absolute member name"),
        ("C:/Windows/evil.txt", "absolute member name"),
    ],
)
def test_refi_security_refuses_member_names_outside_the_archive(
    tmp_path: Path, member: str, reason: str
):
    path = make_zip(tmp_path / "bad.qdpx", [("project.qde", MINIMAL_QDE), (member, b"x")])
    with pytest.raises(InvalidImport, match=reason) as caught:
        read_qdpx(path)
    assert caught.value.path == str(path)


def test_refi_security_refuses_symlink_members(tmp_path: Path):
    link = zipfile.ZipInfo("sources/link.txt")
    link.create_system = 3  # Unix
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = make_zip(tmp_path / "link.qdpx", [("project.qde", MINIMAL_QDE), (link, b"/etc/passwd")])
    with pytest.raises(InvalidImport, match="symbolic link member"):
        read_qdpx(path)


def test_refi_security_refuses_a_zip_bomb_by_compression_ratio(tmp_path: Path):
    bomb = b"\0" * (20 * 1024 * 1024)  # 20 MB of zeros packs into about 20 KB
    path = make_zip(tmp_path / "bomb.qdpx", [("project.qde", MINIMAL_QDE), ("sources/a.txt", bomb)])
    assert path.stat().st_size < 100_000
    with pytest.raises(InvalidImport, match=r"compression ratio \d+:1 exceeds 200:1"):
        read_qdpx(path)


def test_refi_security_refuses_members_expanding_past_the_size_cap(tmp_path: Path):
    members = [
        ("project.qde", MINIMAL_QDE),
        ("sources/a.txt", b"a" * 600),
        ("sources/b.txt", b"b" * 600),
    ]
    path = make_zip(tmp_path / "big.qdpx", members)
    with pytest.raises(InvalidImport, match=r"expand past the size limit \(1000 bytes\)"):
        read_qdpx(path, max_total_bytes=1000)
    assert read_qdpx(path, max_total_bytes=2000).name == "p"


def test_refi_security_refuses_too_many_members(tmp_path: Path):
    members = [("project.qde", MINIMAL_QDE)] + [(f"sources/{n}.txt", b"x") for n in range(5)]
    path = make_zip(tmp_path / "many.qdpx", members)
    with pytest.raises(InvalidImport, match=r"too many members \(6, the limit is 3\)"):
        read_qdpx(path, max_members=3)


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&secret;"/>
"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol9;"/>
"""


@pytest.mark.parametrize(
    "qde", [XXE, LAUGHS, XXE.decode().encode("utf-16")], ids=["xxe", "laughs", "utf16"]
)
def test_refi_security_refuses_entity_declarations(tmp_path: Path, qde: bytes):
    path = make_zip(tmp_path / "xml.qdpx", [("project.qde", qde)])
    with pytest.raises(InvalidImport, match="DOCTYPE with entity declarations is refused"):
        read_qdpx(path)


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ([("readme.txt", b"hi")], "no .qde project file at the root"),
        ([("sub/project.qde", MINIMAL_QDE)], "no .qde project file at the root"),
        (
            [("a.qde", MINIMAL_QDE), ("b.qde", MINIMAL_QDE)],
            r"several .qde project files .*a.qde, b.qde",
        ),
        ([("project.qde", b"<Project name='p'><Users>")], r"malformed XML.*\(line 1\)"),
        ([("project.qde", b"<CodeBook/>")], "expected a Project element, found CodeBook"),
        (
            [("project.qde", MINIMAL_QDE), ("PROJECT.QDE", MINIMAL_QDE)],
            "two members with the same name",
        ),
    ],
)
def test_refi_security_archive_structure_errors(tmp_path: Path, members, reason: str):
    with pytest.raises(InvalidImport, match=reason):
        read_qdpx(make_zip(tmp_path / "x.qdpx", members))


def test_refi_security_not_a_zip(tmp_path: Path):
    path = tmp_path / "fake.qdpx"
    path.write_bytes(MINIMAL_QDE)
    with pytest.raises(InvalidImport, match="not a readable zip archive"):
        read_qdpx(path)
    with pytest.raises(InvalidImport, match="cannot read the file"):
        read_qdpx(tmp_path / "missing.qdpx")
