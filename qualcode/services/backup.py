"""Consistent copies of the database and restoring them.

SQLite uses the online backup API, so a copy taken while coders work is consistent. PostgreSQL
uses ``pg_dump``/``pg_restore`` (custom format), which take a consistent snapshot too.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from qualcode.errors import InvalidInput, QualcodeError


def backup(engine: Engine, target: Path) -> Path:
    if target.exists():
        raise InvalidInput(f"{target} already exists; choose a new file name")
    if engine.dialect.name == "sqlite":
        source = _sqlite_path(engine)
        try:
            with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
                src.backup(dst)
        except sqlite3.Error as exc:
            target.unlink(missing_ok=True)
            raise QualcodeError(f"cannot write the backup {target}: {exc}") from None
        return target
    _pg_tool("pg_dump", ["--format=custom", "--no-owner", f"--file={target}"], engine)
    return target


def restore(engine: Engine, source: Path) -> None:
    if not source.exists():
        raise InvalidInput(f"no backup file {source}")
    if engine.dialect.name == "sqlite":
        _check_sqlite_backup(source)
        engine.dispose()
        target = _sqlite_path(engine)
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return
    _pg_tool(
        "pg_restore",
        ["--clean", "--if-exists", "--no-owner", str(source)],
        engine,
        database_flag=True,
    )


def _sqlite_path(engine: Engine) -> Path:
    if not engine.url.database or engine.url.database == ":memory:":
        raise InvalidInput("backup needs a database file")
    return Path(engine.url.database)


def _check_sqlite_backup(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        raise InvalidInput(f"{path} is not a qualcode SQLite backup") from None
    if ok != "ok":
        raise InvalidInput(f"{path} is damaged: {ok}")


def _pg_tool(tool: str, args: list[str], engine: Engine, *, database_flag: bool = False) -> None:
    exe = shutil.which(tool)
    if exe is None:
        raise QualcodeError(f"{tool} is not installed; install the PostgreSQL client tools")
    url = make_url(engine.url.render_as_string(hide_password=False))
    conn = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432)]
    if url.username:
        conn += ["--username", url.username]
    conn += ["--dbname", url.database or ""] if database_flag else [url.database or ""]
    env = {"PGPASSWORD": url.password or "", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([exe, *args, *conn], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise QualcodeError(f"{tool} failed: {done.stderr.strip().splitlines()[-1:]}")
