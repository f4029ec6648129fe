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
        return [text + "".join(f" {CONTEXT_PREFIX}{w}" for w in context.split())
                for text, context in zip(self.lemmas, self.contexts, strict=True)]


def _vectorizer(corpus: Sequence[str], min_df: int, **options: object) -> TfidfVectorizer:
    """A fitted TF-IDF vectorizer; rare n-grams are kept when the corpus is too small."""
    for df in dict.fromkeys((min_df, 1)):
        vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=df, dtype=np.float32,
                                     **options)  # type: ignore[arg-type]
        try:
            return vectorizer.fit(corpus)
        except ValueError:  # empty vocabulary
            continue
    return TfidfVectorizer(vocabulary=[EMPTY], token_pattern=r"\S+").fit([EMPTY])


class Featurizer:
    """Fitted on a project's passages and code descriptions; turns passages into rows."""

    def __init__(self) -> None:
        self.words: TfidfVectorizer | None = None
        self.chars: TfidfVectorizer | None = None

    def fit(self, passages: Passages) -> Featurizer:
        self.words = _vectorizer(passages.word_documents(), 1, ngram_range=(1, 2),
                                 token_pattern=r"\S+", lowercase=False)
        self.chars = _vectorizer(list(passages.lemmas), 2, analyzer="char_wb",
                                 ngram_range=(2, 5))
        return self

    def transform(self, passages: Passages) -> sparse.csr_matrix:
        if self.words is None or self.chars is None:
            raise RuntimeError("the featurizer is not fitted")
        words = self.words.transform(passages.word_documents())
        chars = self.chars.transform(list(passages.lemmas))
        return normalize(sparse.hstack([words, chars], format="csr"))

    @property
    def n_words(self) -> int:
        """How many leading columns are word features (the rest are character n-grams)."""
        return len(self.words.vocabulary_) if self.words is not None else 0

    def word_names(self) -> npt.NDArray[np.str_]:
        if self.words is None:
            return np.array([], dtype=np.str_)
        return np.asarray(self.words.get_feature_names_out(), dtype=np.str_)
