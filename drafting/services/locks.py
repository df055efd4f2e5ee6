"""Row locks, always taken in the same order (declaration, then proposal,
then position) so that two services never wait on each other in a cycle.

``select_for_update`` is a no-op on SQLite; there the settings make every
transaction BEGIN IMMEDIATE, which serialises writers on the whole database.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import F
from django.utils.translation import gettext as _

from drafting import live
from drafting.access import Reader, Role, not_found, require_read, require_read_within, role_in
from drafting.errors import Conflict
from drafting.models import AgreedStatement, Declaration, Delegation, Meeting, Paragraph, Proposal, Revision
from drafting.services import rows


def declaration_lock(declaration_id: int) -> Declaration:
    try:
        return Declaration.objects.select_for_update().select_related("meeting").get(pk=declaration_id)
    except Declaration.DoesNotExist as exc:
        raise not_found("declaration") from exc


def declaration_require_drafting(declaration: Declaration) -> None:
    if declaration.status == Declaration.Status.ADOPTED:
        raise Conflict(_("The declaration has been adopted; its text is frozen."))
    if declaration.status == Declaration.Status.SILENCE_PROCEDURE:
        raise Conflict(_("The declaration is under a silence procedure; negotiation is closed."))
    if declaration.status == Declaration.Status.IN_ADOPTION:
        raise Conflict(
            _("The text is before the room for adoption; negotiation is closed unless the PPT withdraws it.")
        )


def declaration_touch(declaration: Declaration) -> None:
    """Mark that what readers see of the declaration changed (see
    Declaration.version) without recording an event. Services do not call
    this: the event they record bumps the version (migration 0013's
    trigger). Kept for the rare change that records none."""
    Declaration.objects.filter(pk=declaration.pk).update(version=F("version") + 1)
    # open pages follow (drafting/live.py): a notice after the commit, whichever process wrote
    live.changed(meeting_id=declaration.meeting_id, declaration_id=declaration.pk)


def proposal_lock(proposal_id: int) -> tuple[Declaration, Proposal]:
    declaration_id = Proposal.objects.filter(pk=proposal_id).values_list("declaration_id", flat=True).first()
    if declaration_id is None:
        raise not_found("proposal")
    declaration = declaration_lock(declaration_id)
    proposal = Proposal.objects.select_for_update().select_related("delegation").get(pk=proposal_id)
    return declaration, proposal


# --- Authorise once, lock once -------------------------------------------------
# Zulip's ``access_message(..., lock_message=True)``: one call reads the
# declaration with its meeting and current revision, locks it, and works out
# the user's role; the service then checks that role (pure rules, no query)
# instead of asking the database again.
#
# Two lock strengths on the declaration row (PostgreSQL; SQLite serialises
# every writer with BEGIN IMMEDIATE and takes none):
# - "update" (FOR UPDATE): what changes the declaration as a whole (decisions,
#   revisions, adoption, paragraph states). It waits for every write in
#   flight on the declaration, and they for it.
# - "share" (FOR KEY SHARE): what adds to one paragraph or one proposal
#   (submissions, positions, withdrawals). Compatible with each other, so two
#   delegations proposing on different paragraphs no longer queue behind one
#   row lock; they lock the paragraph or the proposal (FOR NO KEY UPDATE, below) next, in
#   the usual order. The declaration's version is bumped by the event's
#   insert at the very end (migration 0013's trigger), which holds the row only
#   from there to the commit. KEY SHARE does not conflict with that update
#   (NO KEY UPDATE), so writers in flight never deadlock on it.
#
# No lock a foreign key waits for, under the shared lock. Django's foreign keys
# are DEFERRABLE INITIALLY DEFERRED on PostgreSQL: each is checked (FOR KEY
# SHARE on the row it points to) at COMMIT, after the event's bump, while the
# writer holds the declaration's row. A writer under "share" that locked a
# paragraph or a proposal FOR UPDATE and then waits to bump would wait for a
# committing writer whose check waits for it: a deadlock (the soak's 503s).
# So writers under "share" lock their paragraph or proposal FOR NO KEY UPDATE,
# which still excludes each other but lets foreign-key checks through
# (tests/test_paragraph_locks.py shows it).
#
# A submission takes the same two locks in the same order, but in the one
# statement that writes it, with the checks that what it read still holds
# (``proposals._submission_guard``): it holds no lock while it validates.
DeclarationLock = Literal["none", "share", "update"]

_FOR = {"none": "", "share": " FOR KEY SHARE OF d", "update": " FOR UPDATE OF d"}


def _declaration_read(*, where: str, param: int, lock: DeclarationLock) -> Declaration | None:
    """The declaration and its meeting in one statement, locked as asked.

    Nothing else is read here on purpose: when this statement has to wait for
    the lock, PostgreSQL re-reads the locked row but evaluates subqueries on
    the snapshot taken before the wait, so a "current revision" read here
    could be one that a revision issued meanwhile has replaced. Read such
    things in the next statement, once the lock is held."""
    parts = (DECLARATION, MEETING)
    found = rows.fetch_one(_declaration_read_sql(connection.vendor, where, lock), [param], parts)
    if found is None:
        return None
    (declaration, meeting), _extra = found
    assert isinstance(declaration, Declaration) and isinstance(meeting, Meeting)
    declaration.meeting = meeting
    return declaration


# The declaration and its meeting as the hand-written reads name them (here and in proposals.py).
DECLARATION, MEETING = rows.Part(Declaration, "d"), rows.Part(Meeting, "m")


@cache
def _declaration_read_sql(vendor: str, where: str, lock: DeclarationLock) -> str:
    sql = (
        f"SELECT {rows.columns(DECLARATION, MEETING)} FROM drafting_declaration d "
        f"JOIN drafting_meeting m ON m.id = d.meeting_id WHERE d.id = {where}"
    )
    return sql + (_FOR[lock] if vendor == "postgresql" else "")


def declaration_access(
    *, user: Reader, declaration_id: int, lock: DeclarationLock = "share"
) -> tuple[Declaration, Role]:
    """Read, lock and authorise (read access) in one call; 404 if unknown,
    403 if the user may not read it."""
    declaration = _declaration_read(where="%s", param=declaration_id, lock=lock)
    if declaration is None:
        raise not_found("declaration")
    return declaration, declaration_role_to_read(user, declaration)


def declaration_role_to_read(user: Reader, declaration: Declaration) -> Role:
    """The user's role in the declaration's meeting; 403 if it may not read it."""
    role = role_in(user, declaration.meeting)
    require_read(role, declaration.meeting, kind="declaration")
    return role


def _access_within(
    user: Reader, kind: Literal["proposal", "paragraph"], pk: int, lock: DeclarationLock
) -> tuple[Declaration, Role]:
    """The declaration of the proposal or paragraph ``pk`` (locked as asked)
    and the user's role in its meeting: 404 for an unknown id and for one the
    user may not read."""
    declaration = _declaration_read(
        where=f"(SELECT x.declaration_id FROM drafting_{kind} x WHERE x.id = %s)", param=pk, lock=lock
    )
    if declaration is None:
        raise not_found(kind)
    role = role_in(user, declaration.meeting)
    require_read_within(role, kind)
    return declaration, role


def proposal_access(
    *, user: Reader, proposal_id: int, lock: DeclarationLock = "share"
) -> tuple[Declaration, Proposal, Role]:
    """The proposal's declaration (locked as asked, see above), the proposal
    locked FOR UPDATE with what an answer shows of it (delegation, author,
    revision, decider, source statement) and its paragraph's state
    (``paragraph_state``), and the user's role: 404, 403 as for a read."""
    declaration, role = _access_within(user, "proposal", proposal_id, lock)
    proposal = _proposal_read(proposal_id)
    proposal.declaration = declaration
    return declaration, proposal, role


