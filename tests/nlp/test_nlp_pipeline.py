"""The spaCy pipeline: blank English, sentences, lower-case lookup lemmas, no downloads."""

from __future__ import annotations

import pytest

from qualcode.errors import InvalidInput
from qualcode.nlp.pipeline import build_nlp, lemmatise


def test_blank_pipeline_has_sentences_and_lemmas(nlp):
    assert {"sentencizer", "lemmatizer"} <= set(nlp.pipe_names)
    doc = nlp("The barriers were huge. Grants came late.")
    assert [s.text for s in doc.sents] == ["The barriers were huge.", "Grants came late."]


def test_lemmas_are_lower_case_even_for_capitalised_words(nlp):
    assert lemmatise(nlp, ["The Barriers WERE huge", "Pump-priming grants?"]) == [
        "the barrier be huge",
        "pump prime grant ?",
    ]


def test_pipeline_is_built_once():
    assert build_nlp() is build_nlp()
    assert build_nlp(None) is build_nlp() is build_nlp("", "en")  # however it is asked for


def test_an_unknown_pipeline_package_is_a_user_error():
    with pytest.raises(InvalidInput, match="not installed"):
        build_nlp("qualcode_no_such_pipeline")
