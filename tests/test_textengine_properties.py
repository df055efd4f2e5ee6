"""Property tests of the text engine (hypothesis). No database, no Django settings needed."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from drafting.textengine import (
    DiffEngine,
    Edit,
    FastEngine,
    PythonEngine,
    RefitStatus,
    apply_edits,
    apply_patch,
    find_collisions,
    make_patch,
    refit,
    revision_diff,
    tokenize,
    word_diff,
)
from drafting.textengine.overlap import LazyBoundaries, token_boundaries

# TEXTENGINE_EXAMPLES=5000 for a longer hunt than CI's.
SETTINGS = settings(
    max_examples=int(os.environ.get("TEXTENGINE_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Words as negotiated texts have them: accents, combining marks that have no
# precomposed form (still NFC), emoji from the astral plane (with modifiers,
# ZWJ sequences, flags, keycaps), punctuation, markup-like text, other scripts.
WORDS = [
    "migración",
    "Pro-Témpore",
    "niñas",
    "safe",
    "orderly",
    "regular",
    "and",
    "the",
    "of",
    "RCM",
    "TS3",
    "*Statement",
    "relevant*",
    "q\u0303ueso",
    "n\u0331",
    "a\u0328\u0301",
    "👍🏽",
    "👨\u200d👩\u200d👧",
    "🇲🇽",
    "❤️",
    "1️⃣",
    "𝔐𝔦𝔤",
    "«",
    "»",
    "—",
    "(",
    ")",
    ",",
    ".",
    ";",
    "’",
    '"',
    "<b>",
    "&amp;",
    "İ",
    "日本語",
    "ﬁn",
    "Ⅻ",
]
SEPARATORS = [" ", " ", " ", "  ", "\u00a0", "\n", "\t", "", "\u202f", ", ", " — "]
ENGINES: list[DiffEngine] = [FastEngine(timeout=5.0), PythonEngine(timeout=5.0)]

WordEdit = tuple[int, int, list[str]]  # replace words[start:end] with these words
Case = tuple[list[str], WordEdit, WordEdit]  # base words, the proposal's edit, the chair's edit

texts = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=40).map(
    lambda pairs: "".join(w + s for w, s in pairs)
)
anything = st.text(st.characters(exclude_categories=["Cs"]), max_size=120)


def mutate(draw: st.DrawFn, a: str, keep: int = 6) -> str:
    """``a`` with some tokens kept (``keep`` in ``keep + 3``), dropped, replaced, or followed by an added word."""
    out: list[str] = []
    for token in tokenize(a):
        action = draw(st.sampled_from(["keep"] * keep + ["drop", "replace", "add"]))
        if action == "keep":
            out.append(token)
        elif action == "replace":
            out.append(draw(st.sampled_from(WORDS)))
        elif action == "add":
            out.extend([token, draw(st.sampled_from(SEPARATORS)), draw(st.sampled_from(WORDS))])
    if "".join(out) == a:  # always change something: add a word somewhere
        out.insert(draw(st.integers(0, len(out))), draw(st.sampled_from(WORDS)) + " ")
    return "".join(out)


@st.composite
def text_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """Two related texts: the second is the first with some words replaced, dropped or added (or unrelated)."""
    a = draw(texts)
    if draw(st.booleans()):
        return a, draw(st.one_of(texts, anything))
    return a, mutate(draw, a)


@st.composite
def refit_triples(draw: st.DrawFn) -> tuple[str, str, str]:
    """A base, a proposal and a new base, both changed from the base independently."""
    base = draw(texts)
    return base, mutate(draw, base, keep=30), mutate(draw, base, keep=30)


def check_edits(base: str, edits: Sequence[Edit]) -> None:
    pos = 0
    for edit in edits:
        assert pos <= edit.start <= edit.end <= len(base)
        pos = edit.end


@SETTINGS
@given(st.one_of(texts, anything))
def test_tokens_concatenate_back_to_the_text(text: str) -> None:
    tokens = tokenize(text)
    assert "".join(tokens) == text
    assert all(tokens)


@SETTINGS
@given(st.one_of(texts, anything))
def test_local_token_boundaries_match_the_full_tokenisation(text: str) -> None:
    lazy, full = LazyBoundaries(text), token_boundaries(text)
    assert [k for k in range(len(text) + 1) if k in lazy] == sorted(full)


@SETTINGS
@given(text_pairs(), st.booleans(), st.sampled_from(ENGINES))
def test_applying_the_word_diff_gives_the_new_text_exactly(
    pair: tuple[str, str], readable: bool, engine: DiffEngine
) -> None:
    a, b = pair
    diff = word_diff(a, b, engine=engine, readable=readable)
    check_edits(a, diff.edits)
    assert apply_edits(a, diff.edits) == b
    # unchanged + deleted = base; unchanged + inserted = new (interleaved in order)
    assert "".join(op.text for op in diff.ops if op.kind != "insert") == a
    assert "".join(op.text for op in diff.ops if op.kind != "delete") == b
    assert all(op.text for op in diff.ops)
    if not diff.whole_replacement:  # every run starts and ends on a token boundary of its text
        bounds_a = {sum(map(len, tokenize(a)[:i])) for i in range(len(tokenize(a)) + 1)}
        pos = 0
        for op in diff.ops:
            if op.kind != "insert":
                pos += len(op.text)
                assert pos in bounds_a


@SETTINGS
@given(text_pairs(), st.sampled_from(ENGINES))
def test_a_stored_patch_applied_to_its_base_gives_the_proposed_text(pair: tuple[str, str], engine: DiffEngine) -> None:
    a, b = pair
    # Round-tripped through its stored (patch_toText) form, as a proposal keeps it
    result = apply_patch(make_patch(a, b, engine=engine), a)
    assert result.text == b
    assert result.complete


@st.composite
def disjoint_refit(draw: st.DrawFn, *, distinct: bool) -> Case:
    """A base of word segments, a proposal edit and a chair edit on word ranges with at least one word between."""
    if distinct:
        n = draw(st.integers(3, 30))
        stems = draw(st.permutations(WORDS))
        words = [f"{stems[i % len(stems)]}{i}" for i in range(n)]
    else:
        words = draw(st.lists(st.sampled_from(["a", "a", "a", "b", "TS3", "👍🏽", ","]), min_size=3, max_size=12))
    n = len(words)
    cuts = sorted(draw(st.lists(st.integers(0, n), min_size=4, max_size=4)))
    i, j, k, m = cuts
    assume(k - j >= 1)  # a gap of at least one untouched word
    fresh = st.lists(st.sampled_from(["NEW", "Nuevo", "ünder", "🚀", "x"] if distinct else ["a", "b", "x"]), max_size=3)
    p_words = [f"{w}{n + 10 + t}" if distinct else w for t, w in enumerate(draw(fresh))]
    c_words = [f"{w}{n + 20 + t}" if distinct else w for t, w in enumerate(draw(fresh))]
    first, second = (i, j, p_words), (k, m, c_words)
    if draw(st.booleans()):
        first, second = second, first
    return words, first, second


def join(words: Sequence[str]) -> str:
    return "".join(w + " " for w in words)


def replaced(words: list[str], *edits: WordEdit) -> str:
    out = list(words)
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        out[start:end] = new
    return join(out)


@SETTINGS
@given(disjoint_refit(distinct=True))
def test_refit_over_a_disjoint_change_equals_applying_both(
    case: Case,
) -> None:
    words, proposal, chair = case
    base_old, proposed, base_new = join(words), replaced(words, proposal), replaced(words, chair)
    assume(base_old != base_new and proposed != base_new)
    result = refit(base_old, proposed, base_new)
    assert result.status is RefitStatus.CLEAN, result.reason
    assert result.text == replaced(words, proposal, chair)
    assert apply_edits(base_new, result.edits) == result.text


@SETTINGS
@given(disjoint_refit(distinct=False))
def test_refit_with_repeated_words_is_right_or_conflicted(
    case: Case,
) -> None:
    """Repeated words make the place of an edit ambiguous: a clean re-fit must still be the intended text."""
    words, proposal, chair = case
    base_old, proposed, base_new = join(words), replaced(words, proposal), replaced(words, chair)
    assume(base_old != base_new)
    result = refit(base_old, proposed, base_new)
    if result.status is RefitStatus.CLEAN:
        assert result.text == replaced(words, proposal, chair)
    elif result.status is RefitStatus.ALREADY_INCORPORATED:
        assert proposed == base_new
    else:
        assert result.status is RefitStatus.CONFLICTED
        assert result.text is None and not result.edits
        assert result.best_effort_text is not None


@SETTINGS
@given(refit_triples())
def test_refit_never_changes_text_outside_the_proposals_spans(triple: tuple[str, str, str]) -> None:
    base_old, proposed, base_new = triple
    result = refit(base_old, proposed, base_new)
    event(str(result.status))
    if result.status is not RefitStatus.CLEAN:
        assert result.text is None or result.status is not RefitStatus.CONFLICTED
        return
    assert result.text is not None
    # walk the re-fitted edits independently of the engine's own checks
    pos_new = pos_text = 0
    for edit in result.edits:
        gap = edit.start - pos_new
        assert result.text[pos_text : pos_text + gap] == base_new[pos_new : edit.start]
        pos_text += gap + len(edit.replacement)
        pos_new = edit.end
    assert result.text[pos_text:] == base_new[pos_new:]
    # the words each re-fitted edit replaces are the words the proposal replaced
    for old, new in zip(result.proposal_edits, result.edits, strict=True):
        assert base_new[new.start : new.end] == base_old[old.start : old.end]
        assert new.replacement == old.replacement


@st.composite
def overlapping_refit(draw: st.DrawFn) -> Case:
    """A proposal and a chair edit whose word ranges share at least one word, or insert at the same place."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=25))
    n = len(words)
    i = draw(st.integers(0, n - 1))
    j = draw(st.integers(i + 1, n))
    if draw(st.booleans()):  # share a word
        k = draw(st.integers(0, j - 1))
        m = draw(st.integers(max(k + 1, i + 1), n))
    else:  # both insert at one place
        i = j = k = m = draw(st.integers(0, n))
    p_words = draw(st.lists(st.sampled_from(["PROPUESTA", "🛑"]), min_size=1 if i == j else 0, max_size=3))
    c_words = draw(st.lists(st.sampled_from(["CHAIR", "⚖️"]), min_size=1 if k == m else 0, max_size=3))
    return words, (i, j, p_words), (k, m, c_words)


