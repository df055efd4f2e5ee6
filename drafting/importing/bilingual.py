"""Two language versions of one declaration in an import preview (issue 15).

Django-free. ``pair_preview`` aligns the paragraphs of the original-language
text (an :class:`ImportResult`, or the existing revision's paragraphs as
:class:`AlignItem`) with those of the other language's file and returns what
the preview shows: every pair, in order, with both texts, and a warning for
each paragraph left without a counterpart. ``translations`` reads the pairs
back on confirmation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drafting.importing.align import AlignItem, align
from drafting.importing.result import ImportedParagraph, ImportResult, ImportWarning

__all__ = ["heading_translations", "items_from_result", "pair_preview", "result_sections_of", "translations"]

_SHOWN = 160  # characters of each text a warning quotes


def items_from_result(result: ImportResult) -> list[AlignItem]:
    """The paragraphs of an import, in order, as the aligner sees them."""
    items = []
    for n, section in enumerate(result.sections):
        for p in section.paragraphs:
            text = "\n".join("\t".join(row) for row in p.table or []) if p.kind == "table" else p.text
            items.append(AlignItem(n, section.kind, p.kind, text, p.source_label))
    return items


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def pair_preview(
    original: Sequence[AlignItem],
    translation: ImportResult,
    *,
    language: str,
    filename: str,
    original_language: str = "",
) -> tuple[dict[str, Any], list[ImportWarning]]:
    """The preview's ``translation`` part and its warnings. ``original`` is the
    original-language text (read from the other upload, or the revision the
    file translates); ``translation`` the file in ``language``."""
    other = items_from_result(translation)
    alignment = align(original, other)
    pairs = []
    warnings: list[ImportWarning] = []
    if original_language and translation.language and translation.language == original_language:
        warnings.append(
            ImportWarning(
                "translation_same_language",
                f"“{filename}” reads as the same language as the original ({original_language}); "
                "check that the right file was uploaded as the translation.",
            )
        )
    for n, pair in enumerate(alignment.pairs, start=1):
        a = original[pair.original] if pair.original is not None else None
        b = other[pair.translation] if pair.translation is not None else None
        pairs.append(
            {
                "original": pair.original,
                "translation": pair.translation,
                "how": pair.how,
                "text": a.text if a else "",
                "translation_text": b.text if b else "",
            }
        )
        if a is None and b is not None:
            warnings.append(
                ImportWarning(
                    "translation_unpaired",
                    f"Pair {n}: this paragraph of the {language} file has no counterpart in the original: "
                    f"“{_quote(b.text)}”. It will not be stored.",
                    f"pair {n}",
                )
            )
        elif b is None and a is not None:
            warnings.append(
                ImportWarning(
                    "original_unpaired",
                    f"Pair {n}: no paragraph of the {language} file matches this one: “{_quote(a.text)}”. "
                    "Its translation stays missing.",
                    f"pair {n}",
                )
            )
    counts = {
        "pairs": sum(1 for p in alignment.pairs if p.original is not None and p.translation is not None),
        "unpaired_original": sum(1 for p in alignment.pairs if p.translation is None),
        "unpaired_translation": sum(1 for p in alignment.pairs if p.original is None),
    }
    part = {
        "language": language,
        "filename": filename,
        "pairs": pairs,
        "counts": counts,
        "result": translation.to_json(),
    }
    return part, warnings


def translations(part: dict[str, Any]) -> dict[int, ImportedParagraph]:
    """On confirmation: original paragraph index → its translated paragraph."""
    result = ImportResult.from_json(part["result"])
    paragraphs = result.paragraphs()
    return {
        pair["original"]: paragraphs[pair["translation"]]
        for pair in part["pairs"]
        if pair["original"] is not None and pair["translation"] is not None
    }


def _section_of_each_paragraph(result: ImportResult) -> list[int]:
    return [n for n, section in enumerate(result.sections) for _ in section.paragraphs]


def heading_translations(sections_of: Sequence[int], part: dict[str, Any]) -> dict[int, str]:
    """On confirmation: original section → its heading in the other language
    (issue 15), read from the section of the other file that holds the
    translations of its paragraphs (the first paired one decides).
    ``sections_of`` gives each original paragraph's section, in order."""
    translated = ImportResult.from_json(part["result"])
    their_section = _section_of_each_paragraph(translated)
    out: dict[int, str] = {}
    for pair in part["pairs"]:
        if pair["original"] is None or pair["translation"] is None:
            continue
        mine = sections_of[pair["original"]]
        if mine not in out:
            out[mine] = translated.sections[their_section[pair["translation"]]].heading
    return out


def result_sections_of(result: ImportResult) -> list[int]:
    """Each paragraph's section among the sections that hold paragraphs (as
    ``ImportResult.sections_input`` gives them), in order."""
    out = []
    for n, section in enumerate(s for s in result.sections if s.paragraphs):
        out += [n] * len(section.paragraphs)
    return out
