"""How the library reads words, without Django: the embedded (SQLite)
search and the near-match check both go through here.

PostgreSQL does this itself (``to_tsvector('spanish', unaccent(text))``):
remove accents, split into words, lower-case, drop stop words, reduce each
word to its Snowball stem. This module does the same steps in the same order
with the same Snowball algorithms (``snowballstemmer``) and PostgreSQL's own
stop-word lists (``stopwords.py``), so a query finds the same statements on
both databases. What still differs is listed in ``drafting/library/README.md``.

Queries use PostgreSQL's ``websearch_to_tsquery`` syntax on both databases:
words (all must match), ``"a quoted phrase"``, ``or`` between alternatives,
``-word`` to exclude.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]

from drafting.library.stopwords import ENGLISH, SPANISH

LANGUAGES = ("es", "en")
_STOP = {"es": SPANISH, "en": ENGLISH}
_SNOWBALL = {"es": "spanish", "en": "english"}
_WORD = re.compile(r"\w+")
# A quoted phrase, or a run of anything else up to the next space or quote.
_QUERY_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


# Combining marks of the Basic Multilingual Plane (accents, tildes, cedillas …).
_MARKS = {cp: None for cp in range(0x10000) if unicodedata.combining(chr(cp))}


def fold(text: str) -> str:
    """Lower-case without accents: what ``unaccent`` then the parser do."""
    return unicodedata.normalize("NFKD", text).translate(_MARKS).lower()


@lru_cache(maxsize=8)
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(_SNOWBALL[language])


@lru_cache(maxsize=200_000)
def _stem(word: str, language: str) -> str:
    result: str = _stemmer(language).stemWord(word)
    return result


def stems(text: str, language: str) -> list[str]:
    """The words of ``text`` as the search index holds them, in order."""
    stop = _STOP[language]
    return [_stem(w, language) for w in _WORD.findall(fold(text)) if w not in stop]


def index_text(text: str, language: str) -> str:
    """What the SQLite FTS5 table stores for ``text``: its stems, spaced."""
    return " ".join(stems(text, language))


# --- queries -------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or the words of a quoted phrase
    negated: bool = False


@dataclass(frozen=True)
class Query:
    """A parsed query: alternatives (``or``) of terms that must all match."""

    alternatives: tuple[tuple[Term, ...], ...]

    @property
    def empty(self) -> bool:
        return not any(any(not t.negated for t in alt) for alt in self.alternatives)


def parse(query: str) -> Query:
    """``websearch_to_tsquery`` syntax: words, "phrases", ``or``, ``-word``."""
    alternatives: list[list[Term]] = [[]]
    for match in _QUERY_TOKEN.finditer(query):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            words = tuple(_WORD.findall(phrase))
            if words:
                alternatives[-1].append(Term(words))
            continue
        if word.lower() == "or" and alternatives[-1]:
            alternatives.append([])
            continue
        negated = word.startswith("-") and len(word) > 1
        words = tuple(_WORD.findall(word[1:] if negated else word))
        if words:
            alternatives[-1].append(Term(words, negated))
    return Query(tuple(tuple(alt) for alt in alternatives if alt))


def _fts_term(term: Term, language: str) -> str | None:
    stop = _STOP[language]
    kept = [_stem(w, language) for w in (fold(w) for w in term.words) if w not in stop]
    if not kept:
        return None
    # Stems are \w+ only, so quoting cannot be broken out of.
    return '"' + " ".join(kept) + '"'


def fts5_match(query: Query, column: str, language: str) -> str | None:
    """The FTS5 MATCH expression for ``query`` over one column (None when
    nothing searchable is left, e.g. only stop words)."""
    parts = []
    for alternative in query.alternatives:
        positive = [t for t in (_fts_term(t, language) for t in alternative if not t.negated) if t]
        negative = [t for t in (_fts_term(t, language) for t in alternative if t.negated) if t]
        if not positive:
            continue
        expression = " AND ".join(positive)
        if negative:
            expression = f"({expression}) NOT ({' OR '.join(negative)})"
        parts.append(f"({expression})")
    if not parts:
        return None
    return f"{column} : ({' OR '.join(parts)})"


# --- similarity ----------------------------------------------------------------
@lru_cache(maxsize=4096)
def _bag(text: str) -> frozenset[str]:
    # One stemmer whatever the language, and both languages' stop words out,
    # so that "de los" or "of the" never make two texts look alike.
    return frozenset(_stem(w, "en") for w in _WORD.findall(fold(text)) if w not in SPANISH and w not in ENGLISH)


def similarity(a: str, b: str) -> float:
    """How alike two texts are, 0–1: the Dice coefficient of their sets of
    (English-stemmed, stop-word-free) words. Punctuation, accents, case and
    word forms do not count; the same on both databases."""
    x, y = _bag(a), _bag(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def best_match(text: str, candidates: Iterable[tuple[int, str]]) -> list[tuple[int, float]]:
    """(id, similarity) for each candidate, best first (ties: lower id)."""
    scored = [(pk, similarity(text, other)) for pk, other in candidates]
    return sorted(scored, key=lambda item: (-item[1], item[0]))
