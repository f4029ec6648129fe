"""Fixtures for the NLP tests: blank spaCy, a hand-built codebook and coded passages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # nlp_samples.py

from nlp_samples import codebook, coded_examples  # noqa: E402

from qualcode.nlp import CodeInfo, Example  # noqa: E402


@pytest.fixture(scope="session")
def nlp():
    from qualcode.nlp.pipeline import build_nlp

    return build_nlp()


@pytest.fixture
def codes() -> list[CodeInfo]:
    return codebook()


@pytest.fixture
def examples() -> list[Example]:
    return coded_examples()
