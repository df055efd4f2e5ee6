"""Text users send: normalised to NFC, refused (with the position) when a Word
document could not hold it, and emphasis spans carried onto the cleaned text."""

from __future__ import annotations

import itertools
import unicodedata
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from drafting.errors import InvalidInput
from drafting.textnorm import clean_emphasis, clean_text, merge_spans

BIG = 10_000

FORBIDDEN_C0 = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
FORBIDDEN_OTHER = ["\ud800", "\udbff", "\udc00", "\udfff", "\ufffe", "\uffff"]
FORBIDDEN = FORBIDDEN_C0 + FORBIDDEN_OTHER


def clean(value: Any, **kw: Any) -> str:
    return clean_text(value, field="text", max_chars=kw.pop("max_chars", BIG), **kw)


def xml_legal(ch: str) -> bool:
    """XML 1.0 Char production."""
    cp = ord(ch)
    return cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF


# --- clean_text: what is kept --------------------------------------------------------
@pytest.mark.parametrize(
    ("given_text", "expected"),
    [
        ("Declaración de San José", "Declaración de San José"),  # accents kept
        ("Declaracio\u0301n", "Declaración"),  # decomposed → NFC
        ("A\u030a", "\u00c5"),  # A + ring → Å
        ("10\u00a0000 migrants", "10\u00a0000 migrants"),  # NBSP kept inside
        ("Our planet 🌎, our ❤️ migrants 👩🏽‍🌾", "Our planet 🌎, our ❤️ migrants 👩🏽‍🌾"),  # emoji
        ("col1\tcol2", "col1\tcol2"),  # tab kept
        ("line 1\r\nline 2", "line 1\nline 2"),  # CRLF → LF
        ("line 1\rline 2", "line 1\nline 2"),  # lone CR → LF
        ("  padded \n ", "padded"),  # margins stripped
        ("\ufffd replacement char", "\ufffd replacement char"),  # U+FFFD is legal
        ("\U0001d400 math bold A", "\U0001d400 math bold A"),  # astral plane
        ("Ω ohm sign", "Ω ohm sign"),  # U+2126 → U+03A9 (canonical singleton)
    ],
)
def test_clean_text_keeps_what_a_negotiator_typed(given_text: str, expected: str) -> None:
    # Given user text, when cleaned, then it reads the same, in NFC
    assert clean(given_text) == expected
    assert unicodedata.is_normalized("NFC", clean(given_text))


def test_compatibility_characters_are_not_folded() -> None:
    # NFC, not NFKC: the ligature and superscript stay as typed
    assert clean("ﬁnal 2²") == "ﬁnal 2²"