@SETTINGS
@given(overlapping_refit())
def test_overlapping_edits_are_always_conflicts(
    case: Case,
) -> None:
    words, proposal, chair = case
    base_old, proposed, base_new = join(words), replaced(words, proposal), replaced(words, chair)
    assume(proposed != base_new)  # both deleted the same words: "already_incorporated", tested elsewhere
    result = refit(base_old, proposed, base_new)
    assert result.status is RefitStatus.CONFLICTED, (base_old, proposed, base_new, result)
    assert result.text is None and result.edits == ()
    assert result.conflicts
    assert result.best_effort_text is not None


@SETTINGS
@given(overlapping_refit())
def test_overlapping_proposals_collide(
    case: Case,
) -> None:
    words, first, second = case
    base = join(words)
    assume(replaced(words, first) != replaced(words, second))
    collisions = find_collisions(base, [("p1", replaced(words, first)), ("p2", replaced(words, second))])
    assert [(c.first, c.second) for c in collisions] == [("p1", "p2")]


@SETTINGS
@given(disjoint_refit(distinct=True))
def test_disjoint_proposals_do_not_collide(
    case: Case,
) -> None:
    words, first, second = case
    base = join(words)
    assert find_collisions(base, [("p1", replaced(words, first)), ("p2", replaced(words, second))]) == []


