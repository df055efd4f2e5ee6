"""What the query-count tests share: the statements a request ran, and a
world grown by n proposals (to show a count does not grow with the rows)."""

from __future__ import annotations

from django.test.utils import CaptureQueriesContext

from drafting import services
from tests.conftest import World


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The SQL run, without transaction control (BEGIN, COMMIT, SAVEPOINT, RELEASE)."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))
    ]


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
