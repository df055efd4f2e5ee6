"""``backend.api.http.represent``: an output serializer built once per thread
answers exactly what a fresh one would, for every proposal shape, and no two
threads share one; ``validated``: an input serializer built once per thread
accepts and refuses exactly as a fresh one."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from backend.api import http
from backend.api.proposals.serializers import (
    DecisionSerializer,
    PositionInputSerializer,
    ProposalSerializer,
    ProposalSubmitSerializer,
)
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
            built.append((threading.get_ident(), id(http._serializers.by_class[_Note])))
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


INPUTS: list[tuple[type[serializers.Serializer[Any]], Any]] = [
    (ProposalSubmitSerializer, {"declaration": 1, "revision": 2, "paragraph": 3, "kind": "replace", "text": "Texto."}),
    (ProposalSubmitSerializer, {"declaration": 1, "revision": 2, "paragraph": 3, "kind": "delete", "language": "en"}),
    (
        ProposalSubmitSerializer,
        {
            "declaration": 1,
            "revision": 2,
            "paragraph": 3,
            "kind": "replace",
            "text": "Texto nuevo.",
            "emphasis": [{"start": 0, "end": 5, "style": "italic"}],
            "base_text": "Texto.",
        },
    ),
    (ProposalSubmitSerializer, {"declaration": "x", "kind": "rewrite", "emphasis": [{"start": -1}]}),  # many errors
    (ProposalSubmitSerializer, ["not", "an", "object"]),
    (ProposalSubmitSerializer, {"declaration": 1, "revision": 2, "paragraph": 3, "kind": "replace", "text": 5}),
    (PositionInputSerializer, {"reason": "Con reservas."}),
    (PositionInputSerializer, {}),
    (PositionInputSerializer, {"reason": ["a list"]}),
    (DecisionSerializer, {"version": 3, "note": "Aceptada.", "original_text": ""}),
    (DecisionSerializer, {"version": "three", "original_emphasis": "bold"}),
]


def _fresh(serializer_class: type[serializers.Serializer[Any]], data: Any) -> tuple[str, Any]:
    serializer = serializer_class(data=data)
    if serializer.is_valid():
        return "valid", dict(serializer.validated_data)
    return "invalid", serializer.errors


def _reused(serializer_class: type[serializers.Serializer[Any]], data: Any) -> tuple[str, Any]:
    try:
        return "valid", http.validated(serializer_class, data)
    except ValidationError as exc:
        return "invalid", exc.detail


def test_a_reused_input_serializer_validates_and_refuses_as_a_fresh_one_does() -> None:
    # Twice over, valid and invalid input interleaved: nothing of one call is left for the next.
    for _ in range(2):
        for serializer_class, data in INPUTS:
            assert _reused(serializer_class, data) == _fresh(serializer_class, data), data
    assert _fresh(*INPUTS[3])[0] == "invalid" and _fresh(*INPUTS[0])[0] == "valid"
