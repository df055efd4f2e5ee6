"""Benchmark of the text engine (drafting/textengine) on real RCM text, side by side in one run.

    .venv/bin/python bench/bench_textengine.py [--repeat 7] [--no-write]

Measures, each with the C++ engine (FastEngine, the default), the pure-Python
diff-match-patch engine (PythonEngine) and difflib on words (a DiffEngine
built on difflib.SequenceMatcher over the same word tokens):

1. word diff of one 600-character paragraph;
2. revision diff of two 500-paragraph revisions with 50 scattered changes;
3. re-fit of 1,000 pending proposals after a revision that changed every
   paragraph they are on (so no re-fit is a short cut), one ``refit`` call
   each; plus, for comparison, the fuzzy ``patch_apply`` of the same stored
   patches and how often it disagrees with a clean re-fit.

Needs no Django and no database: the text comes from tests/data/rcm_paragraphs.json.
Prints a markdown table and writes it, with a short analysis, to
bench/out/textengine.md (the figures we keep go into bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import difflib
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafting.textengine import (  # noqa: E402
    DiffEngine,
    FastEngine,
    PythonEngine,
    RawDiff,
    RefitStatus,
    apply_patch,
    make_patch,
    refit,
    revision_diff,
    tokenize,
    word_diff,
)

DATA = ROOT / "tests" / "data" / "rcm_paragraphs.json"
RESULTS = ROOT / "bench" / "out" / "textengine.md"  # copy the table into bench/RESULTS.md
DATE = "2026-11-22"
TIMEOUT = 2.0
GOAL_REVISION_MS = 20.0
GOAL_REFIT_MS = 1000.0


# Six edits a delegation might make to the 600-character opening paragraph of the 2022 declaration.
PARA600_EDITS = [
    ("Belize, Canada", "Canada"),
    ("gathered in", "met in"),
    ("generating a regional position", "developing a common regional position"),
    ("the follow-up to", "the review of"),
    ("dialogues of", "dialogue at"),
    ("have approved", "have adopted"),
]


class DifflibEngine:
    """difflib.SequenceMatcher as a DiffEngine, on the same one-character-per-word encoding (no autojunk)."""

    name = "difflib"

    def __init__(self, timeout: float = TIMEOUT) -> None:
        self.timeout = timeout

    def diff(self, a: str, b: str) -> RawDiff:
        ops: list[tuple[Any, str]] = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag == "equal":
                ops.append((0, a[i1:i2]))
                continue
            if i2 > i1:
                ops.append((-1, a[i1:i2]))
            if j2 > j1:
                ops.append((1, b[j1:j2]))
        return RawDiff(ops, False)


ENGINES: list[DiffEngine] = [FastEngine(TIMEOUT), PythonEngine(TIMEOUT), DifflibEngine(TIMEOUT)]
LABELS = {"fast": "C++ dmp (FastEngine)", "python": "pure-Python dmp (PythonEngine)", "difflib": "difflib on words"}


def corpus() -> tuple[list[str], str]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    paragraphs = [s["text"] for s in data["compilation_004"]["statements"]]
    paragraphs += data["declaration_2021"]["paragraphs"] + data["declaration_2022"]["paragraphs"]
    six_hundred = next(p for p in data["declaration_2022"]["paragraphs"] if len(p) == 600)
    return paragraphs, six_hundred


def vocabulary(paragraphs: list[str]) -> list[str]:
    return sorted({t for p in paragraphs for t in tokenize(p) if t.isalpha() and len(t) > 3})


def edit_words(text: str, rng: random.Random, vocab: list[str], avoid: tuple[int, int] | None = None) -> str:
    """One word-level edit as a delegation or the chair would make it: replace, insert or delete 1-3 words."""
    tokens = tokenize(text)
    words = [i for i, t in enumerate(tokens) if t.isalpha() and not (avoid and avoid[0] <= i < avoid[1])]
    if not words:
        return text + " " + rng.choice(vocab)
    i = rng.choice(words)
    kind = rng.choice(["replace", "insert", "delete"])
    if kind == "replace":
        tokens[i] = rng.choice(vocab)
    elif kind == "insert":
        tokens[i:i] = [w + " " for w in rng.sample(vocab, rng.randint(1, 3))]
    else:
        end = min(len(tokens), i + 2 * rng.randint(1, 3))
        del tokens[i:end]
    return "".join(tokens)


def revisions(paragraphs: list[str], vocab: list[str]) -> tuple[list[tuple[int, str]], list[tuple[int, str]], int]:
    """Rev.1 with 500 paragraphs and Rev.2 with 46 edited, 2 inserted, 1 deleted and 1 moved paragraph."""
    rng = random.Random(2026)
    old = [(i, paragraphs[i % len(paragraphs)]) for i in range(500)]
    new = list(old)
    edited = rng.sample(range(500), 46)
    for i in edited:
        new[i] = (new[i][0], edit_words(new[i][1], rng, vocab))
    moved = new.pop(120)
    new.insert(380, moved)
    del new[250]
    new.insert(60, (1000, rng.choice(paragraphs)))
    new.insert(400, (1001, rng.choice(paragraphs)))
    return old, new, 50


def proposals(paragraphs: list[str], vocab: list[str]) -> list[tuple[str, str, str]]:
    """1,000 (base_old, proposed, base_new): 4 pending proposals on each of 250 paragraphs the revision changed."""
    rng = random.Random(22)
    cases = []
    for p in range(250):
        base_old = paragraphs[p % len(paragraphs)]
        base_new = edit_words(base_old, rng, vocab)
        if rng.random() < 0.3:
            base_new = edit_words(base_new, rng, vocab)
        for _ in range(4):
            cases.append((base_old, edit_words(base_old, rng, vocab), base_new))
    return cases


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and best wall time in ms."""
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times)