# --- clean_text: what is refused -----------------------------------------------------
@pytest.mark.parametrize("ch", FORBIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_each_forbidden_code_point_is_refused_with_its_position(ch: str) -> None:
    # Given text with one character XML 1.0 forbids, at index 4
    text = f"abcd{ch}efg"
    # When cleaned, then it is refused naming the code point and the position
    with pytest.raises(InvalidInput) as info:
        clean(text)
    message = f"U+{ord(ch):04X} at position 4"
    assert message in info.value.message
    assert message in info.value.fields["text"][0]


@pytest.mark.parametrize("ch", ["\t", "\n", "\r", " ", "\x7f", "\x85", "\u2028", "\ud7ff", "\ue000", "\ufffd"])
def test_neighbours_of_forbidden_code_points_are_allowed(ch: str) -> None:
    assert clean(f"a{ch}b").startswith("a")


def test_newline_is_refused_on_single_line_fields() -> None:
    with pytest.raises(InvalidInput, match="U\\+000A at position 3"):
        clean("one\ntwo", multiline=False)
    with pytest.raises(InvalidInput, match="U\\+000A"):
        clean("one\r\ntwo", multiline=False)
    assert clean("one\ttwo", multiline=False) == "one\ttwo"


def test_blank_text_is_refused_unless_allowed() -> None:
    for blank in ("", "   ", "\n\t\r\n", "\u00a0"):
        with pytest.raises(InvalidInput, match="blank"):
            clean(blank)
        assert clean(blank, allow_empty=True) == ""


@pytest.mark.parametrize("value", [None, 12, b"bytes", ["a"]])
def test_non_text_is_refused(value: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        clean(value)
    assert info.value.fields == {"text": ["Must be a string."]}


def test_length_limit_counts_the_nfc_text() -> None:
    # Given 5 decomposed é (10 code points as sent, 5 after NFC)
    decomposed = "e\u0301" * 5
    # Then they fit in 5 characters
    assert clean(decomposed, max_chars=5) == "é" * 5
    # And 6 do not, the message giving the NFC length
    with pytest.raises(InvalidInput, match=r"At most 5 characters.*got 6"):
        clean("e\u0301" * 6, max_chars=5)


def test_length_limit_counts_after_stripping() -> None:
    assert clean("   12345   ", max_chars=5) == "12345"
    with pytest.raises(InvalidInput) as info:
        clean("123456", max_chars=5)
    assert "text" in info.value.fields


# --- clean_text: properties -------------------------------------------------------
ANY_CHAR = st.one_of(
    st.characters(),  # every category except surrogates
    st.integers(0xD800, 0xDFFF).map(chr),
    st.sampled_from(["\r", "\n", "\r\n", "\t", "\x00", "\x0b", "\ufffe", "\uffff", "\u00a0", "e\u0301", " "]),
)
ANY_TEXT = st.lists(ANY_CHAR, max_size=40).map("".join)
LEGAL_CHAR = st.characters(
    exclude_categories=("Cs",),
    exclude_characters=[c for c in FORBIDDEN if len(c) == 1],
)
LEGAL_TEXT = st.lists(st.one_of(LEGAL_CHAR, st.sampled_from(["e\u0301", "\r\n", "\u00a0", "🌎"])), max_size=40).map(
    "".join
)


@given(ANY_TEXT)
@settings(max_examples=400)
@example("a\ud800b")
@example("\x00")
@example("e\u0301\r\n")
def test_output_is_nfc_and_xml_legal_or_the_input_is_refused(text: str) -> None:
    prepared = text.replace("\r\n", "\n").replace("\r", "\n")
    has_forbidden = any(not xml_legal(c) for c in prepared)
    try:
        out = clean(text, allow_empty=True)
    except InvalidInput as exc:
        # Refused only for a forbidden character (and then always, naming it)
        assert has_forbidden
        first = next(c for c in prepared if not xml_legal(c))
        assert f"U+{ord(first):04X}" in exc.message
        return
    assert not has_forbidden
    assert unicodedata.is_normalized("NFC", out)
    assert all(xml_legal(c) for c in out)
    assert "\r" not in out
    assert out == out.strip()


@given(LEGAL_TEXT)
def test_cleaning_is_idempotent_and_never_refuses_legal_text(text: str) -> None:
    out = clean(text, allow_empty=True)
    assert clean(out, allow_empty=True) == out
    assert out == unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


@given(LEGAL_TEXT, st.integers(min_value=1, max_value=50))
def test_length_limit_is_exact_on_the_cleaned_text(text: str, limit: int) -> None:
    expected = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not expected:
        return
    if len(expected) <= limit:
        assert clean(text, max_chars=limit) == expected
    else:
        with pytest.raises(InvalidInput, match=f"got {len(expected)}"):
            clean(text, max_chars=limit)


# --- clean_emphasis ---------------------------------------------------------------
def emph(original: str, spans: Any) -> list[dict[str, Any]]:
    cleaned = clean(original)
    return list(clean_emphasis(spans, original=original, cleaned=cleaned, field="emphasis"))


def test_no_emphasis_is_an_empty_list() -> None:
    assert emph("text", None) == []
    assert emph("text", []) == []


def test_spans_on_clean_text_are_kept() -> None:
    spans = [{"start": 9, "end": 15, "style": "italic"}, {"start": 0, "end": 4, "style": "bold"}]
    assert emph("bold and italic", spans) == [
        {"start": 0, "end": 4, "style": "bold"},
        {"start": 9, "end": 15, "style": "italic"},
    ]


def test_spans_follow_nfc_composition() -> None:
    # Given "Café bold" sent decomposed: "bold" is at 6..10 as sent, 5..9 stored
    original = "Cafe\u0301 bold"
    spans = emph(original, [{"start": 6, "end": 10, "style": "bold"}])
    assert spans == [{"start": 5, "end": 9, "style": "bold"}]
    assert clean(original)[5:9] == "bold"
    # And a span over the decomposed letter covers the composed one
    spans = emph(original, [{"start": 3, "end": 5, "style": "italic"}])
    assert clean(original)[spans[0]["start"] : spans[0]["end"]] == "é"


def test_spans_follow_leading_whitespace_stripping() -> None:
    original = "   bold text  "
    assert emph(original, [{"start": 3, "end": 7, "style": "bold"}]) == [{"start": 0, "end": 4, "style": "bold"}]
    # A span that reaches into the stripped margins is clipped to the text
    assert emph(original, [{"start": 0, "end": 14, "style": "bold"}]) == [{"start": 0, "end": 9, "style": "bold"}]
    # A span only over stripped margins disappears
    assert emph(original, [{"start": 0, "end": 3, "style": "bold"}]) == []
    assert emph(original, [{"start": 12, "end": 14, "style": "bold"}]) == []


def test_spans_given_over_crlf_text_are_mapped() -> None:
    # Given "a\r\nbold more" as sent, with "bold" at 3..7 and "more" at 8..12
    original = "a\r\nbold more"
    assert (original[3:7], original[8:12]) == ("bold", "more")
    spans = emph(original, [{"start": 3, "end": 7, "style": "bold"}, {"start": 8, "end": 12, "style": "italic"}])
    # Then the stored spans cover the same words in "a\nbold more"
    cleaned = clean(original)
    assert [cleaned[s["start"] : s["end"]] for s in spans] == ["bold", "more"]


def test_position_of_a_forbidden_character_counts_the_text_as_sent() -> None:
    # Given a forbidden character at index 5 of the text as sent, after a CRLF
    text = "ab\r\nc\x01"
    assert text.index("\x01") == 5
    with pytest.raises(InvalidInput, match="U\\+0001 at position 5"):
        clean(text)


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        # overlapping spans of one style merge
        ([(0, 5, "bold"), (3, 8, "bold")], [(0, 8, "bold")]),
        # touching spans of one style merge
        ([(0, 3, "bold"), (3, 6, "bold")], [(0, 6, "bold")]),
        # a span inside another is absorbed
        ([(0, 10, "italic"), (2, 4, "italic")], [(0, 10, "italic")]),
        # different styles never merge
        ([(0, 5, "bold"), (3, 8, "italic")], [(0, 5, "bold"), (3, 8, "italic")]),
        # separate spans stay separate, sorted by start
        ([(7, 9, "bold"), (0, 2, "bold")], [(0, 2, "bold"), (7, 9, "bold")]),
        # duplicates collapse
        ([(1, 2, "bold"), (1, 2, "bold")], [(1, 2, "bold")]),
    ],
)
def test_overlapping_spans_are_merged(spans: list[tuple[int, int, str]], expected: list[tuple[int, int, str]]) -> None:
    raw = [{"start": s, "end": e, "style": st_} for s, e, st_ in spans]
    got = emph("0123456789", raw)
    assert [(s["start"], s["end"], s["style"]) for s in got] == expected