# What an answer shows of a proposal, joined (select_related's shape): the
# attribute on the proposal, then the row's part.
_PROPOSAL = rows.Part(Proposal, "p")
_PROPOSAL_RELATED = {
    "delegation": rows.Part(Delegation, "g"),
    "author": rows.Part(User, "u"),
    "revision": rows.Part(Revision, "r"),
    "decided_by": rows.Part(User, "b"),
    "source_statement": rows.Part(AgreedStatement, "s"),
}


_PROPOSAL_PARTS = (_PROPOSAL, *_PROPOSAL_RELATED.values())


@cache
def _proposal_read_sql(vendor: str) -> str:
    joins = " ".join(
        f"{'LEFT ' if Proposal._meta.get_field(name).null else ''}JOIN {part.model._meta.db_table} {part.alias} "
        f"ON {part.alias}.id = p.{name}_id"
        for name, part in _PROPOSAL_RELATED.items()
    )
    sql = (
        f"SELECT {rows.columns(*_PROPOSAL_PARTS)}, "
        "(SELECT x.state FROM drafting_paragraph x WHERE x.id = p.paragraph_id) "
        f"FROM drafting_proposal p {joins} WHERE p.id = %s"
    )
    return sql + (" FOR NO KEY UPDATE OF p" if vendor == "postgresql" else "")


def _proposal_read(proposal_id: int) -> Proposal:
    """The proposal with its related rows and its paragraph's state
    (``paragraph_state``), locked FOR NO KEY UPDATE (see "No lock a foreign
    key waits for"): one hand-written statement (drafting/services/rows.py
    says why not the ORM)."""
    sql = _proposal_read_sql(connection.vendor)
    found = rows.fetch_one(sql, [proposal_id], _PROPOSAL_PARTS)
    if found is None:  # gone since the declaration's read: proposals are never deleted, but say so
        raise not_found("proposal")
    (proposal, *related), (state,) = found
    assert isinstance(proposal, Proposal)
    for name, row in zip(_PROPOSAL_RELATED, related, strict=True):
        setattr(proposal, name, row)
    proposal.paragraph_state = state  # type: ignore[attr-defined]
    return proposal


def paragraph_access(
    *, user: Reader, paragraph_id: int, lock: DeclarationLock = "update"
) -> tuple[Declaration, Paragraph, Role]:
    """The paragraph's declaration (locked as asked, see above), the
    paragraph locked FOR UPDATE, and the user's role: 404, 403 as for a read.
    What ``paragraph_get`` then ``paragraph_lock`` did in five statements, in three."""
    declaration, role = _access_within(user, "paragraph", paragraph_id, lock)
    paragraph = Paragraph.objects.select_for_update().get(pk=paragraph_id)
    paragraph.declaration = declaration
    return declaration, paragraph, role
