"""Benchmark of the Word exports (exports/), side by side with a bare python-docx floor, in one run.

    .venv/bin/python bench/bench_exports.py [--repeat 11] [--sizes 250,500,1000,2000] [--no-write]
                                            [--fingerprint] [--profile]

Measures, from plain data (the ``exports.data`` dataclasses, built here as the
tests build them; no Django, no database):

1. ``render_clean`` of the 2022 Extraordinary Declaration (seed 000, the demo's
   zero draft: ``drafting/demo_data/rcm-2022-extraordinary-declaration.txt``,
   parsed with ``drafting.seedtext`` into the sections ``drafting.demo`` makes
   of it), as a draft (Rev. marking) and as the adopted text;
2. ``render_compilation`` of a working text of 250, 500, 1,000 and 2,000
   paragraphs of real RCM language (``tests/data/rcm_paragraphs.json`` cycled)
   with states, brackets, Alt options and attributed pending proposals;
3. ``render_tracked`` of two revisions of the same sizes, ~10 % of paragraphs
   with word edits, a few inserted, deleted and moved (labels renumbered).

The floor for each document is a bare python-docx script that builds the very
same body paragraphs: ``Document()``, then per paragraph ``add_paragraph()`` and
one ``add_run(text)`` per run of ours, with ``bold``/``italic`` set where ours
sets them, then ``save`` to bytes. Its paragraphs and runs are read once (not
timed) from our own output, so they match by construction (same number of
paragraphs, same run texts; for tracked changes the runs inside ``w:ins`` and
``w:del`` become plain runs). It has no header, styles, numbering, footnotes
or revision marks: that is what the ratio prices.

Each repeat times ours and the floor back to back (order alternating), after a
``gc.collect()``; reported: median and best of the repeats. Prints a markdown
table and writes it to bench/out/exports.md (the figures we keep go into
bench/RESULTS.md). ``--fingerprint`` prints a hash of every document part, to
check that an optimisation did not change the output; ``--profile`` writes
cProfile listings of the 2,000-paragraph renders to bench/out/.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import json
import os
import platform
import pstats
import random
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
from lxml import etree  # type: ignore[import-untyped]  # noqa: E402

from drafting import seedtext  # noqa: E402
from drafting.numbering import Slot, labels  # noqa: E402
from drafting.textengine import tokenize  # noqa: E402
from exports.clean import render_clean  # noqa: E402
from exports.compilation import render_compilation  # noqa: E402
from exports.data import (  # noqa: E402
    Alternative,
    Bracket,
    Document,
    Objection,
    Paragraph,
    ProposalNote,
    Section,
    Span,
)
from exports.tracked import TrackedParagraph, render_tracked  # noqa: E402

SEED = ROOT / "drafting" / "demo_data" / "rcm-2022-extraordinary-declaration.txt"  # = shared/seeds/000_…txt
DATA = ROOT / "tests" / "data" / "rcm_paragraphs.json"
OUT = ROOT / "bench" / "out"
RESULTS = OUT / "exports.md"
GOAL_CLEAN_MS = 100.0
GOAL_CLEAN_RATIO = 1.3
GOAL_LARGE_MS = 1000.0

MEMBERS = (
    "Belize",
    "Canada",
    "Costa Rica",
    "Dominican Republic",
    "El Salvador",
    "Guatemala",
    "Honduras",
    "Mexico",
    "Nicaragua",
    "Panama",
    "United States",
)
REASONS = (
    "The wording prejudges the outcome of the IMRF.",
    "Our legislation does not recognise this category.",
    "We prefer the agreed language of the 2021 declaration.",
    "Budgetary implications must be assessed first.",
    "",
)
ISSUED = datetime(2022, 3, 31, 18, 0, tzinfo=UTC)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# -- data -----------------------------------------------------------------------


def spans(raw: list[Any]) -> tuple[Span, ...]:
    return tuple(Span(s["start"], s["end"], s["style"]) for s in raw)


def seed_document(*, adopted: bool) -> Document:
    """The 2022 Extraordinary Declaration as ``drafting.demo.zero_draft_sections`` cuts it,
    labelled as ``drafting.numbering`` labels it, in the shape ``exports.adapters`` gives."""
    blocks = seedtext.blocks(SEED.read_text(encoding="utf-8"))
    title, place_date, chapeau = blocks[0], blocks[1], blocks[2]
    annex_at = next(i for i, b in enumerate(blocks) if b.text.strip().upper() == "ANNEX")
    annex: list[tuple[str, seedtext.Block]] = []
    for block in blocks[annex_at + 1 :]:
        if block.bullet:
            annex.append(("list_item", block))
        elif len(block.text) < 60 and not block.text.endswith((".", ":")):
            annex.append(("heading", block))
        else:
            annex.append(("text", block))
    raw_sections: list[tuple[str, str, list[tuple[str, seedtext.Block]]]] = [
        ("title", "", [("title", title), ("place_date", place_date)]),
        ("preamble", "", [("preambular", chapeau)]),
        ("operative", "", [("operative", b) for b in blocks[3:annex_at]]),
        ("annex", blocks[annex_at].text.strip(), annex),
    ]
    slots = [Slot(kind, heading or kind) for kind_s, heading, items in raw_sections for kind, _ in items]
    names = iter(labels(slots))
    sections = tuple(
        Section(
            kind,  # type: ignore[arg-type]
            heading,
            tuple(
                Paragraph(next(names), pkind, b.text, emphasis=spans(b.emphasis))  # type: ignore[arg-type]
                for pkind, b in items
            ),
        )
        for kind, heading, items in raw_sections
    )
    return Document(
        title=title.text,
        place_date="",
        ppt_name="El Salvador",
        revision_label="Rev.1",
        is_adopted=adopted,
        original_language="en",
        sections=sections,
    )


def corpus() -> list[tuple[str, tuple[Span, ...]]]:
    """Real RCM paragraphs; "*Statement also relevant for TS5*" markers become italic spans."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    raw = [s["text"] for s in data["compilation_004"]["statements"]]
    raw += data["declaration_2021"]["paragraphs"] + data["declaration_2022"]["paragraphs"]
    out = []
    for marked in raw:
        text, emphasis = seedtext.parse_emphasis(marked)
        out.append((text, spans(emphasis)))
    return out


