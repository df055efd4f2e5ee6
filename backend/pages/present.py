"""The working text as the pages show it: each paragraph's wording with its
brackets, its state in words, and each pending proposal as a redline
against the current wording, with one's own delegation's items marked.

Input is ``drafting.selectors.working_text`` (the API's own reading of the
text); nothing here decides who may do what: that comes from the reader's
:class:`~drafting.access.Role` and the state machine's data.
"""

from __future__ import annotations

import hashlib
from html import escape
from typing import Any

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from backend.pages import labels
from drafting import textengine
from drafting.access import Role
from drafting.states import PROPOSABLE, TRANSITIONS

FILTERS = ("all", "proposals", "objections", "mine")
# A redline depends only on the two texts: cache it by their digest, so the
# text page of 200 paragraphs and 2,000 proposals diffs each pair once.
_REDLINE_TTL = 24 * 3600


def _key(base: str, new: str) -> str:
    digest = hashlib.blake2b(f"{len(base)}:{base}\x00{new}".encode(), digest_size=16).hexdigest()
    return f"redline:{digest}"


def redlines(pairs: list[tuple[str, str]]) -> list[str]:
    """Word redlines (HTML with ``<ins>``/``<del>``) of each (base, new) pair."""
    keys = [_key(b, n) for b, n in pairs]
    found: dict[str, str] = cache.get_many(list(set(keys))) if keys else {}
    missing: dict[str, str] = {}
    out = []
    for key, (base, new) in zip(keys, pairs, strict=True):
        if key not in found:
            found[key] = missing[key] = textengine.redline(base, new)
        out.append(found[key])
    if missing:
        cache.set_many(missing, _REDLINE_TTL)
    return out


def bracketed_html(text: str, brackets: list[dict[str, int]], *, whole: bool) -> SafeString:
    """The wording with its bracketed spans marked (the whole paragraph when
    it is bracketed without spans)."""
    if whole and not brackets:
        brackets = [{"start": 0, "end": len(text)}]
    parts, at = [], 0
    for span in sorted(brackets, key=lambda s: s["start"]):
        parts.append(escape(text[at : span["start"]]))
        parts.append(f'<span class="bracket">[{escape(text[span["start"] : span["end"]])}]</span>')
        at = span["end"]
    parts.append(escape(text[at:]))
    return mark_safe("".join(parts))


def _proposal_redline_pair(paragraph_text: str, proposal: dict[str, Any]) -> tuple[str, str]:
    if proposal["kind"] == "insert_after":
        return "", proposal["text"]
    if proposal["kind"] == "delete":
        return paragraph_text, ""
    return paragraph_text, proposal["text"]


def working_paragraphs(
    text: dict[str, Any], *, role: Role, show: str = "all", drafting: bool = True
) -> list[dict[str, Any]]:
    """Sections flattened to paragraphs, each ready for a template."""
    mine = role.delegation.code if role.delegation else None
    rows: list[dict[str, Any]] = []
    pairs: list[tuple[str, str]] = []
    for section in text["sections"]:
        first = True
        for p in section["paragraphs"]:
            row = dict(p)
            row["section_heading"] = (section["heading"] or "") if first else None
            row["section_kind"] = section["kind"]
            first = False
            row["state_label"] = labels.STATES.get(p["state"], p["state"])
            row["html"] = bracketed_html(p["text"], p["brackets"], whole=p["state"] == "bracketed")
            row["proposable"] = drafting and p["state"] in PROPOSABLE
            row["actions"] = [a for a, (sources, _) in TRANSITIONS.items() if p["state"] in sources]
            row["buttons"] = [(a, labels.ACTIONS[a]) for a in row["actions"] if a not in ("agree_ad_ref", "confirm")]
            row["my_objection"] = next((o for o in p["objections"] if o["delegation"] == mine), None)
            proposals = []
            for prop in p["proposals"]:
                item = dict(prop)
                item["mine"] = prop["delegation"] == mine
                item["kind_label"] = labels.KINDS.get(prop["kind"], prop["kind"])
                item["status_label"] = labels.PROPOSAL_STATUSES.get(prop["status"], prop["status"])
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
    for item, html in zip((i for r in rows for i in r["proposals"]), redlines(pairs), strict=True):
        item["redline"] = mark_safe(html)
    if show == "proposals":
        rows = [r for r in rows if r["proposals"]]
    elif show == "objections":
        rows = [r for r in rows if r["has_objections"]]
    elif show == "mine":
        rows = [r for r in rows if r["has_mine"]]
    return rows
