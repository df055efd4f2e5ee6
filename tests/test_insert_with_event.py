"""A submission writes its proposal and the event that records it together
(``drafting/services/rows.insert_with_event``): one prepared statement on
PostgreSQL, two on SQLite. What lands is what the ORM's two inserts wrote
(every column, the defaults, dates and JSON), the event points at the new
proposal, the declaration's version moves once, and nothing is left of
either when the transaction does not commit."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from drafting.models import Declaration, Event, EventVerb, Proposal
from drafting.services import rows
from drafting.services.events import event_record, proposal_insert_recorded
from tests.conftest import World, needs_postgres

_SKIP = {"id", "created_at", "updated_at"}


def _new(world: World, text: str, **extra: Any) -> Proposal:
    return Proposal(
        declaration=world.declaration,
        paragraph_id=world.paragraph_ids()[0],
        revision=world.revision,
        delegation=world.delegations["MEX"],
        author=world.users["mex"],
        kind=Proposal.Kind.REPLACE,
        base_text="Before.",
        text=text,
        **extra,
    )


def _columns(obj: Any) -> dict[str, Any]:
    fresh = type(obj).objects.get(pk=obj.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields if f.attname not in _SKIP}


AFTER = {"kind": "replace", "text": "Naïve “quotes” and ñ.", "nested": {"list": [1, None, True]}}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"emphasis": [{"start": 0, "end": 5, "style": "italic"}], "refit": {"status": "clean"}, "language": "en"},
    ],
    ids=["defaults", "json-and-language"],
)
def test_the_proposal_and_its_event_are_what_the_orms_two_inserts_write(world: World, extra: Any) -> None:
    actor = world.users["mex"]
    with transaction.atomic():
        by_orm = _new(world, "Naïve “quotes” and ñ.", **extra)
        by_orm.save(force_insert=True)
        orm_event = event_record(
            verb=EventVerb.PROPOSAL_SUBMITTED, actor=actor, obj=by_orm, declaration=world.declaration,
            paragraph=by_orm.paragraph_id, proposal=by_orm, after=AFTER,
        )  # fmt: skip
        together = _new(world, "Naïve “quotes” and ñ.", **extra)
        event = proposal_insert_recorded(
            verb=EventVerb.PROPOSAL_SUBMITTED, actor=actor, proposal=together, declaration=world.declaration,
            after=AFTER,
        )  # fmt: skip

    # Saved as save() leaves an instance: ids set, no longer "adding".
    assert together.pk is not None and together.pk != by_orm.pk and not together._state.adding
    assert event.pk is not None and event.pk > orm_event.pk and not event._state.adding
    assert event.proposal_id == together.pk and event.object_id == str(together.pk)
    assert event.proposal is together  # the cached relation is the row itself, no query
    # Every column as the ORM wrote it (the defaults too: status, version, empty texts).
    assert _columns(together) == _columns(by_orm)
    stored_event, orm_stored = _columns(event), _columns(orm_event)
    assert stored_event.pop("proposal_id") == together.pk and orm_stored.pop("proposal_id") == by_orm.pk
    assert stored_event.pop("object_id") == str(together.pk) and orm_stored.pop("object_id") == str(by_orm.pk)
    assert stored_event == orm_stored
    assert stored_event["after"] == AFTER and stored_event["verb"] == "proposal.submitted"
    # The creation time was taken in Python (auto_now_add) and stored as such.
    assert Proposal.objects.get(pk=together.pk).created_at == together.created_at
    assert abs((together.created_at - timezone.now()).total_seconds()) < 60


@pytest.mark.django_db
def test_the_declarations_version_moves_once_per_recorded_insert(world: World) -> None:
    before = Declaration.objects.get(pk=world.declaration.pk).version
    with transaction.atomic():
        proposal_insert_recorded(
            verb=EventVerb.PROPOSAL_SUBMITTED, actor=world.users["mex"], proposal=_new(world, "One."),
            declaration=world.declaration, after={},
        )  # fmt: skip
    assert Declaration.objects.get(pk=world.declaration.pk).version == before + 1


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_neither_row(world: World) -> None:
    proposals, events = Proposal.objects.count(), Event.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        proposal_insert_recorded(
            verb=EventVerb.PROPOSAL_SUBMITTED, actor=world.users["mex"], proposal=_new(world, "Gone."),
            declaration=world.declaration, after={},
        )  # fmt: skip
        raise RuntimeError("the service refused after writing")
    assert (Proposal.objects.count(), Event.objects.count()) == (proposals, events)


@pytest.mark.django_db(transaction=True)
def test_an_event_that_cannot_be_stored_takes_its_proposal_with_it(world: World) -> None:
    """An event naming a user who does not exist fails its foreign key (both
    databases check it at COMMIT): the proposal goes with it."""
    proposals, events = Proposal.objects.count(), Event.objects.count()
    event = Event(verb=EventVerb.PROPOSAL_SUBMITTED, actor_id=999_999, declaration=world.declaration)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.insert_with_event(_new(world, "Half."), event, links=("proposal_id",))
    assert (Proposal.objects.count(), Event.objects.count()) == (proposals, events)


@needs_postgres
@pytest.mark.django_db
def test_on_postgresql_it_is_one_prepared_statement(world: World) -> None:
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        for text in ("First.", "Second."):
            proposal_insert_recorded(
                verb=EventVerb.PROPOSAL_SUBMITTED, actor=world.users["mex"], proposal=_new(world, text),
                declaration=world.declaration, after={"text": text},
            )  # fmt: skip
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == 2 and all(s.startswith("WITH new_row AS (INSERT") for s in inserts)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'WITH new_row AS (INSERT%%'")
        assert cursor.fetchone()[0] == 1  # planned once, run twice
