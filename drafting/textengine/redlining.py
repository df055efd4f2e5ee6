"""HTML track-changes ("redline") fragments of a paragraph diff."""

from __future__ import annotations

from html import escape

from drafting.textengine.engines import DiffEngine
from drafting.textengine.worddiff import WordDiff, word_diff

__all__ = ["redline", "redline_html"]


def redline_html(diff: WordDiff) -> str:
    """An HTML fragment of ``diff``: deletions in ``<del>``, insertions in ``<ins>``, all text escaped."""
    parts: list[str] = []
    for op in diff.ops:
        text = escape(op.text, quote=False)
        if op.kind == "equal":
            parts.append(text)
        elif op.kind == "delete":
            parts.append(f"<del>{text}</del>")
        else:
            parts.append(f"<ins>{text}</ins>")
    return "".join(parts)


def redline(base: str, new: str, *, engine: DiffEngine | None = None) -> str:
    """Shortcut: the readable word diff of ``base`` against ``new`` as an HTML fragment."""
    return redline_html(word_diff(base, new, engine=engine))
