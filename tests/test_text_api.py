"""The text engine through the API: revision diffs by paragraph identity,
the diff a proposal would make, collisions, and re-fitting when a revision
is issued, on the real 2022 declaration."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from drafting.demo import demo_load
from drafting.models import Declaration, Paragraph

pytestmark = pytest.mark.django_db

OP2_START = "The RCM recognizes that the Global Compact for Migration represents a historic step"


def client(username: str) -> APIClient:
    from django.contrib.auth.models import User

    from drafting.models import ApiToken

    c = APIClient()
    c.credentials(
        HTTP_AUTHORIZATION=f"Token {ApiToken.objects.get_or_create(user=User.objects.get(username=username))[0].key}"
    )
    return c


@pytest.fixture
def demo() -> Declaration:
    declaration, _ = demo_load()
    return declaration


def paragraph(declaration: Declaration, start: str) -> Paragraph:
    return Paragraph.objects.get(declaration=declaration, text__startswith=start)


def propose(declaration: Declaration, who: str, p: Paragraph, text: str, kind: str = "replace") -> dict[str, Any]:
    revision = declaration.revisions.order_by("-number").first()
    assert revision is not None
    response = client(who).post(
        "/api/proposals/",
        {"declaration": declaration.pk, "revision": revision.pk, "paragraph": p.pk, "kind": kind, "text": text},
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def test_a_proposal_shows_the_words_it_changes(demo: Declaration) -> None:
    # Given Mexico proposing "decisive" for "historic" in OP2
    op2 = paragraph(demo, OP2_START)
    proposal = propose(demo, "mex", op2, op2.text.replace("a historic step", "a decisive step"))
    # When anyone reads the proposal's diff
    body = client("iom").get(f"/api/proposals/{proposal['id']}/diff/").json()
    # Then it is one word replaced, not character soup, and the redline says so
    changed = [op for op in body["ops"] if op["op"] != "equal"]
    assert changed == [{"op": "delete", "text": "historic"}, {"op": "insert", "text": "decisive"}]
    assert "<del>historic</del><ins>decisive</ins>" in body["html"]
    assert body["base_is_current"] is True and body["collisions"] == []


def test_proposals_editing_the_same_words_are_shown_colliding(demo: Declaration) -> None:
    op2 = paragraph(demo, OP2_START)
    mexico = propose(demo, "mex", op2, op2.text.replace("a historic step", "a decisive step"))
    canada = propose(demo, "can", op2, op2.text.replace("a historic step", "an important step"))
    usa = propose(demo, "usa", op2, op2.text.replace("shared responsibility", "common responsibility"))
    body = client("pan").get(f"/api/proposals/{mexico['id']}/diff/").json()
    assert [(c["proposal"], c["delegation"]) for c in body["collisions"]] == [(canada["id"], "CAN")]
    assert "historic" in body["collisions"][0]["text"]
    assert usa["id"] not in [c["proposal"] for c in body["collisions"]]


def test_revision_diff_reports_paragraphs_by_identity_with_word_ops(demo: Declaration) -> None:
    # Given an accepted wording change in OP2 and an accepted new paragraph after OP3
    op2 = paragraph(demo, OP2_START)
    op3 = paragraph(demo, "Likewise, the RCM celebrates")
    ppt = client("ppt.slv")
    for p in (
        propose(demo, "mex", op2, op2.text.replace("a historic step", "a decisive step")),
        propose(demo, "gtm", op3, "The RCM welcomes the participation of civil society.", kind="insert_after"),
    ):
        assert ppt.post(f"/api/proposals/{p['id']}/accept/", {"version": p["version"]}).status_code == 200
    # When the PPT issues Rev.1 and a delegation asks what changed
    assert ppt.post(f"/api/declarations/{demo.pk}/revisions/next/", {}).status_code == 201
    body = client("can").get(f"/api/declarations/{demo.pk}/diff/").json()
    # Then each paragraph is reported once, by identity: one changed, one inserted, the rest unchanged
    assert (body["from"]["label"], body["to"]["label"]) == ("Zero draft", "Rev.1")
    by_status: dict[str, list[dict[str, Any]]] = {}
    for entry in body["paragraphs"]:
        by_status.setdefault(entry["status"], []).append(entry)
    assert [e["paragraph"] for e in by_status["changed"]] == [op2.pk]
    assert "<del>historic</del><ins>decisive</ins>" in by_status["changed"][0]["html"]
    assert [e["new_label"] for e in by_status["inserted"]] == ["OP4"]
    assert by_status["inserted"][0]["html"] == "<ins>The RCM welcomes the participation of civil society.</ins>"
    assert len(by_status["unchanged"]) == 31 - 1 and "moved" not in by_status
    # And the labels that followed the insertion were renumbered, identity kept
    renumbered = [e for e in body["paragraphs"] if e["old_label"] and e["old_label"] != e["new_label"]]
    assert [(e["old_label"], e["new_label"]) for e in renumbered][:2] == [("OP4", "OP5"), ("OP5", "OP6")]


def test_revision_diff_reports_reordered_paragraphs_as_moved(demo: Declaration) -> None:
    # Given the Secretariat issuing Rev.1 as the zero draft with two operative paragraphs swapped
    # (each named by its identity, text untouched), with paragraphs between them that stay put
    text = client("ts").get(f"/api/declarations/{demo.pk}/text/").json()
    sections = [
        {
            "kind": s["kind"],
            "heading": s["heading"],
            "paragraphs": [
                {"paragraph": p["paragraph"], "kind": p["kind"], "text": p["text"], "emphasis": p["emphasis"]}
                for p in s["paragraphs"]
            ],
        }
        for s in text["sections"]
    ]
    operative = max(sections, key=lambda s: len(s["paragraphs"]))["paragraphs"]
    assert len(operative) >= 5
    first, last = operative[1], operative[-2]
    operative[1], operative[-2] = last, first
    ts = client("ts")
    assert ts.post(f"/api/declarations/{demo.pk}/revisions/", {"sections": sections}, format="json").status_code == 201
    # When a delegation asks what changed
    body = client("can").get(f"/api/declarations/{demo.pk}/diff/").json()
    # Then exactly the two swapped paragraphs are moved, their text unchanged, each under the other's label
    moved = {e["paragraph"]: e for e in body["paragraphs"] if e["status"] == "moved"}
    assert set(moved) == {first["paragraph"], last["paragraph"]}
    assert not any(e["text_changed"] for e in moved.values())
    a, b = moved[first["paragraph"]], moved[last["paragraph"]]
    assert (a["old_label"], a["new_label"]) == (b["new_label"], b["old_label"])
    assert body["counts"]["moved"] == 2
    assert body["counts"]["unchanged"] == len(body["paragraphs"]) - 2


def test_revision_diff_refuses_bad_revisions(demo: Declaration) -> None:
    can = client("can")
    assert can.get(f"/api/declarations/{demo.pk}/diff/").status_code == 409  # only the zero draft
    response = can.get(f"/api/declarations/{demo.pk}/diff/?from=abc")
    assert response.status_code == 400 and "from" in response.json()["fields"]
    assert can.get("/api/declarations/999999/diff/").status_code == 404


def test_issuing_a_revision_refits_pending_proposals_and_shows_before_and_after(demo: Declaration) -> None:
    # Given pending proposals on OP2: one on its first words, one on the words the Secretariat will change
    op2 = paragraph(demo, OP2_START)
    early = propose(demo, "usa", op2, op2.text.replace("The RCM recognizes that", "The RCM acknowledges that"))
    clash = propose(demo, "can", op2, op2.text.replace("a historic step", "an important step"))
    # and Mexico's, proposing exactly the wording the Secretariat will adopt
    same = propose(demo, "mex", op2, op2.text.replace("a historic step", "a decisive step"))
    ppt = client("ppt.slv")
    # When the Secretariat issues Rev.1 with "historic" changed to "decisive"
    ts = client("ts")
    text = client("ts").get(f"/api/declarations/{demo.pk}/text/").json()
    sections = [
        {
            "kind": s["kind"],
            "heading": s["heading"],
            "paragraphs": [
                {
                    "paragraph": p["paragraph"],
                    "kind": p["kind"],
                    "text": p["text"].replace("a historic step", "a decisive step"),
                    "emphasis": p["emphasis"],
                }
                for p in s["paragraphs"]
            ],
        }
        for s in text["sections"]
    ]
    assert ts.post(f"/api/declarations/{demo.pk}/revisions/", {"sections": sections}, format="json").status_code == 201
    # Then the American edit, elsewhere in the paragraph, is re-fitted onto Rev.1 with its before and after
    refitted = ppt.get(f"/api/proposals/{early['id']}/").json()
    assert refitted["status"] == "submitted" and refitted["revision_label"] == "Rev.1"
    assert refitted["text"].startswith("The RCM acknowledges that") and "a decisive step" in refitted["text"]
    assert refitted["refit"]["status"] == "clean"
    assert "a historic step" in refitted["refit"]["before"]["text"]
    # And Canada's, on the very words changed, is conflicted and kept as it was
    conflicted = ppt.get(f"/api/proposals/{clash['id']}/").json()
    assert conflicted["status"] == "conflicted" and conflicted["revision_label"] == "Zero draft"
    assert conflicted["refit"]["conflicts"] and "historic" in conflicted["refit"]["conflicts"][0]["old_text"]
    # And Mexico's, whose wording the revision now holds, counts as incorporated
    assert ppt.get(f"/api/proposals/{same['id']}/").json()["status"] == "incorporated"
    # And the record holds an event for each
    verbs = [
        e["verb"]
        for e in client("can").get(f"/api/declarations/{demo.pk}/record/?paragraph={op2.pk}").json()["results"]
    ]
    assert {"proposal.refitted", "proposal.conflicted", "proposal.incorporated"} <= set(verbs)
