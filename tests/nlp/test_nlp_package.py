"""``import qualcode.nlp`` is free: spaCy and scikit-learn load only when a model is used."""

from __future__ import annotations

import subprocess
import sys

from qualcode import nlp


def test_import_loads_neither_spacy_nor_sklearn():
    code = (
        "import sys, qualcode.nlp, qualcode.nlp.units; "
        "print(sorted(m for m in ('spacy', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_suggesters_registry_names_each_suggester():
    assert set(nlp.SUGGESTERS) == {"rules", "classifier", "similarity"}
    assert all(callable(factory) for factory in nlp.SUGGESTERS.values())


def test_code_description_joins_its_own_words(codes):
    text = codes[0].description()
    assert "Staff turnover" in text
    assert "vacancy" in text
    assert "loss of key people" in text
