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
from tests.conftest import World, build_world, needs_postgres, race

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
    for. Here the submission is held between its read and its write while
    the position commits, then let go (since a submission's locks are taken
    by its write, one statement, it holds none while held here; on SQLite,
    BEGIN IMMEDIATE serialises the two and the same outcome holds)."""
    import threading

    from drafting.services import proposals as proposals_module

    world = build_world()
    paragraph = world.paragraph_ids()[0]
    proposal = _submit(world, "mex", paragraph)
    locked, release = threading.Event(), threading.Event()
    clean_text = proposals_module.clean_text

    def held_clean_text(*args, **kwargs):  # type: ignore[no-untyped-def]
        if threading.current_thread().name == "submission" and kwargs.get("field") == "rationale":
            locked.set()  # read and checked, not yet written (see proposal_submit)
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


# The start of a submission's write, which locks its declaration and its
# paragraph and checks that what it read still holds (proposals._submission_guard).
THE_WRITE = "WITH d AS (SELECT d.id FROM drafting_declaration d WHERE"


def _waiting_on_a_lock(text: str, timeout: float = 10) -> bool:
    """Whether a backend waits on a row lock in a statement containing ``text``."""
    import time

    from django.db import connection

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND position(%s in query) > 0",
                [text],
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


def _in_thread(name: str, call, results: dict[str, object]):  # type: ignore[no-untyped-def]
    import threading

    def run() -> None:
        try:
            results[name] = call()
        except Exception as exc:  # asserted on by the test
            results[name] = exc
        finally:
            from django.db import connections

            connections.close_all()

    thread = threading.Thread(name=name, target=run)
    thread.start()
    return thread


def _a_write_waiting_for(issue, held, release, world: World, paragraph: int) -> None:  # type: ignore[no-untyped-def]
    """Run ``issue`` (a revision, held uncommitted once ``held`` is set) and,
    meanwhile, a submission against the revision it replaces, until the
    submission's write waits for the declaration; let the revision commit;
    then the submission must be refused for the new revision, and nothing of
    it left on the old one."""
    from drafting.errors import Conflict

    results: dict[str, object] = {}
    revision = _in_thread("revision", issue, results)
    assert held.wait(10)
    submission = _in_thread("submission", lambda: _submit(world, "mex", paragraph, world.revision), results)
    assert _waiting_on_a_lock(THE_WRITE)
    release.set()
    revision.join(30)
    submission.join(30)
    issued, refused = results["revision"], results["submission"]
    assert isinstance(issued, Revision) and isinstance(refused, Conflict), results
    assert refused.extra["current_revision"] == issued.pk
    assert not Proposal.objects.filter(declaration=world.declaration, revision=world.revision).exists()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_submission_waiting_for_its_declaration_holds_no_paragraph_yet() -> None:
    """A submission's write locks the declaration, then the paragraph (the
    order of drafting/services/locks.py): while it waits for the
    declaration, the paragraph is free."""
    from django.db import connections

    world = build_world()
    paragraph = world.paragraph_ids()[0]
    holder, other = connections.create_connection("default"), connections.create_connection("default")
    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:  # as a decision or a revision does
            cursor.execute("SELECT id FROM drafting_declaration WHERE id = %s FOR UPDATE", [world.declaration.pk])
        results: dict[str, object] = {}
        submission = _in_thread("submission", lambda: _submit(world, "mex", paragraph), results)
        assert _waiting_on_a_lock(THE_WRITE)
        other.set_autocommit(False)
        with other.cursor() as cursor:  # would fail at once (NOWAIT) if the submission held the paragraph
            cursor.execute("SELECT id FROM drafting_paragraph WHERE id = %s FOR UPDATE NOWAIT", [paragraph])
        other.rollback()
        holder.rollback()
        submission.join(30)
    finally:
        holder.close()
        other.close()
    assert isinstance(results["submission"], Proposal), results


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_submission_that_waited_for_a_new_revision_reads_it_and_is_refused(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A submission read the text before a revision being issued committed,
    and its write waits for that revision's lock on the declaration. The
    write's snapshot was taken before the wait, so the new revision is not in
    it; the write sees the declaration's version moved (the revision's event),
    writes nothing, and the submission reads again: written against the
    revision that is no longer current, it is refused, not left behind on it."""
    import threading

    from drafting.models import EventVerb
    from drafting.services import revisions as revisions_module

    world = build_world()
    paragraph = world.paragraph_ids()[-1]
    held, release = threading.Event(), threading.Event()
    event_record = revisions_module.event_record

    def held_event_record(**kwargs):  # type: ignore[no-untyped-def]
        event = event_record(**kwargs)
        if kwargs["verb"] == EventVerb.REVISION_ISSUED:
            held.set()  # the revision, its carry-over and its event are written, not committed
            release.wait(10)
        return event

    monkeypatch.setattr(revisions_module, "event_record", held_event_record)
    issue = lambda: services.revision_issue_from_working_text(actor=world.users["ppt"], declaration=world.declaration)  # noqa: E731
    _a_write_waiting_for(issue, held, release, world, paragraph)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_paragraph_agreed_between_a_submissions_read_and_its_write_refuses_it(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A submission holds no lock while it checks what it read. The PPT
    agrees the paragraph in that moment: the write finds the paragraph is
    not the row it read, writes nothing, and the submission reads again and
    is refused as it would have been had it come after."""
    import threading

    from drafting.errors import Conflict
    from drafting.services import proposals as proposals_module

    world = build_world()
    paragraph = world.paragraph_ids()[0]
    read, release = threading.Event(), threading.Event()
    clean_text = proposals_module.clean_text
    seen = {"rationale": 0}

    def held_clean_text(*args, **kwargs):  # type: ignore[no-untyped-def]
        if threading.current_thread().name == "submission" and kwargs.get("field") == "rationale":
            seen["rationale"] += 1
            if seen["rationale"] == 1:
                read.set()  # read and checked, not yet written
                release.wait(10)
        return clean_text(*args, **kwargs)

    monkeypatch.setattr(proposals_module, "clean_text", held_clean_text)
    results: dict[str, object] = {}
    submission = _in_thread("submission", lambda: _submit(world, "mex", paragraph), results)
    assert read.wait(10)
    services.paragraph_act(actor=world.users["ppt"], paragraph=paragraph, action="agree")  # not kept waiting
    release.set()
    submission.join(30)
    refused = results["submission"]
    assert isinstance(refused, Conflict) and refused.extra == {"paragraph_state": "agreed"}, results
    assert seen["rationale"] == 1  # the second read stopped at the paragraph's state, before any cleaning
    assert not Proposal.objects.filter(paragraph_id=paragraph).exists()


@pytest.mark.django_db
def test_a_submission_whose_write_keeps_colliding_is_a_503_to_send_again(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Should the guard fail at every attempt (changes racing each one), the
    submission gives up after a few with a 503 and Retry-After, writing nothing."""
    from drafting.errors import Unavailable
    from drafting.services import rows

    attempts = {"n": 0}

    def always_changed(*args, **kwargs):  # type: ignore[no-untyped-def]
        attempts["n"] += 1
        return False

    monkeypatch.setattr(rows, "insert_with_event", always_changed)
    with pytest.raises(Unavailable) as refused:
        _submit(world, "mex", world.paragraph_ids()[0])
    assert attempts["n"] == 3
    assert refused.value.headers == {"Retry-After": "1"}
    assert not Proposal.objects.filter(declaration=world.declaration).exists()
    response = world.client("mex").post(
        "/api/proposals/",
        {"declaration": world.declaration.pk, "revision": world.revision.pk, "paragraph": world.paragraph_ids()[0],
         "kind": "replace", "text": "Other words."},
        format="json",
    )  # fmt: skip
    assert response.status_code == 503 and response["Retry-After"] == "1", response.content


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_revision_that_leaves_the_paragraph_untouched_is_still_seen_by_a_waiting_write() -> None:
    """As above, but the new revision does not touch the submission's
    paragraph row (so only the declaration's moved version can tell the
    write that its snapshot is stale)."""
    import threading

    from django.db import transaction

    from drafting.models import EventVerb
    from drafting.services.events import event_record

    world = build_world()
    paragraph = world.paragraph_ids()[-1]
    held, release = threading.Event(), threading.Event()

    def issue_without_touching_paragraphs() -> Revision:
        ppt = world.users["ppt"]
        with transaction.atomic():
            declaration = Declaration.objects.select_for_update().get(pk=world.declaration.pk)
            revision = Revision.objects.create(declaration=declaration, number=1, label="Rev.1", issued_by=ppt)
            event_record(verb=EventVerb.REVISION_ISSUED, actor=ppt, obj=revision, declaration=declaration)
            held.set()
            release.wait(10)
        return revision

    _a_write_waiting_for(issue_without_touching_paragraphs, held, release, world, paragraph)
