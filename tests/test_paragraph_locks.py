"""Per-paragraph locking (issue 18): submissions and positions take a shared
lock on the declaration and an exclusive one on the paragraph or proposal,
so writers on different paragraphs run at once; what changes the
declaration as a whole (a decision, a revision) still excludes them all.

Real threads with their own connections, released together (``race``). On
PostgreSQL these exercise FOR KEY SHARE against FOR UPDATE and the event
trigger's version bump (no deadlock, nothing lost); on SQLite, BEGIN
IMMEDIATE serialises the same calls and the same invariants hold.
"""

from __future__ import annotations

import itertools

import pytest

from drafting import services
from drafting.errors import DomainError
from drafting.models import Declaration, Event, Position, Proposal, Revision
from tests.conftest import World, build_world, race

MEMBERS = ["mex", "can", "ppt"]  # the member delegations present in build_world()
WORDS = itertools.count()


def _submit(world: World, role: str, paragraph: int, revision: Revision | None = None) -> Proposal:
    return services.proposal_submit(
        actor=world.users[role],
        declaration=world.declaration,
        revision_id=(revision or world.revision).pk,
        paragraph_id=paragraph,
        kind="replace",
        text=f"Wording {next(WORDS)} proposed by {role}.",
    )


def _version(world: World) -> int:
    return Declaration.objects.values_list("version", flat=True).get(pk=world.declaration.pk)


def _only_domain_errors(results: list[object]) -> None:
    """A writer either succeeds or is refused with a clear domain error:
    never a deadlock or another database error."""
    for result in results:
        assert not isinstance(result, Exception) or isinstance(result, DomainError), repr(result)


@pytest.mark.django_db(transaction=True)
def test_submissions_on_many_paragraphs_at_once_all_land_and_each_bumps_the_version() -> None:
    # Given three delegations, each proposing on its own paragraph and on a shared one, at the same moment
    world = build_world()
    paragraphs = world.paragraph_ids()
    before = _version(world)
    own = [paragraphs[i % len(paragraphs)] for i in range(len(MEMBERS))]
    calls = [lambda r=role, p=paragraph: _submit(world, r, p) for role, paragraph in zip(MEMBERS, own, strict=True)]
    calls += [lambda r=role: _submit(world, r, paragraphs[0]) for role in MEMBERS]
    # When they all run together
    results = race(*calls)
    # Then every one landed, once, and the declaration's version moved once per write
    _only_domain_errors(results)
    assert all(isinstance(r, Proposal) for r in results), results
    assert Proposal.objects.filter(declaration=world.declaration).count() == len(calls)
    assert len({r.pk for r in results if isinstance(r, Proposal)}) == len(calls)
    assert _version(world) == before + len(calls)
    assert Event.objects.filter(declaration=world.declaration, verb="proposal.submitted").count() == len(calls)


@pytest.mark.django_db(transaction=True)
def test_positions_on_different_proposals_and_a_decision_racing_them_lose_nothing() -> None:
    # Given three pending proposals by Mexico
    world = build_world()
    paragraphs = world.paragraph_ids()
    proposals = [_submit(world, "mex", paragraphs[i]) for i in range(3)]
    target = proposals[0]
    before = _version(world)
    # When Canada and El Salvador take positions on all of them while the PPT accepts the first
    calls = [
        lambda r=role, p=proposal: services.position_set(actor=world.users[r], proposal=p, stance="support")
        for role in ("can", "ppt")
        for proposal in proposals
    ]
    calls.append(
        lambda: services.proposal_decide(actor=world.users["ppt"], proposal=target, decision="accept", version=1)
    )
    results = race(*calls)
    # Then nothing failed other than with a domain error, and each success left exactly its row
    _only_domain_errors(results)
    landed = [r for r in results[:-1] if isinstance(r, Position)]
    assert Position.objects.filter(proposal__in=proposals).count() == len(landed)
    for proposal in proposals[1:]:  # untouched by the decision: both positions, version 1 + 2
        proposal.refresh_from_db()
        assert proposal.version == 1 + 2
        assert Position.objects.filter(proposal=proposal).count() == 2
    decided = results[-1]
    target.refresh_from_db()
    if isinstance(decided, Proposal):
        # accepted on the version it saw: no position had landed on it before
        assert target.status == Proposal.Status.ACCEPTED
        assert not Position.objects.filter(proposal=target).exists()
    else:
        assert target.status == Proposal.Status.SUBMITTED
    # and the declaration's version counted every write (one event each)
    writes = len(landed) + (1 if isinstance(decided, Proposal) else 0)
    assert _version(world) >= before + writes


