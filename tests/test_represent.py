"""``backend.api.http.represent``: an output serializer built once per thread
answers exactly what a fresh one would, for every proposal shape, and no two
threads share one."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from rest_framework import serializers

from backend.api import http
from backend.api.proposals.serializers import ProposalSerializer
from drafting import services
from drafting.models import Proposal
from tests.conftest import World


@pytest.mark.django_db
def test_a_reused_serializer_answers_what_a_fresh_one_does(world: World) -> None:
    paragraphs = world.paragraph_ids()
    for i, kind in enumerate(("replace", "delete", "insert_after")):
        proposal = services.proposal_submit(
            actor=world.users["mex"],
            declaration=world.declaration,
            revision_id=world.revision.pk,
            paragraph_id=paragraphs[i],
            kind=kind,
            text="" if kind == "delete" else f"Texto {i}.",
            rationale="r",
        )
        services.position_set(actor=world.users["can"], proposal=proposal.pk, stance="object", reason="No.")
    rejected = Proposal.objects.order_by("id").first()
    assert rejected is not None
    services.proposal_decide(actor=world.users["ppt"], proposal=rejected.pk, decision="reject", version=2, note="x")
    proposals = list(Proposal.objects.prefetch_related("positions__delegation").order_by("id"))
    answers = [http.represent(ProposalSerializer, p) for p in proposals]
    assert answers == [ProposalSerializer(p).data for p in proposals]
    assert answers[0]["status"] == "rejected" and answers[0]["decided_by"] == world.users["ppt"].username
    assert [a["positions"][0]["stance"] for a in answers] == ["object"] * 3


class _Note(serializers.Serializer[Any]):
    text = serializers.CharField()


def test_each_thread_builds_its_own_and_keeps_it() -> None:
    built: list[tuple[int, int]] = []
    together = threading.Barrier(3)  # alive at once, so no thread's ident is reused by another

    def answer() -> None:
        together.wait(timeout=10)
        for n in range(2):
            assert http.represent(_Note, {"text": f"n{n}"}) == {"text": f"n{n}"}
            built.append((threading.get_ident(), id(http._outputs.by_class[_Note])))
        together.wait(timeout=10)

    threads = [threading.Thread(target=answer) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    by_thread: dict[int, set[int]] = {}
    for thread, serializer in built:
        by_thread.setdefault(thread, set()).add(serializer)
    assert all(len(ids) == 1 for ids in by_thread.values())  # built once in each thread
    assert len(set().union(*by_thread.values())) == len(by_thread) == 3  # and not shared between them
