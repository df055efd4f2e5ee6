"""Example tests of the text engine on real RCM paragraphs (tests/data/rcm_paragraphs.json).

The engine needs neither Django nor a database; these are plain functions.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import drafting.textengine.refitting as refit_module
import drafting.textengine.tokens as tokens_module
from drafting.textengine import (
    DEFAULT_TIMEOUT,
    DiffEngine,
    Edit,
    FastEngine,
    PythonEngine,
    RawDiff,
    RefitStatus,
    apply_edits,
    apply_patch,
    default_engine,
    find_collisions,
    make_patch,
    redline,
    redline_html,
    refit,
    refit_all,
    revision_diff,
    tokenize,
    word_diff,
)
from drafting.textengine.engines import python_dmp

DATA = Path(__file__).resolve().parent / "data" / "rcm_paragraphs.json"
ROOT = Path(__file__).resolve().parent.parent


@cache
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return loaded


def statement(line: int) -> str:
    """A statement of the 004 compilation, by its line in the seed file."""
    for item in data()["compilation_004"]["statements"]:
        if item["line"] == line:
            text: str = item["text"]
            return text
    raise KeyError(line)


def declaration_2021() -> list[str]:
    paragraphs: list[str] = data()["declaration_2021"]["paragraphs"]
    return paragraphs


def words_of(edits: tuple[Edit, ...], base: str) -> list[tuple[str, str]]:
    return [(base[e.start : e.end], e.replacement) for e in edits]


# --- no Django ------------------------------------------------------------------------------------


def test_the_engine_imports_and_runs_without_django() -> None:
    code = (
        "import sys\n"
        "from drafting.textengine import refit, revision_diff, word_diff\n"
        "assert word_diff('a b', 'a c').edits\n"
        "assert refit('a b c', 'a B c', 'a b C').status == 'clean'\n"
        "assert not [m for m in sys.modules if m == 'django' or m.startswith(('django.', 'rest_framework'))]\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)


# --- tokens and engines ---------------------------------------------------------------------------


def test_tokens_are_words_whitespace_and_punctuation_kept_exact() -> None:
    text = "Pro-Témpore, q\u0303ueso\u00a0«niñas» 👨\u200d👩\u200d👧 🇲🇽 1️⃣ 👍🏽!"
    tokens = tokenize(text)
    assert "".join(tokens) == text
    assert tokens[:4] == ["Pro", "-", "Témpore", ","]
    for whole in ("q\u0303ueso", "\u00a0", "«", "👨\u200d👩\u200d👧", "🇲🇽", "1️⃣", "👍🏽"):
        assert whole in tokens


def test_every_engine_has_a_finite_time_limit() -> None:
    for engine in (FastEngine(), PythonEngine(), default_engine()):
        assert math.isfinite(engine.timeout) and engine.timeout > 0
    assert default_engine().timeout == DEFAULT_TIMEOUT
    assert python_dmp().Diff_Timeout == DEFAULT_TIMEOUT
    for bad in (0, -1, math.inf, math.nan):
        with pytest.raises(ValueError):
            FastEngine(timeout=bad)
        with pytest.raises(ValueError):
            PythonEngine(timeout=bad)


def test_the_fast_engine_always_passes_its_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, Any]] = []
    fast_module = importlib.import_module("fast_diff_match_patch")
    real = fast_module.diff

    def spy(a: str, b: str, **kwargs: Any) -> Any:
        seen.append(kwargs)
        return real(a, b, **kwargs)

    monkeypatch.setattr(fast_module, "diff", spy)
    word_diff("safe, orderly and regular migration", "safe and regular migration", engine=FastEngine(timeout=0.25))
    assert seen == [{"timelimit": 0.25, "checklines": False, "cleanup": "Semantic", "counts_only": True}]


def test_engines_agree_on_real_paragraphs() -> None:
    old, new = declaration_2021()[1], declaration_2021()[1].replace("shared responsibility", "common responsibility")
    fast = word_diff(old, new, engine=FastEngine())
    slow = word_diff(old, new, engine=PythonEngine())
    assert fast.edits == slow.edits
    assert words_of(fast.edits, old) == [("shared", "common")]


def test_any_diff_engine_can_be_plugged_in() -> None:
    class Counting:
        name = "counting"
        timeout = 1.0

        def __init__(self) -> None:
            self.calls = 0
            self.inner = PythonEngine(timeout=1.0)

        def diff(self, a: str, b: str) -> RawDiff:
            self.calls += 1
            return self.inner.diff(a, b)

    engine = Counting()
    assert isinstance(engine, DiffEngine)
    assert word_diff("a b c", "a x c", engine=engine).edits == (Edit(2, 3, "x"),)
    assert engine.calls == 1


def test_text_already_holding_private_use_characters_diffs_exactly() -> None:
    base = "A \U000f0000 B \ue000 C \U00100000 D"
    new = "A \U000f0001 B \ue000 C D \U000f0000"
    diff = word_diff(base, new)
    assert apply_edits(base, diff.edits) == new


def test_more_distinct_tokens_than_code_points_falls_back_to_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens_module, "_ALPHABET_RANGES", ((0xF0000, 0xF0004),))
    base, new = "one two three four", "one 2 three four five"
    diff = word_diff(base, new)
    assert apply_edits(base, diff.edits) == new


# --- word diffs -----------------------------------------------------------------------------------


def test_word_diff_reads_as_word_replacements() -> None:
    base, new = "safe, orderly and regular migration", "safe, regular and orderly migration"
    diff = word_diff(base, new)
    assert words_of(diff.edits, base) == [("orderly", "regular"), ("regular", "orderly")]
    assert [(op.kind, op.text) for op in diff.ops] == [
        ("equal", "safe, "),
        ("delete", "orderly"),
        ("insert", "regular"),
        ("equal", " and "),
        ("delete", "regular"),
        ("insert", "orderly"),
        ("equal", " migration"),
    ]
    assert redline_html(diff) == (
        "safe, <del>orderly</del><ins>regular</ins> and <del>regular</del><ins>orderly</ins> migration"
    )


def test_word_diff_of_an_accented_word_replaces_the_word_not_the_accent() -> None:
    base = "Presidency Pro-Témpore of El Salvador"
    diff = word_diff(base, "Presidency Pro-Tempore of El Salvador")
    assert words_of(diff.edits, base) == [("Témpore", "Tempore")]
    nbsp = word_diff("Article\u00a07", "Article 7")
    assert words_of(nbsp.edits, "Article\u00a07") == [("\u00a0", " ")]
    emoji = word_diff("we 👍🏽 this", "we 👍🏿 this")
    assert words_of(emoji.edits, "we 👍🏽 this") == [("👍🏽", "👍🏿")]


def test_edits_are_anchored_on_the_base_and_hold_the_invariants() -> None:
    base = declaration_2021()[3]
    new = base.replace("women and girls", "women, girls and boys").replace("only through", "through") + " Adopted."
    diff = word_diff(base, new)
    assert apply_edits(base, diff.edits) == new
    assert "".join(op.text for op in diff.ops if op.kind != "insert") == base
    assert "".join(op.text for op in diff.ops if op.kind != "delete") == new
    assert diff.edits[-1] == Edit(len(base), len(base), " Adopted.")
    assert all(e.end <= f.start for e, f in zip(diff.edits, diff.edits[1:], strict=False))


def test_apply_edits_refuses_overlapping_or_outside_edits() -> None:
    with pytest.raises(ValueError):
        apply_edits("abcdef", [Edit(0, 3, "x"), Edit(2, 4, "y")])
    with pytest.raises(ValueError):
        apply_edits("abc", [Edit(2, 5, "x")])
    with pytest.raises(ValueError):
        Edit(3, 2, "x")
    assert apply_edits("abc", [Edit(1, 1, "X"), Edit(1, 2, "Y")]) == "aXYc"


def test_a_rewritten_paragraph_is_reported_as_one_replacement() -> None:
    base = declaration_2021()[2]
    new = (
        "The RCM notes with concern the irregular movements of migrants, now facing higher risks in the present "
        "context marked by the pandemic, and the danger of falling victim to organized crime along the route."
    )
    fragmented = word_diff(base, new, readable=False)
    assert len(fragmented.edits) > 3
    readable = word_diff(base, new)
    assert readable.whole_replacement
    assert readable.edits == (Edit(0, len(base), new),)
    assert redline_html(readable).startswith("<del>The RCM expresses") and redline_html(readable).endswith(
        "route.</ins>"
    )
    small = word_diff(base, base.replace("heightened", "increased"))
    assert not small.whole_replacement and len(small.edits) == 1


def test_redline_escapes_html() -> None:
    html = redline("Use <b> & keep it", "Use <i> & keep 'it'")
    assert html == "Use &lt;<del>b</del><ins>i</ins>&gt; &amp; keep <del>it</del><ins>'it'</ins>"


# --- revision diff --------------------------------------------------------------------------------


def test_revision_diff_by_paragraph_identity() -> None:
    paragraphs = declaration_2021()
    old = [(f"PP{i}", text) for i, text in enumerate(paragraphs)]
    new = [
        ("PP3", paragraphs[3]),  # moved to the top
        ("PP0", paragraphs[0]),
        ("PP1", paragraphs[1].replace("reaffirms", "strongly reaffirms")),
        ("PP1bis", "The RCM welcomes the participation of observers."),
        ("PP4", paragraphs[4]),
        # PP2 deleted
    ]
    result = revision_diff(old, new)
    summary = [(c.id, c.status) for c in result.changes]
    assert summary == [
        ("PP3", "moved"),
        ("PP0", "unchanged"),
        ("PP1", "changed"),
        ("PP2", "deleted"),
        ("PP1bis", "inserted"),
        ("PP4", "unchanged"),
    ]
    changed = result.by_status("changed")[0]
    assert changed.diff is not None
    assert words_of(changed.diff.edits, paragraphs[1]) == [("", "strongly ")]
    assert result.counts() == {"unchanged": 2, "changed": 1, "inserted": 1, "deleted": 1, "moved": 1}


def test_moving_one_paragraph_marks_only_that_paragraph() -> None:
    old = [(i, f"Paragraph {i}.") for i in range(20)]
    new = old[:3] + old[4:15] + [old[3]] + old[15:]
    result = revision_diff(old, new)
    assert [c.id for c in result.by_status("moved")] == [3]
    reversed_ = revision_diff(old, old[::-1])
    assert len(reversed_.by_status("moved")) == 19


def test_a_moved_paragraph_may_also_change() -> None:
    old = [(1, "First."), (2, "Second paragraph."), (3, "Third."), (4, "Fourth.")]
    new = [(1, "First."), (3, "Third."), (4, "Fourth."), (2, "Second amended paragraph.")]
    moved = revision_diff(old, new).by_status("moved")
    assert len(moved) == 1 and moved[0].text_changed
    assert moved[0].diff is not None and moved[0].diff.inserted_text().strip() == "amended"


def test_revision_diff_only_word_diffs_changed_paragraphs() -> None:
    class Counting:
        name = "counting"
        timeout = 1.0
        calls = 0

        def diff(self, a: str, b: str) -> RawDiff:
            Counting.calls += 1
            return FastEngine(timeout=1.0).diff(a, b)

    statements = data()["compilation_004"]["statements"][:100]
    old = [(s["line"], s["text"]) for s in statements]
    new = [(pid, text + " Agreed." if pid % 10 == 0 else text) for pid, text in old]
    result = revision_diff(old, new, engine=Counting())
    assert Counting.calls == len(result.by_status("changed")) == sum(1 for pid, _ in old if pid % 10 == 0)


def test_revision_diff_refuses_duplicate_ids() -> None:
    with pytest.raises(ValueError, match="twice"):
        revision_diff([(1, "a"), (1, "b")], [])


# --- patches --------------------------------------------------------------------------------------


def test_a_proposal_is_stored_as_patch_text_that_applies_back() -> None:
    base = declaration_2021()[1]
    proposed = base.replace("safe, orderly, and regular", "safe, orderly, regular and humane")
    patch = make_patch(base, proposed)
    assert patch.startswith("@@ -") and isinstance(patch, str)
    result = apply_patch(patch, base)
    assert result.complete and result.text == proposed
    assert make_patch(base, base) == ""
    emoji = "Niñas 👧🏽 y niños\u00a0👦🏻 «migrantes»"
    assert apply_patch(make_patch(emoji, emoji.replace("👦🏻", "👦🏿")), emoji).text == emoji.replace("👦🏻", "👦🏿")


# --- re-fitting -----------------------------------------------------------------------------------

BASE = declaration_2021()[1]  # "The RCM reaffirms the importance of shared responsibility ..."


def test_refit_when_the_base_did_not_change() -> None:
    proposed = BASE.replace("shared", "common")
    result = refit(BASE, proposed, BASE)
    assert result.status is RefitStatus.UNCHANGED and result.status.value == "unchanged"
    assert result.text == proposed and not result.needs_review


def test_refit_when_the_new_base_already_reads_as_the_proposal() -> None:
    proposed = BASE.replace("shared", "common")
    result = refit(BASE, proposed, proposed)
    assert result.status is RefitStatus.ALREADY_INCORPORATED
    assert result.text == proposed and result.edits == ()


def test_clean_refit_reexpresses_the_proposal_on_the_new_base() -> None:
    proposed = BASE.replace("discourage irregular migration", "discourage irregular migration and smuggling")
    base_new = BASE.replace("The RCM reaffirms", "The RCM firmly reaffirms").replace("foster", "promote")
    result = refit(BASE, proposed, base_new)
    assert result.status is RefitStatus.CLEAN, result.reason
    assert result.text == base_new.replace("irregular migration.", "irregular migration and smuggling.")
    assert result.edits == (Edit(len(base_new) - 1, len(base_new) - 1, " and smuggling"),)
    assert apply_edits(base_new, result.edits) == result.text


def test_refit_conflicts_when_both_change_the_same_words() -> None:
    proposed = BASE.replace("shared responsibility", "common but differentiated responsibility")
    base_new = BASE.replace("shared responsibility", "joint responsibility")
    result = refit(BASE, proposed, base_new)
    assert result.status is RefitStatus.CONFLICTED and result.needs_review
    assert result.text is None and result.edits == ()
    (conflict,) = result.conflicts
    assert conflict.kind == "overlap"
    assert "shared" in conflict.old_text
    assert conflict.new_text == "joint"
    assert base_new[conflict.new_start : conflict.new_end] == "joint"
    assert result.best_effort_text is not None


def test_insertions_at_one_place_or_at_a_boundary_conflict() -> None:
    base = "The RCM reaffirms its commitment."
    at_same_place = refit(base, "The RCM strongly reaffirms its commitment.", "The RCM again reaffirms its commitment.")
    assert at_same_place.status is RefitStatus.CONFLICTED
    assert at_same_place.conflicts[0].kind == "overlap"
    at_boundary = refit(base, "The RCM reaffirms its full commitment.", "The RCM reaffirms its commitments.")
    assert at_boundary.status is RefitStatus.CONFLICTED
    assert at_boundary.conflicts[0].kind == "touch"


def test_edits_that_touch_are_a_conflict_never_merged() -> None:
    # "Non-overlapping" is deliberately narrow: edits with nothing unchanged between them, not even a space,
    # are a conflict, though both could be applied
    base = "Promote safe orderly regular migration."
    # Given a proposal deleting "safe " up to "orderly", which the new text rewords
    deletion = refit(base, "Promote orderly regular migration.", "Promote safe ordered regular migration.")
    # Or one replacing "safe" where the new text adds a comma right after it
    replacement = refit(base, base.replace("safe", "secure"), base.replace("safe orderly", "safe, orderly"))
    # Then each is conflicted, with the edits that touch, and no re-fitted text
    for result in (deletion, replacement):
        assert result.status is RefitStatus.CONFLICTED, result
        assert [c.kind for c in result.conflicts] == ["touch"]
        assert result.text is None and result.edits == ()
    # But one untouched space between the two edits is enough for them to merge
    merged = refit(base, base.replace("safe", "secure"), base.replace("orderly", "ordered"))
    assert merged.status is RefitStatus.CLEAN
    assert merged.text == "Promote secure ordered regular migration."


def test_a_deletion_proposal_behaves_sensibly() -> None:
    assert refit(BASE, "", BASE).status is RefitStatus.UNCHANGED
    base_new = BASE.replace("shared", "common")
    result = refit(BASE, "", base_new)
    assert result.status is RefitStatus.CONFLICTED
    assert "deletes the paragraph" in result.reason
    assert result.best_effort_text == "" and result.best_effort_complete
    assert refit(BASE, "", "").status is RefitStatus.ALREADY_INCORPORATED


def test_a_whole_paragraph_replacement_behaves_sensibly() -> None:
    proposed = "The RCM calls for regional cooperation on migration governance."
    base_new = BASE.replace("shared", "common")
    result = refit(BASE, proposed, base_new)
    assert result.status is RefitStatus.CONFLICTED
    assert "rewrites the paragraph" in result.reason
    assert result.best_effort_text == proposed


def test_a_proposal_that_changes_nothing_follows_the_new_base() -> None:
    base_new = BASE.replace("shared", "common")
    result = refit(BASE, BASE, base_new)
    assert result.status is RefitStatus.CLEAN and result.text == base_new and result.edits == ()


def test_refit_verifies_before_it_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    def misplaced(proposal: Any, chair: Any) -> tuple[Edit, ...]:
        return tuple(e.shifted(1) for e in proposal)

    monkeypatch.setattr(refit_module, "_shift", misplaced)
    proposed = BASE.replace("discourage irregular migration", "discourage irregular migration and smuggling")
    result = refit(BASE, proposed, BASE.replace("The RCM reaffirms", "The RCM firmly reaffirms"))
    assert result.status is RefitStatus.CONFLICTED
    assert result.reason.startswith("verification failed")
    assert result.text is None


def repeated_phrases_paragraph() -> str:
    """Three statements of the 004 compilation, two ending in the same cross-reference."""
    return " ".join([statement(124), statement(125), statement(126)])


def test_compilation_trap_fuzzy_patch_misplaces_and_refit_does_not() -> None:
    """'*Statement also relevant for TS3*' closes two of these statements. A delegation proposes to add TS5 to the
    *last* one; meanwhile the chair puts two statements in front. The fuzzy patch looks for its hunk near where it
    was, finds the wrong cross-reference closer and amends that statement. Refit anchors on words and gets it right."""
    base_old = repeated_phrases_paragraph()
    assert base_old.count("*Statement also relevant for TS3*") == 2
    tag = base_old.rfind("TS3*")
    proposed = base_old[:tag] + "TS3 and TS5*" + base_old[tag + 4 :]
    added = statement(157) + " " + statement(182) + " "
    base_new = added + base_old
    intended = added + proposed

    fuzzy = apply_patch(make_patch(base_old, proposed), base_new)
    assert fuzzy.complete  # it reports success ...
    assert fuzzy.text != intended  # ... but amended the wrong statement:
    first_tag = base_new.find("TS3*", len(added))
    assert fuzzy.text[first_tag : first_tag + 12] == "TS3 and TS5*"

    result = refit(base_old, proposed, base_new)
    assert result.status is RefitStatus.CLEAN
    assert result.text == intended
    (edit,) = result.edits
    assert edit == Edit(len(added) + tag + 3, len(added) + tag + 3, " and TS5")


def test_compilation_trap_with_a_conflicting_change_is_reported() -> None:
    base_old = repeated_phrases_paragraph()
    tag = base_old.rfind("TS3*")
    proposed = base_old[:tag] + "TS3 and TS5*" + base_old[tag + 4 :]
    base_new = statement(182) + " " + base_old[:tag] + "TS2*" + base_old[tag + 4 :]
    result = refit(base_old, proposed, base_new)
    assert result.status is RefitStatus.CONFLICTED
    (conflict,) = result.conflicts
    assert conflict.new_text == "TS2"
    assert result.best_effort_text is not None  # for a person to review, never applied


def test_refit_all_diffs_the_change_once_and_agrees_with_refit() -> None:
    base_old = repeated_phrases_paragraph()
    base_new = base_old.replace("humanitarian manner", "humane manner")
    proposals = [
        (1, base_old.replace("Puebla Process", "Puebla Process (RCM)")),
        (2, base_old.replace("humanitarian manner", "dignified manner")),
        (3, base_new),
    ]
    results = refit_all(base_old, base_new, proposals)
    assert {pid: r.status for pid, r in results.items()} == {
        1: RefitStatus.CLEAN,
        2: RefitStatus.CONFLICTED,
        3: RefitStatus.ALREADY_INCORPORATED,
    }
    for pid, proposed in proposals:
        assert refit(base_old, proposed, base_new) == results[pid]


# --- collisions -----------------------------------------------------------------------------------


def test_collisions_between_pending_proposals() -> None:
    base = BASE
    proposals = [
        ("MEX", base.replace("shared responsibility", "common responsibility")),
        ("CAN", base.replace("shared responsibility among", "shared responsibility between")),
        ("PAN", base.replace("discourage irregular migration", "prevent irregular migration")),
        ("USA", base.replace("shared", "joint")),
    ]
    collisions = find_collisions(base, proposals)
    pairs = {(c.first, c.second) for c in collisions}
    assert pairs == {("MEX", "USA")}
    (collision,) = collisions
    overlap = collision.overlaps[0]
    assert overlap.kind == "overlap" and overlap.text == "shared"
    assert base[collision.start : collision.end] == "shared"
    same_place = find_collisions("a b", [(1, "a x b"), (2, "a y b")])
    assert [(c.first, c.second, c.overlaps[0].kind) for c in same_place] == [(1, 2, "overlap")]