def vocabulary(texts: list[str]) -> list[str]:
    return sorted({t for p in texts for t in tokenize(p) if t.isalpha() and len(t) > 3})


def edit_words(text: str, rng: random.Random, vocab: list[str]) -> str:
    """One word-level edit: replace, insert or delete 1-3 words (as in bench_textengine.py)."""
    tokens = tokenize(text)
    words = [i for i, t in enumerate(tokens) if t.isalpha()]
    if not words:
        return text + " " + rng.choice(vocab)
    i = rng.choice(words)
    kind = rng.choice(["replace", "insert", "delete"])
    if kind == "replace":
        tokens[i] = rng.choice(vocab)
    elif kind == "insert":
        tokens[i:i] = [w + " " for w in rng.sample(vocab, rng.randint(1, 3))]
    else:
        del tokens[i : min(len(tokens), i + 2 * rng.randint(1, 3))]
    return "".join(tokens)


def word_range(text: str, rng: random.Random) -> tuple[int, int]:
    """A stretch of 3-12 whole words of ``text``."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == " "]
    a = rng.randrange(len(starts))
    b = min(len(starts) - 1, a + rng.randint(3, 12))
    end = starts[b] - 1 if b > a else len(text)
    return starts[a], max(starts[a] + 1, end)


def supporters(rng: random.Random, exclude: str) -> tuple[str, ...]:
    return tuple(rng.sample([m for m in MEMBERS if m != exclude], rng.choice((0, 0, 1, 1, 2, 3, 4))))


def objections(rng: random.Random, exclude: str) -> tuple[Objection, ...]:
    if rng.random() >= 0.25:
        return ()
    who = rng.sample([m for m in MEMBERS if m != exclude], rng.choice((1, 1, 1, 2)))
    return tuple(Objection(w, rng.choice(REASONS)) for w in who)


def working_document(n: int, paragraphs: list[tuple[str, tuple[Span, ...]]], vocab: list[str]) -> Document:
    """A working text of ``n`` paragraphs (20 % preambular) with a realistic share of negotiation on it:
    states (35 % open, 25 % under discussion, 20 % agreed, 10 % bracketed, 5 % agreed ad ref, 5 % held);
    bracketed stretches on half the bracketed paragraphs and on 20 % of those under discussion; pending
    proposals on 40 % of paragraphs (1-3 each: replace, insert after, delete; supporters, objections
    with reasons in 25 %), a settled one now and then (not printed); two or three Alt options on 6 %."""
    rng = random.Random(5000 + n)
    states = ["open"] * 7 + ["under_discussion"] * 5 + ["agreed"] * 4 + ["bracketed"] * 2
    states += ["agreed_ad_ref", "held"]
    kinds = [("preambular" if i < n // 5 else "operative") for i in range(n)]
    names = labels([Slot(k, k) for k in kinds])
    built: list[Paragraph] = []
    for i in range(n):
        text, emphasis = paragraphs[i % len(paragraphs)]
        state = rng.choice(states)
        brackets: tuple[Bracket, ...] = ()
        if (state == "bracketed" and rng.random() < 0.5) or (state == "under_discussion" and rng.random() < 0.2):
            brackets = (Bracket(*word_range(text, rng)),)
        proposals: list[ProposalNote] = []
        if rng.random() < 0.4 and state not in ("agreed", "agreed_ad_ref"):
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                who = rng.choice(MEMBERS)
                kind = rng.choice(("replace",) * 6 + ("insert_after",) * 2 + ("delete",))
                wording = {
                    "replace": edit_words(edit_words(text, rng, vocab), rng, vocab),
                    "insert_after": rng.choice(paragraphs)[0],
                    "delete": "",
                }[kind]
                status = "withdrawn" if rng.random() < 0.08 else rng.choice(("submitted",) * 9 + ("needs_refit",))
                proposals.append(
                    ProposalNote(who, kind, wording, supporters(rng, who), objections(rng, who), status=status)
                )
        alternatives: list[Alternative] = []
        if rng.random() < 0.06:
            for number in range(1, rng.choice((2, 2, 3)) + 1):
                who = rng.choice(MEMBERS)
                wording = edit_words(edit_words(text, rng, vocab), rng, vocab)
                alternatives.append(
                    Alternative(
                        f"Alt {number}", who, "alternative", wording, supporters(rng, who), objections(rng, who)
                    )
                )
        built.append(
            Paragraph(
                names[i],
                kinds[i],  # type: ignore[arg-type]
                text,
                emphasis=emphasis,
                state=state,
                brackets=brackets,
                alternatives=tuple(alternatives),
                proposals=tuple(proposals),
            )
        )
    preamble = n // 5
    return Document(
        title="Regional Conference on Migration (RCM) Declaration of the XXVII Vice-Ministerial Meeting",
        place_date="",
        ppt_name="El Salvador",
        revision_label=f"Working text after Rev.2 ({n} paragraphs)",
        is_adopted=False,
        sections=(
            Section("preamble", "", tuple(built[:preamble])),
            Section("operative", "DECISIONS", tuple(built[preamble:])),
        ),
    )


def revision_pair(n: int, paragraphs: list[tuple[str, tuple[Span, ...]]], vocab: list[str]) -> dict[str, Any]:
    """Rev.1 of ``n`` paragraphs and Rev.2 with 10 % of them word-edited (1-3 edits each, attributed to a
    delegation and dated in 70 % of cases, else the PPT's), and per 1,000 paragraphs 2 inserted,
    1 deleted and 1 moved; labels renumbered from position, as a new revision does."""
    rng = random.Random(7000 + n)
    preamble = n // 5

    def labelled(rows: list[tuple[int, str, str | None, datetime | None]]) -> list[TrackedParagraph]:
        # moves, deletions and insertions happen in the operative part: the preamble stays first
        kinds = ["preambular" if pid <= preamble else "operative" for pid, *_ in rows]
        names = labels([Slot(k, k) for k in kinds])
        return [TrackedParagraph(pid, names[i], text, who, when) for i, (pid, text, who, when) in enumerate(rows)]

    old_rows: list[tuple[int, str, str | None, datetime | None]] = [
        (i + 1, paragraphs[i % len(paragraphs)][0], None, None) for i in range(n)
    ]
    new_rows = list(old_rows)
    for i in rng.sample(range(n), n // 10):
        pid, text, _, _ = new_rows[i]
        for _ in range(rng.randint(1, 3)):
            text = edit_words(text, rng, vocab)
        who, when = (
            (rng.choice(MEMBERS), ISSUED - timedelta(minutes=rng.randint(5, 600)))
            if rng.random() < 0.7
            else (None, None)
        )
        new_rows[i] = (pid, text, who, when)
    per_k = max(1, n // 1000)
    for _ in range(per_k):  # moved within the operative part
        moved = new_rows.pop(rng.randrange(preamble + 1, n - 1))
        new_rows.insert(rng.randrange(preamble + 1, len(new_rows)), moved)
    deleted: dict[int, tuple[str, datetime | None]] = {}
    for _ in range(per_k):
        gone = new_rows.pop(rng.randrange(preamble + 1, len(new_rows)))
        deleted[gone[0]] = (rng.choice(MEMBERS), ISSUED - timedelta(hours=2))
    for k in range(2 * per_k):
        where = rng.randrange(preamble + 1, len(new_rows))
        new_rows.insert(
            where, (20_000 + k, rng.choice(paragraphs)[0], rng.choice(MEMBERS), ISSUED - timedelta(hours=1))
        )
    return {
        "old": labelled(old_rows),
        "new": labelled(new_rows),
        "default_author": "El Salvador",
        "default_date": ISSUED,
        "title": "Declaration — Rev.2 against Rev.1",
        "deleted_by": deleted,
    }


# -- the floor ----------------------------------------------------------------------

RunSpec = tuple[str, bool, bool]


def body_runs(data: bytes) -> list[list[RunSpec]]:
    """Every paragraph of the document body (table cells included) as its runs: text (w:t and
    w:delText, w:tab as a tab, w:br as a line break), bold, italic."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    body = root.find(f"{W}body")
    assert body is not None
    out: list[list[RunSpec]] = []
    for p in body.iter(f"{W}p"):
        runs: list[RunSpec] = []
        for r in p.iter(f"{W}r"):
            pieces = []
            for child in r:
                if child.tag in (f"{W}t", f"{W}delText"):
                    pieces.append(child.text or "")
                elif child.tag == f"{W}tab":
                    pieces.append("\t")
                elif child.tag == f"{W}br":
                    pieces.append("\n")
            props = r.find(f"{W}rPr")
            bold = props is not None and props.find(f"{W}b") is not None
            italic = props is not None and props.find(f"{W}i") is not None
            runs.append(("".join(pieces), bold, italic))
        out.append(runs)
    return out


def floor(paragraphs: list[list[RunSpec]]) -> bytes:
    """The bare python-docx script: the same paragraphs and runs, nothing else."""
    document = docx.Document()
    for runs in paragraphs:
        p = document.add_paragraph()
        for text, bold, italic in runs:
            run = p.add_run(text)
            if bold:
                run.bold = True
            if italic:
                run.italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- measuring ---------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def side_by_side(ours: Callable[[], bytes], base: Callable[[], bytes], repeat: int) -> tuple[list[float], list[float]]:
    """Times of ours and of the floor, back to back, alternating which goes first."""
    ours(), base()  # warm-up (imports, template caches)
    a, b = [], []
    for i in range(repeat):
        if i % 2:
            b.append(timed(base))
            a.append(timed(ours))
        else:
            a.append(timed(ours))
            b.append(timed(base))
    return a, b


def fingerprint(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        digest = hashlib.sha256()
        for name in sorted(package.namelist()):
            digest.update(name.encode() + b"\0" + package.read(name) + b"\0")
    return digest.hexdigest()[:16]


def growth_line(rows: list[dict[str, Any]], key: str) -> str:
    """How time grows with paragraphs: the least-squares line (fixed ms + µs per paragraph)
    through the medians, and how far the largest measurement lies from it."""
    xs, ys = [r["n"] for r in rows], [r[key] for r in rows]
    slope, intercept = statistics.linear_regression(xs, ys)
    worst = max(abs(y - (intercept + slope * x)) / y for x, y in zip(xs, ys, strict=True))
    per = ", ".join(f"{x:,}: {1000 * y / x:.0f}" for x, y in zip(xs, ys, strict=True))
    return (
        f"{intercept:.1f} ms + {1000 * slope:.0f} µs × paragraphs (largest deviation from that line "
        f"{100 * worst:.0f} %; ×{xs[-1] / xs[0]:.0f} paragraphs → ×{ys[-1] / ys[0]:.1f} time; "
        f"µs per paragraph {per})"
    )


def fmt(ms: float) -> str:
    return f"{ms:.1f}" if ms < 100 else f"{ms:.0f}"


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = ", " + line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or str(os.cpu_count())
    return (
        f"`nproc` = {nproc}{cpu}, {platform.system()} {platform.machine()}, Python {platform.python_version()}, "
        f"python-docx {version('python-docx')}, lxml {version('lxml')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=11, help="runs per measurement (median and best reported)")
    parser.add_argument("--sizes", default="250,500,1000,2000", help="paragraph counts for compilation/tracked")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.relative_to(ROOT)}")
    parser.add_argument("--fingerprint", action="store_true", help="print a hash of each rendered document")
    parser.add_argument("--profile", action="store_true", help="cProfile the largest renders into bench/out/")
    parser.add_argument("--only", choices=("clean", "compilation", "tracked"), action="append")
    parser.add_argument("--quiet-wait", type=float, default=0, help="wait up to S s for a 1-min load < --quiet")
    parser.add_argument("--quiet", type=float, default=0.5, help="load average counted as quiet (default 0.5)")
    args = parser.parse_args()
    deadline = time.monotonic() + args.quiet_wait
    while os.getloadavg()[0] > args.quiet and time.monotonic() < deadline:
        time.sleep(5)
    sizes = [int(s) for s in args.sizes.split(",")]
    only = set(args.only or ("clean", "compilation", "tracked"))

    load_start = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    paragraphs = corpus()
    vocab = vocabulary([t for t, _ in paragraphs])
    cases: list[tuple[str, str, int, Callable[[], bytes]]] = []  # (group, what, paragraphs, render)
    if "clean" in only:
        for adopted in (False, True):
            doc = seed_document(adopted=adopted)
            count = sum(len(s.paragraphs) for s in doc.sections)
            what = "clean declaration, seed 000 " + ("(adopted)" if adopted else "(draft, Rev.1)")
            cases.append(("clean", what, count, partial(render_clean, doc)))
    if "compilation" in only:
        for n in sizes:
            doc = working_document(n, paragraphs, vocab)
            cases.append(("compilation", f"compilation text, {n:,} paragraphs", n, partial(render_compilation, doc)))
    if "tracked" in only:
        for n in sizes:
            pair = revision_pair(n, paragraphs, vocab)
            cases.append(("tracked", f"tracked changes, {n:,} paragraphs", n, partial(render_tracked, **pair)))

    rows = []
    for group, what, n, render in cases:
        sample = render()
        spec = body_runs(sample)
        n_runs = sum(len(r) for r in spec)
        check = body_runs(floor(spec))
        assert [[t for t, *_ in p] for p in check] == [[t for t, *_ in p] for p in spec], what
        ours, base = side_by_side(render, partial(floor, spec), args.repeat)
        row: dict[str, Any] = {
            "group": group,
            "what": what,
            "n": n,
            "body_paragraphs": len(spec),
            "runs": n_runs,
            "kb": len(sample) / 1024,
            "ours_median": statistics.median(ours),
            "ours_best": min(ours),
            "floor_median": statistics.median(base),
            "floor_best": min(base),
            "fingerprint": fingerprint(sample),
        }
        row["ratio"] = row["ours_median"] / row["floor_median"]
        rows.append(row)
        print(
            f"{what}: ours {fmt(row['ours_median'])} ms (best {fmt(row['ours_best'])}), floor "
            f"{fmt(row['floor_median'])} ms (best {fmt(row['floor_best'])}), × {row['ratio']:.2f}"
            + (f"  [{row['fingerprint']}]" if args.fingerprint else ""),
            flush=True,
        )
        if args.profile and (group == "clean" or n == max(sizes)):
            OUT.mkdir(parents=True, exist_ok=True)
            profiler = cProfile.Profile()
            profiler.runcall(render)
            target = OUT / f"profile_exports_{group}_{n}.txt"
            with target.open("w") as fh:
                pstats.Stats(profiler, stream=fh).sort_stats("cumulative").print_stats(45)
                pstats.Stats(profiler, stream=fh).sort_stats("tottime").print_stats(30)
            print(f"  profile: {target.relative_to(ROOT)}")

    table = [
        "| document | body paragraphs / runs | .docx KB | ours median ms | ours best ms "
        "| floor median ms | floor best ms | ours / floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        table.append(
            f"| {r['what']} | {r['body_paragraphs']:,} / {r['runs']:,} | {r['kb']:.0f} | **{fmt(r['ours_median'])}** "
            f"| {fmt(r['ours_best'])} | {fmt(r['floor_median'])} | {fmt(r['floor_best'])} | {r['ratio']:.2f} |"
        )
    growth = []
    for group in ("compilation", "tracked"):
        g = [r for r in rows if r["group"] == group]
        if len(g) >= 2:
            growth.append(f"- {group}: {growth_line(g, 'ours_median')}; the floor: {growth_line(g, 'floor_median')}.")
    verdicts = []
    for r in rows:
        if r["group"] == "clean":
            ok = r["ours_median"] < GOAL_CLEAN_MS and r["ratio"] <= GOAL_CLEAN_RATIO
            verdicts.append(
                f"- {r['what']}: {fmt(r['ours_median'])} ms (< {GOAL_CLEAN_MS:.0f}: "
                f"{'yes' if r['ours_median'] < GOAL_CLEAN_MS else 'no'}), × {r['ratio']:.2f} the floor "
                f"(≤ {GOAL_CLEAN_RATIO}: {'yes' if r['ratio'] <= GOAL_CLEAN_RATIO else 'no'}): "
                f"{'met' if ok else 'NOT met'}"
            )
        elif r["n"] == max(sizes):
            ok = r["ours_median"] < GOAL_LARGE_MS
            verdicts.append(f"- {r['what']}: {fmt(r['ours_median'])} ms (< 1 s: {'met' if ok else 'NOT met'})")
    text = "\n".join(table) + "\n\nGrowth:\n" + "\n".join(growth) + "\n\nGoals:\n" + "\n".join(verdicts)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    header = (
        f"# Word exports benchmark\n\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC. {machine()}.\n"
        f"Load average at the end (1, 5, 15 min): {load} (at the start: {load_start}).\n"
        f"Command: `.venv/bin/python bench/bench_exports.py {' '.join(sys.argv[1:])}`"
        f" (median and best of {args.repeat}).\n\n"
    )
    print("\n" + header + text)
    if not args.no_write:
        OUT.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(header + text + "\n", encoding="utf-8")
        (OUT / "exports-latest.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
        print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
