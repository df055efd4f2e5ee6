"""Lean reads (issue 18): the text of a draft comes without its proposals
inline (a compact summary per paragraph instead); the proposals come per
paragraph, paged, from their own endpoint, or inline on request; a client
that has the text gets a 304 after one query beyond its token."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drafting import services
from drafting.models import Proposal
from tests.conftest import World

pytestmark = pytest.mark.django_db


def propose(world: World, role: str, index: int, text: str) -> Proposal:
    return services.proposal_submit(
        actor=world.users[role],
        declaration=world.declaration,
        revision_id=world.revision.pk,
        paragraph_id=world.paragraph_ids()[index],
        kind="replace",
        text=text,
    )


def paragraphs(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for s in body["sections"] for p in s["paragraphs"]]


@pytest.fixture
def negotiated(world: World) -> World:
    """OP3 with two proposals (one supported, one objected to), OP1 with one withdrawn."""
    mex = propose(world, "mex", -1, "Promote regular pathways for migrants, with a long and distinctive tail.")
    can = propose(world, "can", -1, "Promote orderly pathways.")
    services.position_set(actor=world.users["ppt"], proposal=mex, stance="support")
    services.position_set(actor=world.users["mex"], proposal=can, stance="object", reason="Too narrow.")
    gone = propose(world, "can", -3, "Withdrawn wording.")
    services.proposal_withdraw(actor=world.users["can"], proposal=gone)
    return world


@pytest.mark.parametrize("which", ["revision", "text"])
def test_the_text_carries_a_summary_per_paragraph_not_the_proposals(negotiated: World, which: str) -> None:
    world = negotiated
    url = (
        f"/api/revisions/{world.revision.pk}/"
        if which == "revision"
        else f"/api/declarations/{world.declaration.pk}/text/"
    )
    response = world.client("arg").get(url)
    assert response.status_code == 200
    body = response.json()
    by_label = {p["label"]: p for p in paragraphs(body)}
    assert all("proposals" not in p for p in by_label.values())
    assert by_label["OP3"]["proposal_summary"] == {
        "count": 2,
        "by_status": {"submitted": 2},
        "delegations": ["CAN", "MEX"],
    }
    assert by_label["OP1"]["proposal_summary"] == {"count": 1, "by_status": {"withdrawn": 1}, "delegations": ["CAN"]}
    assert by_label["PP1"]["proposal_summary"] == {"count": 0, "by_status": {}, "delegations": []}
    # No proposal's wording travels with the text.
    assert b"distinctive tail" not in response.content


def test_the_proposals_inline_on_request_as_before_under_their_own_etag(negotiated: World) -> None:
    world = negotiated
    client = world.client("arg")
    url = f"/api/declarations/{world.declaration.pk}/text/"
    lean = client.get(url)
    inline = client.get(url, {"proposals": "inline"})
    assert inline.status_code == 200 and lean["ETag"] != inline["ETag"]
    op3 = paragraphs(inline.json())[-1]
    assert "proposal_summary" not in op3
    assert [(q["delegation"], q["support"], q["objections"]) for q in op3["proposals"]] == [
        ("MEX", ["SLV"], []),
        ("CAN", [], [{"delegation": "MEX", "reason": "Too narrow."}]),
    ]
    # The rest of the text is the same text.
    shown = ("proposals", "proposal_summary")
    strip = [{k: v for k, v in p.items() if k not in shown} for p in paragraphs(lean.json())]
    assert strip == [{k: v for k, v in p.items() if k != "proposals"} for p in paragraphs(inline.json())]
    assert client.get(url, {"proposals": "inline"}, HTTP_IF_NONE_MATCH=inline["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=inline["ETag"]).status_code == 200
    refused = client.get(url, {"proposals": "all"})
    assert refused.status_code == 400 and "proposals" in refused.json()["fields"]


def test_a_paragraphs_proposals_come_paged_from_their_own_endpoint(negotiated: World) -> None:
    world = negotiated
    op3 = world.paragraph_ids()[-1]
    for i in range(3):
        propose(world, "mex", -1, f"More wording {i}.")
    client = world.client("iom")
    url = f"/api/revisions/{world.revision.pk}/proposals/"
    first = client.get(url, {"paragraph": op3, "page_size": 3})
    assert first.status_code == 200, first.content
    page = first.json()
    assert page["count"] == 5 and page["next"] and page["previous"] is None
    assert [(q["paragraph"], q["delegation"]) for q in page["results"]] == [(op3, "MEX"), (op3, "CAN"), (op3, "MEX")]
    # The same summary the inline text shows, with its paragraph.
    inline = paragraphs(client.get(f"/api/revisions/{world.revision.pk}/", {"proposals": "inline"}).json())[-1]
    assert [{**q, "paragraph": op3} for q in inline["proposals"][:3]] == page["results"]
    second = client.get(page["next"]).json()
    assert [q["text"] for q in second["results"]] == ["More wording 1.", "More wording 2."]
    # Without a paragraph: the revision's proposals, in order of submission.
    everything = client.get(url).json()
    assert everything["count"] == 6
    assert [q["id"] for q in everything["results"]] == sorted(q["id"] for q in everything["results"])


def test_the_proposals_endpoint_refuses_what_the_text_refuses(closed_world: World) -> None:
    world = closed_world
    url = f"/api/revisions/{world.revision.pk}/proposals/"
    assert world.client(None).get(url).status_code == 401
    assert (
        world.client("arg").get(url).status_code == 404
    )  # an observer, at a members-only meeting: inside it, ids are hidden (issue 13)
    assert world.client("mex").get("/api/revisions/987654/proposals/").status_code == 404
    assert world.client("mex").get(url, {"paragraph": "x"}).status_code == 400


def test_a_304_costs_the_token_and_one_query(negotiated: World) -> None:
    """If-None-Match is answered from the declaration's version and the
    reader's access, read together: nothing else is touched."""
    world = negotiated
    client = world.client("can")
    for url in (f"/api/declarations/{world.declaration.pk}/text/", f"/api/revisions/{world.revision.pk}/"):
        etag = client.get(url)["ETag"]
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304
        tables = [q["sql"] for q in ctx.captured_queries]
        # the token (with user and delegation; none once identities are cached); the text's head
        assert len(tables) <= 2, "\n".join(tables)
        assert sum("drafting_declaration" in sql for sql in tables) == 1
        assert not any("drafting_proposal" in sql or "drafting_revisionparagraph" in sql for sql in tables)


def test_access_is_decided_afresh_on_every_read(world: World) -> None:
    """No cache between a change of membership and the next read: an
    observer struck from the meeting cannot read the text it just read,
    even with its ETag."""
    client = world.client("arg")
    url = f"/api/declarations/{world.declaration.pk}/text/"
    first = client.get(url)
    assert first.status_code == 200
    world.meeting.participants.remove(world.delegations["ARG"])
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404
    assert client.get(url).status_code == 404  # no longer taking part: answered as an unknown id (issue 13)
    world.meeting.participants.add(world.delegations["ARG"])
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
