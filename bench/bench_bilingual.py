"""Benchmark of the bilingual exports and the aligner (issue 15), side by side in one run.

    .venv/bin/python bench/bench_bilingual.py [--repeat 7] [--sizes 250,1000,2000]

From plain data (no Django, no database):

1. ``render_clean`` and ``render_compilation`` of a declaration of N paragraphs
   in its original language, in the other language (the translation swapped
   in) and side by side (a two-column table): the ratios say what the second
   language and the table cost against the one-language document;
2. ``drafting.importing.align.align`` of N Spanish paragraphs with N English
   ones, one extra paragraph in the English side's middle (the programme
   explores a band around the diagonal, so it should grow about linearly).

Texts: the fixture's paragraphs (tests/bilingual_fixture.py) cycled, each
copy numbered so no two are alike. Each repeat times every variant back to
back (order rotating), after a ``gc.collect()``; reported: median and best.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drafting.importing.align import AlignItem, align
from exports.adapters import in_language
from exports.clean import render_clean
from exports.compilation import render_compilation
from exports.data import Document, Paragraph, Section
from tests import bilingual_docs_fixture as fx


def declaration(n: int) -> Document:
    source = [(es, en) for *_, es, en in fx.rows()[2:]]
    paragraphs = tuple(
        Paragraph(
            label=f"OP{i + 1}",
            kind="operative",
            text=f"{source[i % len(source)][0]} ({i})",
            translation=f"{source[i % len(source)][1]} ({i})",
            translation_status="current",
            state="under_discussion",
        )
        for i in range(n)
    )
    return Document(
        title=fx.TITLE_ES,
        place_date=fx.PLACE_ES,
        ppt_name="El Salvador",
        revision_label="Rev.1",
        is_adopted=False,
        original_language="es",
        sections=(Section("operative", "DECISIONES", paragraphs),),
    )


def items(n: int, language: str, extra_at: int | None = None) -> list[AlignItem]:
    source = [es if language == "es" else en for *_, es, en in fx.rows()[2:]]
    out = [AlignItem(0, "operative", "operative", f"{source[i % len(source)]} ({i})") for i in range(n)]
    if extra_at is not None:
        out.insert(extra_at, AlignItem(0, "operative", "operative", fx.UNPAIRED_EN))
    return out


def timed(variants: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    names = list(variants)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeat):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            gc.collect()
            start = time.perf_counter()
            variants[name]()
            times[name].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sizes", default="250,1000,2000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"load average at start: {os.getloadavg()}")
    print("| what | N | median ms | best ms | ratio to es (median) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for n in sizes:
        doc = declaration(n)
        for renderer in (render_clean, render_compilation):
            variants: dict[str, Callable[[], object]] = {
                lang: partial(renderer, in_language(doc, lang)) for lang in ("es", "en", "both")
            }
            times = timed(variants, args.repeat)
            base = statistics.median(times["es"])
            for lang, t in times.items():
                median, best = statistics.median(t) * 1000, min(t) * 1000
                print(f"| {renderer.__name__} {lang} | {n} | {median:.0f} | {best:.0f} | {median / 1000 / base:.2f} |")
        es, en = items(n, "es"), items(n, "en", extra_at=n // 2)
        t = timed({"align": partial(align, es, en)}, args.repeat)["align"]
        result = align(es, en)
        assert [p.translation for p in result.pairs if p.original is None] == [n // 2], "misaligned"
        print(f"| align (one extra) | {n} | {statistics.median(t) * 1000:.0f} | {min(t) * 1000:.0f} | |")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
