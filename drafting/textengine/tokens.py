"""Word tokenisation and the words-to-characters encoding used for word diffs.

A text is cut into *tokens*: words (letters, digits and the combining marks
that belong to them), runs of whitespace (NBSP included) and single
punctuation or symbol characters together with whatever extends them
(combining marks, variation selectors, emoji modifiers, zero-width-joiner
sequences, regional-indicator pairs). Nothing is trimmed or attached, so
``"".join(tokenize(text)) == text`` always holds.

For diffing, each distinct token is mapped to one code point (the
diff-match-patch "lines to chars" trick, applied to words). The encoded
strings consist *only* of those code points, so a code point that also occurs
in the text can never be confused with an encoded token; the alphabet starts
in the supplementary private-use planes and never contains a surrogate, a
noncharacter or a control character.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = ["MAX_DISTINCT_TOKENS", "TokenTable", "common_affixes", "encode_tokens", "tokenize"]


def _mark_class() -> str:
    """A regex character-class body with every combining mark (Mn, Mc, Me)."""
    ranges: list[tuple[int, int]] = []
    for cp in (*range(0x300, 0x20000), *range(0xE0000, 0xE01F0)):
        if unicodedata.category(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


_MARKS = _mark_class()
# Characters that extend the preceding symbol: marks, ZWJ/ZWNJ, variation
# selectors (also Mn), emoji skin-tone modifiers and tag characters.
_EXT = f"[{_MARKS}\u200c\u200d\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]"
_TOKEN_RE = re.compile(
    rf"(?:\w|[{_MARKS}\u200c\u200d])+"  # a word, with its combining marks and joiners
    r"|\s+"  # a whitespace run (NBSP, thin spaces, newlines ...)
    r"|[\U0001f1e6-\U0001f1ff]{2}"  # a flag: two regional indicators
    rf"|[^\w\s](?:\u200d[^\w\s]|{_EXT})*",  # punctuation or a symbol/emoji and its extenders
)


def tokenize(text: str) -> list[str]:
    """Cut ``text`` into word, whitespace and punctuation tokens; they concatenate back to ``text``."""
    return _TOKEN_RE.findall(text)


# The alphabet for encoded tokens, in order of use. Planes 15 and 16 are
# private use; then the BMP private-use area; then ordinary code points, which
# are safe because an encoded string holds nothing but alphabet characters.
_ALPHABET_RANGES: tuple[tuple[int, int], ...] = (
    (0xF0000, 0xFFFFD),
    (0x100000, 0x10FFFD),
    (0xE000, 0xF8FF),
    (0x0100, 0xD7FF),
    (0x10000, 0xEFFFD),
)


def _alphabet_size() -> int:
    return sum(b - a + 1 for a, b in _ALPHABET_RANGES)


MAX_DISTINCT_TOKENS = _alphabet_size()
"""How many distinct tokens two texts may hold together before word diffs fall back to characters."""


def _code_point(index: int) -> str:
    if index <= 0xFFFFD - 0xF0000 and _ALPHABET_RANGES[0] == (0xF0000, 0xFFFFD):
        return chr(0xF0000 + index)
    for a, b in _ALPHABET_RANGES:
        size = b - a + 1
        if index < size:
            return chr(a + index)
        index -= size
    raise OverflowError("too many distinct tokens")


class TokenTable:
    """Maps distinct tokens to single code points and back, for a group of texts diffed together."""

    __slots__ = ("_codes", "tokens")

    def __init__(self) -> None:
        self._codes: dict[str, str] = {}
        self.tokens: list[str] = []

    def encode(self, tokens: Sequence[str]) -> str:
        """Encode ``tokens`` as a string with one code point per token.

        Raises :class:`OverflowError` past :data:`MAX_DISTINCT_TOKENS` distinct tokens.
        """
        codes = self._codes
        out: list[str] = []
        append = out.append
        for token in tokens:
            code = codes.get(token)
            if code is None:
                code = _code_point(len(self.tokens))
                codes[token] = code
                self.tokens.append(token)
            append(code)
        return "".join(out)


def encode_tokens(a: str, b: str) -> tuple[tuple[str, ...], tuple[str, ...], str, str]:
    """Tokenise ``a`` and ``b`` and encode both with one shared table.

    Returns ``(tokens_a, tokens_b, encoded_a, encoded_b)``; ``encoded_x[i]``
    stands for ``tokens_x[i]``.
    """
    tokens_a = tuple(_TOKEN_RE.findall(a))
    tokens_b = tuple(_TOKEN_RE.findall(b))
    table = TokenTable()
    return tokens_a, tokens_b, table.encode(tokens_a), table.encode(tokens_b)


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    lo, hi = 0, n - 1  # binary search on slice equality: few comparisons, all in C
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def common_affixes(a: str, b: str) -> tuple[int, int]:
    """Lengths of a common prefix and a common (non-overlapping) suffix of ``a`` and ``b`` cut at token boundaries.

    A cut is placed where whitespace follows non-whitespace: no token spans
    such a place and tokens are found left to right, so tokenising the middle
    alone gives the same tokens as tokenising the whole text.
    """
    prefix = _common_prefix(a, b)
    k = prefix - 1
    while k > 0 and not (a[k].isspace() and not a[k - 1].isspace()):
        k -= 1
    prefix = max(k, 0)
    rest_a, rest_b = a[prefix:], b[prefix:]
    suffix = _common_prefix(rest_a[::-1], rest_b[::-1])
    k = len(a) - suffix + 1  # a[k - 1] and a[k] must both lie in the common suffix
    while k < len(a) and not (a[k - 1].isspace() and not a[k].isspace()):
        k += 1
    return prefix, (len(a) - k if k < len(a) else 0)
