"""Safe read access to an untrusted ``.qdpx`` zip: checked names, capped sizes, bounded reads.

Nothing is ever extracted to disk. Every member is checked when the archive is opened, and
the whole archive is refused (``InvalidImport`` with a named reason) if any member has an
absolute name or a ``..`` component, is a symbolic link or encrypted, if there are too many
members, if they expand past the size cap, or if one compresses suspiciously well (a zip bomb).
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote

from qualcode.errors import InvalidImport

_DRIVE = re.compile(r"^[A-Za-z]:")
_RATIO_FLOOR = 1024 * 1024  # small members may compress very well without being a threat


@dataclass(frozen=True)
class Limits:
    max_members: int = 10_000
    max_total_bytes: int = 2 * 1024**3
    max_ratio: int = 200


class ProjectArchive:
    """A ``.qdpx`` opened for reading; use as a context manager."""

    def __init__(self, path: str | Path, limits: Limits = Limits()) -> None:
        self.path = str(path)
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile) as err:
            raise InvalidImport(f"not a readable zip archive ({err})", path=self.path) from None
        except OSError as err:
            raise InvalidImport(f"cannot read the file: {err.strerror}", path=self.path) from None
        try:
            self._members = self._check(limits)
        except InvalidImport:
            self._zip.close()
            raise

    def __enter__(self) -> ProjectArchive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._zip.close()

    def _refuse(self, reason: str, member: str | None = None) -> InvalidImport:
        return InvalidImport(reason, path=self.path, location=member and f"member {member!r}")

    def _check(self, limits: Limits) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        if len(infos) > limits.max_members:
            raise self._refuse(
                f"too many members ({len(infos)}, the limit is {limits.max_members})"
            )
        members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename.replace("\\", "/")
            if name.startswith("/") or _DRIVE.match(name):
                raise self._refuse("absolute member name", info.filename)
            if ".." in name.split("/"):
                raise self._refuse("member name climbs out of the archive ('..')", info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise self._refuse("symbolic link member", info.filename)
            if info.flag_bits & 0x1:
                raise self._refuse("encrypted member", info.filename)
            if info.is_dir():
                continue
            total += info.file_size
            if total > limits.max_total_bytes:
                raise self._refuse(
                    f"members expand past the size limit ({limits.max_total_bytes} bytes)"
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _RATIO_FLOOR and ratio > limits.max_ratio:
                raise self._refuse(
                    f"compression ratio {ratio:.0f}:1 exceeds {limits.max_ratio}:1 (zip bomb?)",
                    info.filename,
                )
            key = name.lower()
            if key in members:
                raise self._refuse("two members with the same name", info.filename)
            members[key] = info
        return members

    def _read(self, info: zipfile.ZipInfo) -> bytes:
        try:
            with self._zip.open(info) as stream:
                data = stream.read(info.file_size + 1)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError) as err:
            raise self._refuse(f"cannot read member ({err})", info.filename) from None
        if len(data) != info.file_size:
            raise self._refuse("member size differs from its header", info.filename)
        return data

    def project_xml(self) -> tuple[str, bytes]:
        """The single ``.qde`` at the root of the archive, whatever its name."""
        found = [
            info for key, info in self._members.items() if "/" not in key and key.endswith(".qde")
        ]
        if not found:
            raise self._refuse("no .qde project file at the root of the archive")
        if len(found) > 1:
            names = ", ".join(sorted(info.filename for info in found))
            raise self._refuse(f"several .qde project files at the root ({names})")
        return found[0].filename, self._read(found[0])

    def internal(self, ref: str) -> bytes | None:
        """The bytes of a source file named ``internal://x``, ``x`` or ``sources/x``.

        Folder and file names are matched without regard to case (``Sources/``, upper-case
        GUIDs); ``None`` if there is no such member.
        """
        name = ref.strip().replace("\\", "/")
        name = re.sub(r"^internal://", "", name, flags=re.IGNORECASE).lstrip("/")
        name = re.sub(r"^sources/", "", name, flags=re.IGNORECASE)
        for candidate in (name, unquote(name)):
            for key in (f"sources/{candidate}".lower(), candidate.lower()):
                info = self._members.get(key)
                if info is not None:
                    return self._read(info)
        return None
