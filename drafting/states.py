"""Negotiation states of a paragraph, and which chair's action moves which.

    open ──open──▶ under discussion ──bracket──▶ bracketed
                        │  ▲                        │
                        │  └────────unbracket───────┘
                        ├──agree ad ref──▶ agreed ad ref ──confirm──▶ agreed
                        └──agree─────────────────────────────────────▶ agreed ──reopen──▶ reopened
    hold: any live state ▶ held ──resume──▶ under discussion
    deleted: set by accepting a delete proposal (kept in history)

Pure data and one function, so the rules can be read in one screen and
tested exhaustively.
"""

from __future__ import annotations

from django.db import models


class State(models.TextChoices):
    OPEN = "open", "Open"
    UNDER_DISCUSSION = "under_discussion", "Under discussion"
    BRACKETED = "bracketed", "Bracketed"
    AGREED_AD_REF = "agreed_ad_ref", "Agreed ad ref"
    AGREED = "agreed", "Agreed"
    HELD = "held", "Held"
    REOPENED = "reopened", "Reopened"
    DELETED = "deleted", "Deleted"


S = State
DISCUSSABLE = (S.UNDER_DISCUSSION, S.BRACKETED, S.REOPENED)

# action → (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[State, ...], State]] = {
    "open": ((S.OPEN,), S.UNDER_DISCUSSION),
    "bracket": (DISCUSSABLE, S.BRACKETED),
    "unbracket": ((S.BRACKETED,), S.UNDER_DISCUSSION),
    "agree_ad_ref": ((S.OPEN, *DISCUSSABLE), S.AGREED_AD_REF),
    "agree": ((S.OPEN, *DISCUSSABLE), S.AGREED),
    "confirm": ((S.AGREED_AD_REF,), S.AGREED),
    "hold": ((S.OPEN, *DISCUSSABLE, S.AGREED_AD_REF), S.HELD),
    "resume": ((S.HELD,), S.UNDER_DISCUSSION),
    "reopen": ((S.AGREED, S.AGREED_AD_REF), S.REOPENED),
}

# Where delegations may still table proposals and take positions.
PROPOSABLE = (S.OPEN, *DISCUSSABLE)
# Actions that declare agreement: refused while a member objects.
NEEDS_CONSENSUS = ("agree", "agree_ad_ref")


def next_state(action: str, current: str) -> State | None:
    """The state ``action`` leads to from ``current``, or None if not allowed."""
    sources, target = TRANSITIONS[action]
    return target if current in sources else None
