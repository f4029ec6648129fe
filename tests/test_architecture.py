"""Checks that keep the architecture and the docs honest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from qualcode.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def test_architecture_app_and_cli_start_without_heavy_libraries():
    code = (
        "import sys, qualcode.cli, webui; app = webui.create_app({'DATABASE_URL': "
        "'sqlite://', 'SKIP_SCHEMA_CHECK': True, 'SECRET_KEY': 'x'}); "
        "print(sorted(m for m in ('spacy', 'sklearn', 'thinc') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def _commands(group: click.Group, prefix: str = "qualcode") -> list[str]:
    out = []
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            out.extend(_commands(command, path))
        else:
            out.append(path)
    return out


def test_docs_readme_mentions_every_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in _commands(cli) if c not in readme]
    assert missing == [], f"README.md does not document: {missing}"


def test_docs_readme_mentions_every_config_key():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    keys = [
        "QUALCODE_DATABASE_URL",
        "QUALCODE_SECRET_KEY",
        "QUALCODE_SECRET_FILE",
        "QUALCODE_UPLOAD_MAX_BYTES",
        "QUALCODE_DATA_DIR",
        "QUALCODE_TEST_DATABASE_URL",
    ]
    assert [k for k in keys if k not in readme] == []