@SETTINGS
@given(st.data())
def test_revision_diff_accounts_for_every_paragraph(data: st.DataObject) -> None:
    old_ids = data.draw(st.lists(st.integers(0, 60), unique=True, max_size=30))
    kept = [pid for pid in old_ids if data.draw(st.booleans()) or data.draw(st.booleans())]
    added = data.draw(st.lists(st.integers(100, 130), unique=True, max_size=5))
    new_ids = data.draw(st.permutations(kept + added)) if data.draw(st.booleans()) else kept + added
    old = [(pid, f"Paragraph {pid} text.") for pid in old_ids]
    edited = set(data.draw(st.lists(st.sampled_from(kept), max_size=5))) if kept else set()
    new = [(pid, f"Paragraph {pid}{' amended' if pid in edited else ''} text.") for pid in new_ids]
    result = revision_diff(old, new)
    by_status: dict[str, set[int]] = {}
    for change in result.changes:
        by_status.setdefault(change.status, set()).add(change.id)
    assert by_status.get("inserted", set()) == set(added)
    assert by_status.get("deleted", set()) == set(old_ids) - set(kept)
    assert by_status.get("changed", set()) | {c.id for c in result.by_status("moved") if c.text_changed} == edited
    assert [c.id for c in result.changes if c.status != "deleted"] == new_ids
    # the paragraphs not reported as moved kept their relative order, and as many as possible did
    stay = [c.id for c in result.changes if c.status in ("unchanged", "changed")]
    assert stay == [pid for pid in old_ids if pid in set(stay)]
    position = {pid: i for i, pid in enumerate(old_ids)}
    seq = [position[pid] for pid in new_ids if pid in position]
    best = [1] * len(seq)  # O(n^2) LIS, independent of the engine's
    for x in range(len(seq)):
        for y in range(x):
            if seq[y] < seq[x]:
                best[x] = max(best[x], best[y] + 1)
    assert len(stay) == (max(best) if best else 0)


@pytest.mark.parametrize("engine", ENGINES, ids=lambda e: e.name)
@SETTINGS
@given(pair=text_pairs())
def test_both_engines_satisfy_the_invariants(engine: DiffEngine, pair: tuple[str, str]) -> None:
    a, b = pair
    assert apply_edits(a, word_diff(a, b, engine=engine, readable=False).edits) == b
