"""Paragraph labels derived from position: PP/OP counters, bis/ter for
insertions, lettered list items, fixed and per-section labels."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drafting.numbering import SUFFIXES, Slot, labels, letter, suffix


def pp(inserted: bool = False) -> Slot:
    return Slot(kind="preambular", section="Preamble", inserted=inserted)


def op(inserted: bool = False) -> Slot:
    return Slot(kind="operative", section="DECISIONS", inserted=inserted)


def item(section: str = "DECISIONS") -> Slot:
    return Slot(kind="list_item", section=section)


def other(kind: str, section: str) -> Slot:
    return Slot(kind=kind, section=section)


# --- counters and fixed labels ---------------------------------------------------
def test_preambular_and_operative_paragraphs_are_counted_separately() -> None:
    # Given a title block, two preambular and three operative paragraphs
    slots = [other("title", "Title block"), other("place_date", "Title block"), pp(), pp(), op(), op(), op()]
    # Then they are labelled by position
    assert labels(slots) == ["Title", "Place and date", "PP1", "PP2", "OP1", "OP2", "OP3"]


def test_counters_continue_across_interleaving() -> None:
    # A preambular paragraph after operative ones keeps the PP count going
    assert labels([pp(), op(), pp(), op()]) == ["PP1", "OP1", "PP2", "OP2"]


def test_fixed_labels_wherever_they_stand() -> None:
    assert labels([op(), other("title", "X"), op(), other("place_date", "X")]) == [
        "OP1",
        "Title",
        "OP2",
        "Place and date",
    ]


def test_empty_text_has_no_labels() -> None:
    assert labels([]) == []


# --- insertions ------------------------------------------------------------------
def test_inserted_paragraphs_take_bis_ter_after_the_preceding_number() -> None:
    # Given OP1..OP3, two paragraphs inserted after OP3, then the old OP4
    slots = [op(), op(), op(), op(inserted=True), op(inserted=True), op()]
    # Then the inserted ones are OP3 bis and OP3 ter, and OP4 keeps its number
    assert labels(slots) == ["OP1", "OP2", "OP3", "OP3 bis", "OP3 ter", "OP4"]


def test_insertions_after_different_paragraphs_count_separately() -> None:
    slots = [op(), op(inserted=True), op(), op(inserted=True), op(inserted=True), op(inserted=True)]
    assert labels(slots) == ["OP1", "OP1 bis", "OP2", "OP2 bis", "OP2 ter", "OP2 quater"]


def test_inserted_preambular_paragraph() -> None:
    assert labels([pp(), pp(), pp(inserted=True), op()]) == ["PP1", "PP2", "PP2 bis", "OP1"]


def test_the_latin_suffixes_in_order() -> None:
    slots = [op()] + [op(inserted=True)] * 9
    assert labels(slots)[1:] == [
        "OP1 bis",
        "OP1 ter",
        "OP1 quater",
        "OP1 quinquies",
        "OP1 sexies",
        "OP1 septies",
        "OP1 octies",
        "OP1 novies",
        "OP1 decies",
    ]
    assert [suffix(n) for n in range(1, 4)] == ["bis", "ter", "quater"]
    assert SUFFIXES[9:12] == ("undecies", "duodecies", "terdecies")


def test_insertions_beyond_decies_still_get_distinct_labels() -> None:
    out = labels([op()] + [op(inserted=True)] * 14)
    assert len(set(out)) == len(out)
    assert all(label.startswith("OP1 ") for label in out[1:])


def test_an_insertion_after_a_list_follows_the_numbered_paragraph() -> None:
    # Given OP5 with two lettered items, then an inserted paragraph with its own item
    slots = [op()] * 5 + [item(), item(), op(inserted=True), item(), op()]
    assert labels(slots)[4:] == ["OP5", "OP5 (a)", "OP5 (b)", "OP5 bis", "OP5 bis (a)", "OP6"]


# --- list items ------------------------------------------------------------------
def test_list_items_under_an_operative_paragraph_are_lettered() -> None:
    slots = [op()] * 5 + [item(), item(), item(), op(), item()]
    assert labels(slots)[4:] == ["OP5", "OP5 (a)", "OP5 (b)", "OP5 (c)", "OP6", "OP6 (a)"]


def test_list_items_under_a_preambular_paragraph_are_lettered() -> None:
    assert labels([pp(), item("Preamble"), item("Preamble")]) == ["PP1", "PP1 (a)", "PP1 (b)"]


def test_list_items_beyond_z_continue_with_aa() -> None:
    out = labels([op()] + [item()] * 28)
    assert out[26:] == ["OP1 (z)", "OP1 (aa)", "OP1 (ab)"]


def test_list_items_after_a_heading_are_counted_in_the_section() -> None:
    # Given an operative paragraph, then a heading and bullets under it in an annex
    slots = [op(), other("heading", "ANNEX"), item("ANNEX"), item("ANNEX")]
    # Then the heading breaks the lettering: the bullets are annex paragraphs
    assert labels(slots) == ["OP1", "ANNEX ¶1", "ANNEX ¶2", "ANNEX ¶3"]


# --- other kinds -----------------------------------------------------------------
def test_other_kinds_are_counted_per_section() -> None:
    slots = [
        other("text", "Preamble"),
        pp(),
        other("heading", "ANNEX A"),
        other("text", "ANNEX A"),
        other("table", "ANNEX A"),
        other("heading", "ANNEX B"),
        other("text", "Preamble"),
    ]
    assert labels(slots) == [
        "Preamble ¶1",
        "PP1",
        "ANNEX A ¶1",
        "ANNEX A ¶2",
        "ANNEX A ¶3",
        "ANNEX B ¶1",
        "Preamble ¶2",
    ]


# --- letter ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "a"), (1, "b"), (25, "z"), (26, "aa"), (27, "ab"), (51, "az"), (52, "ba"), (701, "zz"), (702, "aaa")],
)
def test_letter(n: int, expected: str) -> None:
    assert letter(n) == expected


def _from_letters(s: str) -> int:
    """Inverse of ``letter``: bijective base 26."""
    value = 0
    for ch in s:
        value = value * 26 + (ord(ch) - ord("a") + 1)
    return value - 1


@given(st.integers(min_value=0, max_value=200_000))
def test_letter_is_bijective_base_26(n: int) -> None:
    out = letter(n)
    assert out and set(out) <= set(string.ascii_lowercase)
    assert _from_letters(out) == n
    assert len(letter(n + 1)) >= len(out)


# --- properties ------------------------------------------------------------------
NUMBERED = st.sampled_from(["preambular", "operative"])
SLOT = st.one_of(
    st.builds(lambda k, ins: Slot(kind=k, section="S", inserted=ins), NUMBERED, st.booleans()),
    st.just(Slot(kind="list_item", section="S")),
)


@given(st.lists(NUMBERED, max_size=40))
def test_uninserted_paragraphs_are_numbered_one_by_one(kinds: list[str]) -> None:
    out = labels([Slot(kind=k, section="S") for k in kinds])
    assert [x for x in out if x.startswith("PP")] == [f"PP{i}" for i in range(1, kinds.count("preambular") + 1)]
    assert [x for x in out if x.startswith("OP")] == [f"OP{i}" for i in range(1, kinds.count("operative") + 1)]


@given(st.lists(SLOT, max_size=40))
def test_labels_are_unique_and_one_per_slot(slots: list[Slot]) -> None:
    out = labels(slots)
    assert len(out) == len(slots)
    assert len(set(out)) == len(out)


@given(st.lists(st.booleans(), min_size=1, max_size=30))
def test_inserted_paragraph_is_labelled_after_the_numbered_one_before_it(flags: list[bool]) -> None:
    # Given operative paragraphs, the first never inserted
    flags[0] = False
    out = labels([op(inserted=f) for f in flags])
    for i, inserted in enumerate(flags):
        if inserted:
            # Then its label starts with the last uninserted paragraph's label
            base = next(out[j] for j in range(i, -1, -1) if not flags[j])
            assert re.fullmatch(rf"{base} \S+", out[i])
        else:
            assert re.fullmatch(r"OP\d+", out[i])
