"""The text engine: word diffs, revision diffs, redlines, proposal patches, re-fitting and collisions.

Pure Python over two diff-match-patch implementations; it imports nothing
from Django and needs no settings. Texts are plain Unicode (stored as NFC;
emphasis lives elsewhere as spans) and are compared exactly.

Pipeline (ideas after Antragsgrün's diff pipeline):

1. :func:`tokenize` cuts a paragraph into words, whitespace runs and
   punctuation; each distinct token becomes one private code point, and the
   encoded strings are diffed by a :class:`DiffEngine` (C++ by default) with an
   explicit time limit, then mapped back: :func:`word_diff`.
2. A diff is also a list of :class:`Edit` anchored on the base text;
   :func:`apply_edits` applies them.
3. :func:`revision_diff` compares two revisions paragraph by paragraph, by id.
4. :func:`redline_html` renders ``<ins>``/``<del>``.
5. :func:`make_patch` stores a proposal as patch text; :func:`apply_patch`
   applies it fuzzily (best effort).
6. :func:`refit` carries a pending proposal over a change of its paragraph,
   by a verified 3-way merge of word edits; :func:`find_collisions` finds
   pending proposals that touch the same words.
"""

from drafting.textengine.collisions import Collision, Overlap, find_collisions
from drafting.textengine.engines import (
    DEFAULT_TIMEOUT,
    DiffEngine,
    FastEngine,
    PythonEngine,
    RawDiff,
    default_engine,
)
from drafting.textengine.overlap import CollisionKind, colliding_pairs, edits_collide, slide_zone
from drafting.textengine.patches import PatchResult, apply_patch, make_patch, patch_from_diff
from drafting.textengine.redlining import redline, redline_html
from drafting.textengine.refitting import (
    Conflict,
    RefitResult,
    RefitStatus,
    refit,
    refit_all,
)
from drafting.textengine.revision import ChangeStatus, ParagraphChange, RevisionDiff, revision_diff
from drafting.textengine.tokens import tokenize
from drafting.textengine.worddiff import (
    MIN_UNCHANGED,
    DiffOp,
    Edit,
    OpKind,
    WordDiff,
    apply_edits,
    edits_from_ops,
    ops_from_edits,
    word_diff,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "MIN_UNCHANGED",
    "ChangeStatus",
    "Collision",
    "CollisionKind",
    "Conflict",
    "DiffEngine",
    "DiffOp",
    "Edit",
    "FastEngine",
    "OpKind",
    "Overlap",
    "ParagraphChange",
    "PatchResult",
    "PythonEngine",
    "RawDiff",
    "RefitResult",
    "RefitStatus",
    "RevisionDiff",
    "WordDiff",
    "apply_edits",
    "apply_patch",
    "colliding_pairs",
    "default_engine",
    "edits_collide",
    "edits_from_ops",
    "find_collisions",
    "make_patch",
    "ops_from_edits",
    "patch_from_diff",
    "redline",
    "redline_html",
    "refit",
    "refit_all",
    "revision_diff",
    "slide_zone",
    "tokenize",
    "word_diff",
]