def test_merge_spans_does_not_mutate_its_input() -> None:
    spans = [{"start": 0, "end": 3, "style": "bold"}, {"start": 2, "end": 5, "style": "bold"}]
    merge_spans(spans)  # type: ignore[arg-type]
    assert spans[0] == {"start": 0, "end": 3, "style": "bold"}


@pytest.mark.parametrize(
    "span",
    [
        {"start": -1, "end": 2, "style": "bold"},
        {"start": 0, "end": 11, "style": "bold"},  # past the end of "0123456789"
        {"start": 3, "end": 3, "style": "bold"},  # empty
        {"start": 5, "end": 2, "style": "bold"},  # reversed
        {"start": 0, "end": 2, "style": "underline"},
        {"start": 0, "end": 2, "style": None},
        {"start": 0, "end": 2},
        {"start": "0", "end": 2, "style": "bold"},
        {"start": 0, "end": 2.0, "style": "bold"},
        {"start": None, "end": 2, "style": "bold"},
        {"start": True, "end": 2, "style": "bold"},
        [0, 2, "bold"],
        "bold",
    ],
)
def test_bad_spans_are_refused(span: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        emph("0123456789", [{"start": 0, "end": 1, "style": "bold"}, span])
    # The message names the field and the span's index
    assert "Span 1" in info.value.fields["emphasis"][0]


def test_a_boolean_end_is_refused() -> None:
    with pytest.raises(InvalidInput):
        emph("0123456789", [{"start": 0, "end": True, "style": "bold"}])


@pytest.mark.parametrize("raw", ["bold", {"start": 0, "end": 1, "style": "bold"}, 5])
def test_emphasis_that_is_not_a_list_is_refused(raw: Any) -> None:
    with pytest.raises(InvalidInput, match="must be a list"):
        emph("0123456789", raw)


# --- clean_emphasis: properties ---------------------------------------------------
SPAN = st.tuples(st.integers(0, 60), st.integers(0, 60), st.sampled_from(["bold", "italic"]))


@given(LEGAL_TEXT, st.lists(SPAN, max_size=6))
def test_mapped_spans_are_in_range_sorted_and_disjoint_per_style(text: str, raw: list[tuple[int, int, str]]) -> None:
    cleaned = clean(text, allow_empty=True)
    spans = [{"start": s, "end": e, "style": style} for s, e, style in raw if 0 <= s < e <= len(text)]
    out = clean_emphasis(spans, original=text, cleaned=cleaned, field="emphasis")
    for span in out:
        assert 0 <= span["start"] < span["end"] <= len(cleaned)
    assert [s["start"] for s in out] == sorted(s["start"] for s in out)
    for style in ("bold", "italic"):
        mine = [s for s in out if s["style"] == style]
        for a, b in itertools.pairwise(mine):
            assert a["end"] < b["start"]  # touching spans would have merged


WORD = st.sampled_from(["migración", "migracio\u0301n", "Café", "Cafe\u0301", "año", "an\u0303o", "RCM", "🌎"])


@given(
    st.lists(WORD, min_size=1, max_size=8),
    st.text(alphabet=" \t\n", max_size=3),
    st.sampled_from([" ", "\r\n", "\n", " \r\n"]),
    st.data(),
)
def test_a_span_over_whole_words_covers_the_same_words_after_cleaning(
    words: list[str], margin: str, sep: str, data: st.DataObject
) -> None:
    # Given words, some decomposed, separated by spaces or CRLFs, after a whitespace margin
    text = margin + sep.join(words)
    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i + 1, len(words)))
    start = len(margin) + len(sep.join(words[:i])) + (len(sep) if i else 0)
    end = len(margin) + len(sep.join(words[:j]))
    assert text[start:end] == sep.join(words[i:j])
    # When a span over words i..j (offsets as sent) is cleaned with the text
    cleaned = clean(text)
    [span] = clean_emphasis([{"start": start, "end": end, "style": "bold"}], original=text, cleaned=cleaned, field="e")
    # Then it covers the same words, now in NFC with LF line ends
    expected = unicodedata.normalize("NFC", sep.join(words[i:j]).replace("\r\n", "\n"))
    assert cleaned[span["start"] : span["end"]] == expected
