"""Every read endpoint of the API runs a pinned number of queries, the same
on a small and on a larger negotiation (issue 18: "query counts pinned for
every read"). A new GET endpoint fails ``test_every_read_endpoint_is_pinned``
until it is given its budget here; a budget that changes should be a
decision, written down beside it, not a drift.

tests/test_query_counts.py pins the list endpoints on their own (with their
history); this file covers every route that answers GET, detail views and
downloads included, and reads the budget as "at most", so a saving is never
a failure: lower the pin when you make one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.api import urls as api_urls
from drafting import services
from drafting.models import AgreedStatement, ExportJob, Proposal
from tests.conftest import World, build_world, silence_under_way
from tests.queries import grow

pytestmark = pytest.mark.django_db

DRAFT = b"Declaration of Tegucigalpa\n\n1. Reaffirm the commitment to safe, orderly and regular migration.\n"


@dataclass
class Fixture:
    """What the endpoints read: ids made once per test, before counting."""

    world: World
    proposal: int
    export: int
    import_job: int
    statement: int
    adopting: int  # a declaration of another meeting, under silence


def setup(world: World) -> Fixture:
    from workers import tasks

    grow(world, 2)
    job, _ = services.export_job_request(
        actor=world.users["ts"],
        declaration_id=world.declaration.pk,
        kind="clean",
        pdf_available=False,
        dispatch=lambda job_id: None,
    )
    tasks.export_render(job.pk)
    assert ExportJob.objects.get(pk=job.pk).status == "done"
    imported = services.import_job_create(
        actor=world.users["ts"], meeting=world.meeting, content=DRAFT, filename="draft.txt", dispatch=lambda _: None
    )
    services.import_job_run(job_id=imported.pk)
    statement = AgreedStatement.objects.create(
        text_en="Promote safe, orderly and regular migration.",
        meeting_label="XXI RCM",
        year=2016,
        paragraph_label="Decision 12",
        origin="seed",
        import_key="pin-1",
    )
    proposal = Proposal.objects.filter(declaration=world.declaration).order_by("id").first()
    assert proposal is not None
    # Rev.1 (the diff compares it with the zero draft); the proposals are carried over to it.
    world.revision = services.revision_issue_from_working_text(actor=world.users["ppt"], declaration=world.declaration)
    adopting = build_world(title="Silence procedure meeting")
    silence_under_way(adopting, 3600)
    return Fixture(world, proposal.pk, job.pk, imported.pk, statement.pk, adopting.declaration.pk)


# route name → (role, path from the fixture, queries at most). "Token" is the
# token with its user and delegation (one query); most reads then make one
# access query and their own reads.
Path = Callable[[Fixture], str]
PINS: dict[str, tuple[str, Path, int]] = {
    "token-list": ("mex", lambda f: "/api/auth/tokens/", 3),
    "lockout-list": ("ts", lambda f: "/api/auth/lockouts/", 4),
    "me": ("mex", lambda f: "/api/me/", 3),
    "health": ("mex", lambda f: "/api/health/", 1),
    "delegation-list": ("mex", lambda f: "/api/delegations/", 3),
    "delegation-detail": ("mex", lambda f: f"/api/delegations/{f.world.delegations['MEX'].pk}/", 2),
    "meeting-list": ("mex", lambda f: "/api/meetings/", 3),
    "meeting-detail": ("mex", lambda f: f"/api/meetings/{f.world.meeting.pk}/", 5),
    "declaration-list": ("mex", lambda f: "/api/declarations/", 3),
    "declaration-detail": ("mex", lambda f: f"/api/declarations/{f.world.declaration.pk}/", 3),
    "declaration-revisions": ("mex", lambda f: f"/api/declarations/{f.world.declaration.pk}/revisions/", 5),
    "declaration-text": ("mex", lambda f: f"/api/declarations/{f.world.declaration.pk}/text/", 8),
    "declaration-working-text": ("mex", lambda f: f"/api/declarations/{f.world.declaration.pk}/working-text/", 8),
    "declaration-adoption": ("mex", lambda f: f"/api/declarations/{f.adopting}/adoption/", 7),
    "declaration-translations": ("ts", lambda f: f"/api/declarations/{f.world.declaration.pk}/translations/", 8),
    "declaration-statements": ("mex", lambda f: f"/api/declarations/{f.world.declaration.pk}/statements/", 4),
    "declaration-record": ("mex", lambda f: f"/api/declarations/{f.world.declaration.pk}/record/", 5),
    "declaration-diff": ("mex", lambda f: f"/api/declarations/{f.world.declaration.pk}/diff/", 8),
    "revision-list": ("mex", lambda f: "/api/revisions/", 3),
    "revision-detail": ("mex", lambda f: f"/api/revisions/{f.world.revision.pk}/", 8),
    "revision-proposals": ("mex", lambda f: f"/api/revisions/{f.world.revision.pk}/proposals/", 6),
    "paragraph-detail": ("mex", lambda f: f"/api/paragraphs/{f.world.paragraph_ids()[0]}/", 10),
    "proposal-list": ("mex", lambda f: "/api/proposals/", 5),
    "proposal-detail": ("mex", lambda f: f"/api/proposals/{f.proposal}/", 5),
    "proposal-diff": ("mex", lambda f: f"/api/proposals/{f.proposal}/diff/", 7),
    "event-list": ("mex", lambda f: "/api/events/", 3),
    "export-list": ("ts", lambda f: "/api/exports/", 3),
    "export-detail": ("ts", lambda f: f"/api/exports/{f.export}/", 4),
    "export-file": ("ts", lambda f: f"/api/exports/{f.export}/file/", 4),
    "import-detail": ("ts", lambda f: f"/api/imports/{f.import_job}/", 4),
    "library-search": ("mex", lambda f: "/api/library/?q=migration", 4),
    "library-statement": ("mex", lambda f: f"/api/library/{f.statement}/", 4),
    "meeting-accounts": ("ts", lambda f: f"/api/meetings/{f.world.meeting.pk}/accounts/", 5),
}


def count(fixture: Fixture, name: str) -> int:
    from drafting.access_cache import access_caches_clear

    role, path, _ = PINS[name]
    client = fixture.world.client(role)
    access_caches_clear()  # the cold path: identity and role read from the database (h18w's cache)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path(fixture))
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, (name, response.status_code, response.content[:300])
    return len([q for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))])


def test_every_read_endpoint_is_pinned() -> None:
    readable = {
        p.name
        for p in api_urls.urlpatterns
        if hasattr(getattr(p.callback, "view_class", None), "get")  # type: ignore[union-attr]
    }
    assert readable == set(PINS), {"not pinned": readable - set(PINS), "gone": set(PINS) - readable}


@pytest.mark.parametrize("name", sorted(PINS))
def test_a_read_runs_its_pinned_queries_whatever_the_size(world: World, name: str) -> None:
    fixture = setup(world)
    User.objects.filter(pk=world.users["ts"].pk).update(is_staff=True)  # the lockout list is for staff
    small = count(fixture, name)
    grow(world, 8)
    large = count(fixture, name)
    assert (small, large) == (small, small), f"{name}: {small} queries, then {large} with more rows"
    assert small <= PINS[name][2], f"{name}: {small} queries, pinned at {PINS[name][2]}"