@pytest.mark.django_db(transaction=True)
def test_a_submission_racing_a_new_revision_is_carried_over_or_refused_never_left_behind() -> None:
    world = build_world()
    paragraphs = world.paragraph_ids()
    for _ in range(4):
        revision = Revision.objects.filter(declaration=world.declaration).order_by("-number").first()
        assert revision is not None
        # When a delegation proposes against the current revision as the PPT issues the next one
        results = race(
            lambda rev=revision: _submit(world, "mex", paragraphs[-1], rev),
            lambda: services.revision_issue_from_working_text(actor=world.users["ppt"], declaration=world.declaration),
        )
        _only_domain_errors(results)
        assert isinstance(results[1], Revision), results
        # Then no pending proposal is left on a revision that is no longer current
        current = Revision.objects.filter(declaration=world.declaration).order_by("-number").first()
        stale = Proposal.objects.filter(declaration=world.declaration, status=Proposal.Status.SUBMITTED).exclude(
            revision=current
        )
        assert not stale.exists(), list(stale.values("id", "revision_id"))


@pytest.mark.django_db(transaction=True)
def test_a_position_committing_while_a_submission_holds_its_paragraph_does_not_deadlock(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The soak's 503s (issue 18's per-paragraph locks): on PostgreSQL, Django's
    foreign keys are checked at COMMIT (DEFERRABLE INITIALLY DEFERRED), so a
    position's event takes FOR KEY SHARE on its paragraph only then, after the
    event trigger bumped the declaration. A submission that held the same
    paragraph FOR UPDATE and then bumped the declaration waited for the
    position, which waited for it: "deadlock detected". Submissions now lock
    the paragraph FOR NO KEY UPDATE, which a foreign-key check does not wait
    for. Here the submission is held just after its paragraph lock while the
    position commits, then let go (on SQLite, BEGIN IMMEDIATE serialises the
    two and the same outcome holds)."""
    import threading

    from drafting.services import proposals as proposals_module

    world = build_world()
    paragraph = world.paragraph_ids()[0]
    proposal = _submit(world, "mex", paragraph)
    locked, release = threading.Event(), threading.Event()
    clean_text = proposals_module.clean_text

    def held_clean_text(*args, **kwargs):  # type: ignore[no-untyped-def]
        if threading.current_thread().name == "submission" and kwargs.get("field") == "rationale":
            locked.set()  # the paragraph is locked by now (see proposal_submit)
            release.wait(10)
        return clean_text(*args, **kwargs)

    monkeypatch.setattr(proposals_module, "clean_text", held_clean_text)
    results: dict[str, object] = {}

    def run(name: str, call) -> None:  # type: ignore[no-untyped-def]
        try:
            results[name] = call()
        except Exception as exc:  # asserted on below
            results[name] = exc
        finally:
            from django.db import connections

            connections.close_all()

    submission = threading.Thread(
        name="submission", target=run, args=("submission", lambda: _submit(world, "can", paragraph))
    )
    position = threading.Thread(
        name="position",
        target=run,
        args=("position", lambda: services.position_set(actor=world.users["ppt"], proposal=proposal, stance="support")),
    )
    # Given a submission holding the paragraph
    submission.start()
    assert locked.wait(10)
    # When a support on another proposal of that paragraph commits meanwhile (on PostgreSQL it must not wait)
    position.start()
    position.join(3)
    release.set()
    submission.join(30)
    position.join(30)
    # Then both landed: no deadlock, nothing refused
    _only_domain_errors(list(results.values()))
    assert not any(isinstance(r, Exception) for r in results.values()), results
    assert Position.objects.filter(proposal=proposal, delegation=world.users["ppt"].delegate.delegation).exists()
    assert Proposal.objects.filter(declaration=world.declaration, paragraph_id=paragraph).count() == 2
