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


def grow(world: World, n: int) -> None:
    """n more proposals, each with a support and an objection."""
    paragraphs = world.paragraph_ids()
    for i in range(n):
        proposal = services.proposal_submit(
            actor=world.users["mex"],
            declaration=world.declaration,
            revision_id=world.revision.pk,
            paragraph_id=paragraphs[i % len(paragraphs)],
            kind="replace",
            text=f"Wording number {i}.",
        )
        services.position_set(actor=world.users["can"], proposal=proposal, stance="support")
        services.position_set(actor=world.users["ppt"], proposal=proposal, stance="object", reason="No.")


def count(world: World, url: str, role: str = "mex") -> int:
    client = world.client(role)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


URLS = [
    "/api/proposals/",
    "/api/events/",
    "/api/declarations/",
    "/api/meetings/",
    "/api/delegations/",
    "/api/revisions/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_list_query_count_does_not_grow_with_rows(world: World, url: str) -> None:
    grow(world, 3)
    small = count(world, url)
    grow(world, 12)
    assert count(world, url) == small


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
    # auth + role + declaration version + sections, paragraphs, proposals, positions
    assert small["revision"] <= 12


@pytest.mark.django_db
def test_paragraph_detail_query_count_is_fixed(world: World) -> None:
    paragraph = world.paragraph_ids()[0]
    grow(world, 2)
    small = count(world, f"/api/paragraphs/{paragraph}/")
    grow(world, 10)
    assert count(world, f"/api/paragraphs/{paragraph}/") == small
