"""Identity matching for an imported next revision (issue 13): done by the
worker with the preview, bounded in comparisons; confirm only applies the
stored mapping (it used to match again, quadratically, inside the request's
transaction: 400 paragraphs took 45 s)."""

from __future__ import annotations

from typing import Any

import pytest

from drafting import services
from drafting.errors import Conflict
from drafting.models import RevisionParagraph
from drafting.services import import_jobs
from drafting.services.import_jobs import MAX_CANDIDATES, _Existing, match_identities
from tests.conftest import World


def _words(i: int, n: int = 30) -> str:
    # every paragraph its own vocabulary, sharing common words with all the others
    return " ".join(f"w{i}x{j}" if j % 5 else "of the" for j in range(n))


def test_matching_compares_each_paragraph_with_a_few_candidates_only(monkeypatch: pytest.MonkeyPatch) -> None:
    existing = [_Existing(i, "operative", _words(i), _words(i).split()) for i in range(600)]
    # every paragraph is new (no shared word pairs) but as long as the others
    imported = [{"kind": "operative", "text": _words(10_000 + i)} for i in range(600)]
    calls = 0
    real = _Existing.similarity

    def counted(self: _Existing, words: list[str]) -> float:
        nonlocal calls
        calls += 1
        return real(self, words)

    monkeypatch.setattr(_Existing, "similarity", counted)
    counts = match_identities(existing, imported)
    assert counts["new"] == 600
    assert calls <= (MAX_CANDIDATES + 1) * len(imported)  # quadratic matching made 180,000 comparisons


def test_reworded_paragraphs_still_find_themselves_among_many() -> None:
    existing = [_Existing(i, "operative", _words(i), _words(i).split()) for i in range(300)]
    reworded = [{"kind": "operative", "text": _words(i).replace(f"w{i}x1 ", "changed ")} for i in reversed(range(300))]
    counts = match_identities(existing, reworded)
    assert counts["similar"] == 300 and counts["new"] == 0
    assert [p["paragraph"] for p in reworded] == list(reversed(range(300)))


def _import_next(world: World, text: str) -> int:
    job = services.import_job_create(
        actor=world.users["ts"],
        meeting=world.meeting,
        declaration=world.declaration,
        content=text.encode(),
        filename="rev1.txt",
        dispatch=lambda i: None,
    )
    ran = services.import_job_run(job_id=job.pk)
    assert ran is not None and ran.status == "ready", ran and ran.error
    return job.pk


NEXT = (
    "DECLARATION OF SAN SALVADOR\n\nRecalling the 1st principle of the Charter,\n\n"
    "1. Promote safe, orderly and regular migration and its benefits, item 1.\n\n"
    "2. Promote safe, orderly and regular migration, item 2.\n"
)


@pytest.mark.django_db
def test_confirm_applies_the_mapping_the_worker_stored_without_matching_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = _import_next(world, NEXT)

    def no_matching(*args: Any, **kwargs: Any) -> dict[str, int]:
        raise AssertionError("confirm matched identities again")

    monkeypatch.setattr(import_jobs, "match_identities", no_matching)
    job = services.import_job_confirm(actor=world.users["ts"], job_id=job_id)
    assert job.revision is not None
    old = {r.text: r.paragraph_id for r in RevisionParagraph.objects.filter(revision=world.revision)}
    new = {r.text: r.paragraph_id for r in RevisionParagraph.objects.filter(revision=job.revision)}
    reworded = "Promote safe, orderly and regular migration and its benefits, item 1."
    assert new[reworded] == old["Promote safe, orderly and regular migration, item 1."]


@pytest.mark.django_db
def test_a_preview_matched_against_an_older_revision_is_refused(world: World) -> None:
    job_id = _import_next(world, NEXT)
    # meanwhile another revision is issued
    services.revision_issue(actor=world.users["ts"], declaration=world.declaration, sections=_sections(world))
    with pytest.raises(Conflict, match="new revision since this file was read"):
        services.import_job_confirm(actor=world.users["ts"], job_id=job_id)


def _sections(world: World) -> list[dict[str, Any]]:
    from tests.conftest import zero_draft

    return zero_draft()
