"""The working text as the pages show it: each paragraph's wording with its
brackets, its state in words, and each pending proposal as a redline
against the current wording, with one's own delegation's items marked.

Input is ``drafting.selectors.working_text`` (the API's own reading of the
text); nothing here decides who may do what: that comes from the reader's
:class:`~drafting.access.Role` and the state machine's data.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from backend.pages import labels
from drafting import selectors, textengine
from drafting.access import Role
from drafting.models import Declaration
from drafting.readmodels import ProposalSummary, WorkingText
from drafting.states import PROPOSABLE, TRANSITIONS

FILTERS = ("all", "proposals", "objections", "mine")


# A redline depends only on the two texts, so each web process keeps the
# latest few thousand (about 2 KB each): the text page of 200 paragraphs
# and 2,000 proposals then diffs only what changed since its last render.
@functools.lru_cache(maxsize=8192)
def redline(base: str, new: str) -> str:
    """The word redline (HTML, ``<ins>``/``<del>``, text escaped) of ``new`` against ``base``."""
    return textengine.redline(base, new)


_TEXTS: OrderedDict[tuple[int, float, int], WorkingText] = OrderedDict()
_TEXTS_LOCK = threading.Lock()


def working_text(declaration: Declaration) -> WorkingText:
    """``selectors.working_text``, kept per web process for the declaration's
    current ``version`` (bumped in the same transaction as every visible
    change): 200 open pages re-reading one text after a change read the
    database once per process, not 200 times. The data is the same for every
    reader; who may see it was checked before (``declaration_get``)."""
    key = (declaration.pk, declaration.created_at.timestamp(), declaration.version)
    with _TEXTS_LOCK:
        if key in _TEXTS:
            _TEXTS.move_to_end(key)
            return _TEXTS[key]
    text = selectors.working_text(declaration=declaration)
    with _TEXTS_LOCK:
        _TEXTS[key] = text
        while len(_TEXTS) > 16:
            _TEXTS.popitem(last=False)
    return text


def bracketed_html(text: str, brackets: list[dict[str, int]], *, whole: bool) -> SafeString:
    """The wording with its bracketed spans marked (the whole paragraph when
    it is bracketed without spans)."""
    if whole and not brackets:
        brackets = [{"start": 0, "end": len(text)}]
    parts, at = [], 0
    for span in sorted(brackets, key=lambda s: s["start"]):
        parts.append(escape(text[at : span["start"]]))
        # the marks apart, so the console's script can count the wording's own characters
        parts.append(
            f'<span class="bracket"><span class="mark">[</span>{escape(text[span["start"] : span["end"]])}'
            '<span class="mark">]</span></span>'
        )
        at = span["end"]
    parts.append(escape(text[at:]))
    return mark_safe("".join(parts))


def _proposal_redline_pair(paragraph_text: str, proposal: ProposalSummary) -> tuple[str, str]:
    if proposal["kind"] == "insert_after":
        return "", proposal["text"]
    if proposal["kind"] == "delete":
        return paragraph_text, ""
    return paragraph_text, proposal["text"]


def working_paragraphs(
    text: WorkingText, *, role: Role, show: str = "all", drafting: bool = True, only: set[int] | None = None
) -> list[dict[str, Any]]:
    """Sections flattened to paragraphs, each ready for a template."""
    mine = role.delegation.code if role.delegation else None
    # resolved once per render: lazy translations cost a lookup each time they are read
    states = {k: str(v) for k, v in labels.STATES.items()}
    kinds = {k: str(v) for k, v in labels.KINDS.items()}
    statuses = {k: str(v) for k, v in labels.PROPOSAL_STATUSES.items()}
    rows: list[dict[str, Any]] = []
    pairs: list[tuple[str, str]] = []
    for section in text["sections"]:
        first = True
        for p in section["paragraphs"]:
            if only is not None and p["paragraph"] not in only:
                continue
            row = dict(p)
            row["section_heading"] = (section["heading"] or "") if first else None
            row["section_heading_translation"] = section.get("heading_translation", "") if first else None
            row["section_kind"] = section["kind"]
            first = False
            row["state_label"] = states.get(p["state"], p["state"])
            row["html"] = bracketed_html(p["text"], p["brackets"], whole=p["state"] == "bracketed")
            row["proposable"] = drafting and p["state"] in PROPOSABLE
            row["actions"] = [a for a, (sources, _) in TRANSITIONS.items() if p["state"] in sources]
            row["my_objection"] = next((o for o in p["objections"] if o["delegation"] == mine), None)
            proposals = []
            for prop in p["proposals"]:
                item = dict(prop)
                item["mine"] = prop["delegation"] == mine
                item["kind_label"] = kinds.get(prop["kind"], prop["kind"])
                item["status_label"] = statuses.get(prop["status"], prop["status"])
                item["i_support"] = mine in prop["support"]
                item["my_objection"] = next((o for o in prop["objections"] if o["delegation"] == mine), None)
                pairs.append(_proposal_redline_pair(p["text"], prop))
                proposals.append(item)
            row["proposals"] = proposals
            row["has_mine"] = any(i["mine"] or i["i_support"] or i["my_objection"] for i in proposals) or bool(
                row["my_objection"]
            )
            row["has_objections"] = bool(p["objections"]) or any(i["objections"] for i in proposals)
            rows.append(row)
    # the text engine escapes all text it puts in a redline
    for item, (base, new) in zip((i for r in rows for i in r["proposals"]), pairs, strict=True):
        item["redline"] = mark_safe(redline(base, new))
    if show == "proposals":
        rows = [r for r in rows if r["proposals"]]
    elif show == "objections":
        rows = [r for r in rows if r["has_objections"]]
    elif show == "mine":
        rows = [r for r in rows if r["has_mine"]]
    return rows
