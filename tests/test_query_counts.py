"""List endpoints run a fixed number of queries whatever the number of rows
(no N+1). Each test counts the queries for a small and a larger data set and
pins both to the same number."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drafting import services
from tests.conftest import World
from tests.queries import grow


def count(world: World, url: str, role: str = "mex") -> int:
    from drafting.access_cache import access_caches_clear

    client = world.client(role)
    access_caches_clear()  # the cold path: identity and role read from the database
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


# URL → queries, pinned: token + user (auth), the page's count and rows, and
# what each list adds (role checks, positions of the proposals ...). "@" is
# the declaration. A change here should be a decision, not a drift.
URLS = {
    "/api/proposals/": 5,
    "/api/events/": 3,
    "/api/declarations/": 3,
    "/api/meetings/": 3,
    "/api/delegations/": 3,
    "/api/revisions/": 3,
    "/api/exports/": 3,
    "/api/declarations/@/revisions/": 5,
    "/api/declarations/@/statements/": 4,
    "/api/declarations/@/record/": 5,
    "/api/declarations/@/working-text/": 8,
}


def export(world: World) -> None:
    services.export_job_request(
        actor=world.users["ts"],
        declaration_id=world.declaration.pk,
        kind="record",
        pdf_available=False,
        dispatch=lambda job_id: None,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("url", sorted(URLS))
def test_list_query_count_is_pinned_and_does_not_grow_with_rows(world: World, url: str) -> None:
    path = url.replace("@", str(world.declaration.pk))
    grow(world, 3)
    export(world)
    assert count(world, path) == URLS[url]
    grow(world, 12)
    export(world)  # a second job: the record grew
    assert count(world, path) == URLS[url]


@pytest.mark.django_db
def test_revision_text_is_a_fixed_handful_of_queries(world: World) -> None:
    grow(world, 3)
    urls: dict[str, Any] = {
        "revision": f"/api/revisions/{world.revision.pk}/",
        "current text": f"/api/declarations/{world.declaration.pk}/text/",
    }
    small = {name: count(world, url) for name, url in urls.items()}
    grow(world, 20)
    assert {name: count(world, url) for name, url in urls.items()} == small
    # auth + role + declaration version + sections, paragraphs, proposals, positions, incorporated proposals
    assert small["revision"] <= 12


@pytest.mark.django_db
def test_paragraph_detail_query_count_is_fixed(world: World) -> None:
    paragraph = world.paragraph_ids()[0]
    grow(world, 2)
    small = count(world, f"/api/paragraphs/{paragraph}/")
    grow(world, 10)
    assert count(world, f"/api/paragraphs/{paragraph}/") == small


@pytest.mark.django_db
def test_issuing_a_revision_carries_pending_proposals_over_in_a_fixed_number_of_queries(world: World) -> None:
    """Carrying proposals over is one UPDATE per (status, revision), not Django's
    bulk_update, whose CASE WHEN per row and field took ~15 s for 2,000 proposals
    inside the declaration's lock (bench/scale_ga.py)."""
    from drafting.models import Proposal

    def issue() -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            world.revision = services.revision_issue_from_working_text(
                actor=world.users["ppt"], declaration=world.declaration
            )
        return [q["sql"] for q in ctx.captured_queries]

    grow(world, 3)
    small = issue()
    grow(world, 30)
    versions = dict(Proposal.objects.filter(status="submitted").values_list("pk", "version"))
    large = issue()
    assert len(large) == len(small)
    assert not any("CASE WHEN" in sql for sql in large)
    carried = Proposal.objects.filter(pk__in=versions)
    assert {(p.status, p.revision_id) for p in carried} == {("submitted", world.revision.pk)}
    assert all(p.version == versions[p.pk] + 1 for p in carried)