def fmt(ms: float) -> str:
    return f"{ms:.3f}" if ms < 1 else f"{ms:.2f}" if ms < 100 else f"{ms:.0f}"


def difflib_words(a: str, b: str) -> Sequence[tuple[str, int, int, int, int]]:
    """The standalone baseline: tokenise, then difflib.SequenceMatcher over the token lists."""
    return difflib.SequenceMatcher(None, tokenize(a), tokenize(b), autojunk=False).get_opcodes()


def hunks(ops: Sequence[tuple[int, str]]) -> int:
    return sum(1 for i, (op, _) in enumerate(ops) if op != 0 and (i == 0 or ops[i - 1][0] == 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement; the median is reported")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    args = parser.parse_args()
    repeat = args.repeat

    paragraphs, para600 = corpus()
    vocab = vocabulary(paragraphs)
    para600_new = para600
    for before, after in PARA600_EDITS:
        assert before in para600_new, before
        para600_new = para600_new.replace(before, after, 1)
    old, new, n_changes = revisions(paragraphs, vocab)
    cases = proposals(paragraphs, vocab)
    fast, python, _ = ENGINES

    rows: list[tuple[str, str, float, float]] = []

    def row(what: str, label: str, fn: Callable[[], object], per: int = 1) -> float:
        med, best = measure(fn, repeat)
        rows.append((what, label, med / per, best / per))
        return med / per

    # 1. one paragraph
    what = "word diff, 600-char paragraph, 6 edits (per diff)"
    for engine in ENGINES:
        row(
            what,
            LABELS[engine.name],
            partial(lambda e: [word_diff(para600, para600_new, engine=e) for _ in range(100)], engine),
            100,
        )
    row(
        what, "difflib standalone (token lists)", lambda: [difflib_words(para600, para600_new) for _ in range(100)], 100
    )
    row(what, "pure-Python dmp on characters", lambda: [python.diff(para600, para600_new) for _ in range(100)], 100)

    # 2. two revisions
    what = f"revision diff, 500 paragraphs, {n_changes} changes"
    results = {}
    for engine in ENGINES:
        results[engine.name] = row(what, LABELS[engine.name], partial(revision_diff, old, new, engine=engine))
    new_text = dict(new)
    row(
        what,
        "difflib standalone (token lists)",
        lambda: [difflib_words(t, new_text[i]) for i, t in old if i in new_text and new_text[i] != t],
    )
    whole_old, whole_new = "\n".join(t for _, t in old), "\n".join(t for _, t in new)
    row(
        what,
        "whole document as one string, C++ word diff (avoided)",
        lambda: word_diff(whole_old, whole_new, engine=fast, readable=False),
    )
    rev_ms = results["fast"]

    # 3. re-fit
    what = f"re-fit {len(cases):,} proposals"
    outcome: dict[str, Counter[str]] = {}
    for engine in ENGINES:

        def refit_everything(e: DiffEngine = engine) -> None:
            outcome[e.name] = Counter(str(refit(a, b, c, engine=e).status) for a, b, c in cases)

        results[engine.name] = row(what, LABELS[engine.name], refit_everything)
    refit_ms = results["fast"]
    patches = [make_patch(a, b) for a, b, _ in cases]
    row(
        what,
        "fuzzy patch_apply of the stored patches (unchecked)",
        lambda: [apply_patch(p, c) for p, (_, _, c) in zip(patches, cases, strict=True)],
    )
    disagree = clean = 0
    for p, (a, b, c) in zip(patches, cases, strict=True):
        result = refit(a, b, c)
        if result.status is RefitStatus.CLEAN:
            clean += 1
            disagree += apply_patch(p, c).text != result.text

    by_words = word_diff(para600, para600_new).edits
    char_ops = python.diff(para600, para600_new).ops
    sample_words = "; ".join(f"{para600[e.start : e.end]!r} → {e.replacement!r}" for e in by_words[:4])
    sample_chars = "; ".join(f"{'−+'[op > 0]}{text!r}" for op, text in char_ops if op)[:150]

    table = ["| measurement | engine | median ms | best ms |", "| --- | --- | ---: | ---: |"]
    table += [f"| {what} | {label} | {fmt(med)} | {fmt(best)} |" for what, label, med, best in rows]
    table_text = "\n".join(table)
    counts = outcome["fast"]
    print(table_text)
    print(f"\nre-fit outcomes (C++): {dict(counts)}; fuzzy patch differs in {disagree} of {clean} clean re-fits")

    verdict_rev = "met" if rev_ms < GOAL_REVISION_MS else "NOT met"
    verdict_refit = "met" if refit_ms < GOAL_REFIT_MS else "NOT met"
    cores = os.cpu_count()
    machine = f"{cores} cores (`nproc` = {cores}), {platform.machine()} {platform.system()}"
    machine += f", Python {platform.python_version()}"
    report = f"""# Text engine benchmark

Date: {DATE}. Machine: {machine}. Command: `.venv/bin/python bench/bench_textengine.py --repeat {repeat}`
(medians of {repeat} runs; other work shared the machine, so runs varied, up to 2× on the long rows).

Text: real RCM paragraphs from `tests/data/rcm_paragraphs.json` (the 004 compilation and the 2021 and
2022 declarations). The 500-paragraph revisions cycle through those paragraphs; Rev.2 has 46 paragraphs
with a word edit, 2 inserted, 1 deleted and 1 moved. The 1,000 proposals are 4 on each of 250
paragraphs, all of which the revision changed (so no re-fit takes the "unchanged" short cut). All edits
are random word-level replacements, insertions or deletions of 1 to 3 words (fixed seeds). The three
engines run through the same pipeline (trim the common start and end at word boundaries, tokens, one
code point per distinct token, diff, map back, readability valve); only the diff call differs.
"Standalone" rows are what one would write without the engine.

{table_text}

Re-fit outcomes with the C++ engine: {", ".join(f"{v} {k}" for k, v in sorted(counts.items()))}.
The unchecked fuzzy `patch_apply` of the same stored patches gives a different text from the verified
re-fit in {disagree} of {clean} clean cases on this random data; the failure it does have is shown by
`tests/test_textengine.py::test_compilation_trap_fuzzy_patch_misplaces_and_refit_does_not` (repeated
"*Statement also relevant for TS3*": it reports success and amends the wrong statement).

Readability of the 600-character paragraph with its six edits: the word diff has {len(by_words)} hunks
({sample_words}, …); the character diff has {hunks(char_ops)} hunks ({sample_chars} …).

## Analysis

- **Goals.** Revision diff of 500 paragraphs: {fmt(rev_ms)} ms against a goal of {GOAL_REVISION_MS:.0f} ms
  ({verdict_rev}). Re-fit of 1,000 proposals: {fmt(refit_ms)} ms against {GOAL_REFIT_MS:.0f} ms ({verdict_refit}).
- **Why it is fast.** A revision diff matches paragraphs by id, compares 500 strings and word-diffs only the
  changed ones. Diffing the whole document as one string (row "avoided") costs far more even with the
  C++ engine, shows the moved paragraph as a deletion plus an insertion, and loses paragraph identity;
  with difflib on words it took about 100 s in a trial run on this machine. Each word diff first trims
  the common start and end at word boundaries, so only the changed middle is tokenised, encoded and
  diffed; that is also why, in the revision diff, "difflib standalone" (no trimming) is several times
  slower than difflib behind the engine's pipeline.
- **Engines.** Once trimmed, the middles are short and the three engines are close in the revision
  diff and the re-fit (tokenising, encoding and checking in Python dominate there); the engine shows on
  a paragraph with edits from start to end, where the C++ engine is fastest, the pure-Python one next
  and difflib slowest. The C++ engine also releases the GIL. The
  pure-Python engine stays as the fallback and for patch objects. difflib has no semantic cleanup.
- **Re-fit cost.** About two word diffs, the collision check and the verification per proposal; a
  conflicted re-fit adds the best-effort fuzzy patch (bitap matching in pure Python), its most
  expensive step: a conflicted proposal costs several times a clean one.
- **Characters vs words.** A character diff of the same paragraph costs about as much but cuts
  words apart (see the hunks above); the word diff reports whole words.
"""
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(report, encoding="utf-8")
        print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
