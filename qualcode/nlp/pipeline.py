"""The spaCy pipeline: sentence boundaries and lemmas, with nothing downloaded at run time.

By default ``spacy.blank(lang)`` plus a ``sentencizer`` and the lookup lemmatizer whose tables
come from the installed ``spacy-lookups-data`` package. A project may name an installed
pipeline package instead (its settings); it gets a sentencizer or lemmatizer only if it lacks
one.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from qualcode.errors import InvalidInput

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

_SENTENCE_PIPES = ("parser", "senter", "sentencizer")
_lock = threading.Lock()


def build_nlp(pipeline: str | None = None, lang: str = "en") -> Language:
    """The shared pipeline for ``pipeline`` (an installed package name) or a blank ``lang``:
    one object per pair however it is asked for, so units cut with it can carry their
    analysis to an engine using it (``TextUnit.doc``)."""
    return _build_nlp(pipeline or None, lang)


@lru_cache(maxsize=4)
def _build_nlp(pipeline: str | None, lang: str) -> Language:
    import spacy

    with _lock:
        if pipeline:
            try:
                nlp = spacy.load(pipeline)
            except OSError as exc:
                raise InvalidInput(f"the spaCy pipeline {pipeline!r} is not installed") from exc
        else:
            try:
                nlp = spacy.blank(lang)
            except ImportError as exc:
                raise InvalidInput(f"spaCy has no language {lang!r}") from exc
        if not any(name in nlp.pipe_names for name in _SENTENCE_PIPES):
            nlp.add_pipe("sentencizer")
        if "lemmatizer" not in nlp.pipe_names:
            lemmatizer: Any = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            try:
                lemmatizer.initialize()
            except (ValueError, OSError) as exc:
                raise InvalidInput(
                    f"no lookup lemmas for language {nlp.lang!r} (is spacy-lookups-data installed?)"
                ) from exc
        nlp.add_pipe(_register_lower_lemmas())
    return nlp


def _register_lower_lemmas() -> str:
    """Register (once) the component that makes every lemma lower case."""
    from spacy.language import Language

    name = "qualcode_lower_lemmas"
    if not Language.has_factory(name):
        Language.factory(name, func=_LowerLemmas)
    return name


class _LowerLemmas:
    """Lemmas in lower case, so "Barriers" matches the keyword "barrier"; the lookup table is
    keyed by lower-case words, so a capitalised word is looked up by its lower case."""

    def __init__(self, nlp: Language, name: str) -> None:
        lemmatizer = nlp.get_pipe("lemmatizer")
        lookups = getattr(lemmatizer, "lookups", None)
        self.table = (
            lookups.get_table("lemma_lookup")
            if lookups is not None and lookups.has_table("lemma_lookup")
            else None
        )

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            text = token.text
            found = token.lemma_ or text
            if self.table is not None and found == text and not text.islower():
                found = self.table.get(text.lower(), found)
            token.lemma_ = found.lower()
        return doc


def lemma_tokens(doc: Doc | Span) -> list[str]:
    """The doc's (or sentence's) lemmas (lower case), without spaces and punctuation (a ``?``
    is kept)."""
    return [
        t.lemma_ or t.lower_ for t in doc if not t.is_space and (not t.is_punct or t.text == "?")
    ]


def lemmatise(nlp: Language, texts: Sequence[str], batch_size: int = 256) -> list[str]:
    """Each text as its lemmas joined by single spaces."""
    return [" ".join(lemma_tokens(doc)) for doc in nlp.pipe(texts, batch_size=batch_size)]
