"""``drafting/services/rows.py``: the hand-written reads on every write's path
build the same models the ORM would (every field converted as a queryset
converts it, LEFT JOINs' missing rows as None), so that an answer built from
them needs no further query."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from backend.api.proposals.serializers import ProposalSerializer
from drafting import services
from drafting.models import AgreedStatement, Paragraph, Proposal
from drafting.services.locks import proposal_access
from tests.conftest import World


def _fields(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.django_db
@pytest.mark.parametrize("decided", [False, True])
def test_a_proposal_read_by_hand_is_the_one_the_orm_reads(world: World, decided: bool) -> None:
    paragraph = world.paragraph_ids()[2]
    proposal = services.proposal_submit(
        actor=world.users["mex"],
        declaration=world.declaration,
        revision_id=world.revision.pk,
        paragraph_id=paragraph,
        kind="replace",
        text="Reafirmamos el compromiso.",
        emphasis=[{"start": 0, "end": 11, "style": "italic"}],
        rationale="Más claro.",
        language="es",
    )
    if decided:
        services.proposal_decide(
            actor=world.users["ppt"], proposal=proposal.pk, decision="reject", version=proposal.version, note="No."
        )
        statement = AgreedStatement.objects.create(
            import_key="rows:1", text_en="Promote safe migration.", meeting_label="XXI RCM", year=2016, tags=["a"]
        )
        Proposal.objects.filter(pk=proposal.pk).update(source_statement=statement)

    expected = Proposal.objects.select_related(
        "delegation", "author", "revision", "decided_by", "source_statement"
    ).get(pk=proposal.pk)
    with transaction.atomic():
        _declaration, read, _role = proposal_access(user=world.users["can"], proposal_id=proposal.pk)
    assert _fields(read) == _fields(expected)
    assert read.emphasis == [{"start": 0, "end": 11, "style": "italic"}]  # JSON decoded, as the ORM does
    assert read.paragraph_state == Paragraph.objects.get(pk=paragraph).state  # type: ignore[attr-defined]
    for name in ("delegation", "author", "revision", "decided_by", "source_statement"):
        mine, theirs = getattr(read, name), getattr(expected, name)
        assert (mine is None) == (theirs is None) == (name in ("decided_by", "source_statement") and not decided)
        if mine is not None:
            assert type(mine) is type(theirs) and _fields(mine) == _fields(theirs), name
    read._prefetched_objects_cache = {"positions": Proposal.objects.none()}  # type: ignore[attr-defined]
    expected._prefetched_objects_cache = {"positions": Proposal.objects.none()}  # type: ignore[attr-defined]
    with CaptureQueriesContext(connection) as queries:
        answer = ProposalSerializer(read).data
    assert queries.captured_queries == []  # every related row came with the read
    assert answer == ProposalSerializer(expected).data


@pytest.mark.django_db
def test_an_unknown_proposal_is_not_found(world: World) -> None:
    from drafting.errors import NotFound

    with pytest.raises(NotFound), transaction.atomic():
        proposal_access(user=world.users["can"], proposal_id=10**9)


@pytest.mark.django_db
def test_the_paragraph_a_submission_reads_by_hand_is_the_one_the_orm_reads(world: World) -> None:
    from drafting.models import Declaration, RevisionParagraph
    from drafting.services.proposals import _read_to_propose
    from tests.conftest import build_world

    paragraph_id = world.paragraph_ids()[1]
    actor = world.users["mex"]
    declaration, role, paragraph, current, guard = _read_to_propose(
        actor=actor, declaration_id=world.declaration.pk, paragraph_id=paragraph_id
    )
    assert paragraph is not None and current is not None and guard is not None
    assert _fields(paragraph) == _fields(Paragraph.objects.get(pk=paragraph_id))
    assert _fields(declaration) == _fields(Declaration.objects.get(pk=world.declaration.pk))
    assert role.delegation == world.delegations["MEX"]
    assert (current.pk, current.label, current.number) == (world.revision.pk, world.revision.label, 0)
    placed = RevisionParagraph.objects.get(revision=world.revision, paragraph_id=paragraph_id)
    assert paragraph.revision_label == placed.label  # type: ignore[attr-defined]
    # The guard checks the paragraph's row version where the database has one (PostgreSQL's xmin).
    assert (guard.params[-1] is not None) == (connection.vendor == "postgresql")
    other = build_world(title="Another meeting")
    _, _, none, no_revision, no_guard = _read_to_propose(
        actor=other.users["mex"], declaration_id=other.declaration.pk, paragraph_id=paragraph_id
    )
    assert (none, no_revision, no_guard) == (None, None, None)
