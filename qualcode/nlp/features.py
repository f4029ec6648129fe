"""Text features shared by the classifier and the similarity suggester.

Two TF-IDF blocks, each L2-normalised, side by side (and the whole row normalised, so a dot
product is a cosine):

- words: lemma unigrams and bigrams of the passage, plus the lemmas of its context (the
  interviewer's question) as separate ``q_`` features;
- characters: ``char_wb`` 2-5-grams of the passage's lemmas, which carry spelling variants,
  compounds and typos that a handful of examples would otherwise miss.

Only the word block has readable names, used to explain a classifier's score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

CONTEXT_PREFIX = "q_"
EMPTY = "<empty>"  # the one feature of a vocabulary built from no text at all


@dataclass(frozen=True)
class Passages:
    """Passages as the features see them: lemmas of the text and of its context."""

    lemmas: Sequence[str]
    contexts: Sequence[str]

    def word_documents(self) -> list[str]:
        return [
            text + "".join(f" {CONTEXT_PREFIX}{w}" for w in context.split())
            for text, context in zip(self.lemmas, self.contexts, strict=True)
        ]


def _vectorizer(
    corpus: Sequence[str], min_df: int, **options: object
) -> tuple[TfidfVectorizer, sparse.csr_matrix]:
    """A TF-IDF vectorizer fitted on ``corpus`` and the corpus's rows; rare n-grams are kept
    when the corpus is too small to have common ones."""
    for df in dict.fromkeys((min_df, 1)):
        vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=df, dtype=np.float32, **options)
        try:
            return vectorizer, vectorizer.fit_transform(corpus)
        except ValueError:  # empty vocabulary
            continue
    vectorizer = TfidfVectorizer(vocabulary=[EMPTY], token_pattern=r"\S+", dtype=np.float32)
    vectorizer.fit([EMPTY])
    return vectorizer, sparse.csr_matrix((len(corpus), 1), dtype=np.float32)


def _normalize(x: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows scaled to unit length (so dot products are cosines); no rows, nothing to do."""
    return normalize(x) if x.shape[0] else sparse.csr_matrix(x)


class Featurizer:
    """Fitted on a project's passages and code descriptions; turns passages into rows."""

    def __init__(self) -> None:
        self.words: TfidfVectorizer | None = None
        self.chars: TfidfVectorizer | None = None
        self._passage_columns: npt.NDArray[np.intp] | None = None

    def fit_transform(self, passages: Passages) -> sparse.csr_matrix:
        """Fit on the passages and return their rows (each text is analysed once)."""
        self._passage_columns = None
        self.words, words = _vectorizer(
            passages.word_documents(), 1, ngram_range=(1, 2), token_pattern=r"\S+", lowercase=False
        )
        self.chars, chars = _vectorizer(
            list(passages.lemmas), 2, analyzer="char_wb", ngram_range=(2, 5)
        )
        return _normalize(sparse.hstack([words, chars], format="csr"))

    def fit(self, passages: Passages) -> Featurizer:
        self.fit_transform(passages)
        return self

    def transform(self, passages: Passages) -> sparse.csr_matrix:
        if self.words is None or self.chars is None:
            raise RuntimeError("the featurizer is not fitted")
        if not passages.lemmas:
            width = len(self.words.vocabulary_) + len(self.chars.vocabulary_)
            return sparse.csr_matrix((0, width), dtype=np.float32)
        words = self.words.transform(passages.word_documents())
        chars = self.chars.transform(list(passages.lemmas))
        return _normalize(sparse.hstack([words, chars], format="csr"))

    def passage_words(self, x: sparse.csr_matrix) -> sparse.csr_matrix:
        """The passage's own word features of rows made by :meth:`transform` (no character
        n-grams, no question), each row normalised again: what a coder would call alike."""
        if self._passage_columns is None:
            names = self.word_names()
            self._passage_columns = np.flatnonzero(~np.char.startswith(names, CONTEXT_PREFIX))
        return _normalize(x[:, self._passage_columns])

    @property
    def n_words(self) -> int:
        """How many leading columns are word features (the rest are character n-grams)."""
        return len(self.words.vocabulary_) if self.words is not None else 0

    def word_names(self) -> npt.NDArray[np.str_]:
        if self.words is None:
            return np.array([], dtype=np.str_)
        return np.asarray(self.words.get_feature_names_out(), dtype=np.str_)
