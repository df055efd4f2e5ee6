"""A proposal submission answers with what a read of the proposal shows, in
a fixed, small number of queries (the soak's per-submission cost: see
bench/RESULTS.md, "Soak")."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import World
from tests.queries import statements as queries_run

# token 1, role 1; the service's read (the declaration, its meeting, the
# paragraph, the current revision and the paragraph's label in it: one
# statement, no lock); its write (the proposal and its event, guarded: one
# statement on PostgreSQL, two on SQLite). History: 15 (the answer read the
# proposal back with a third access check, the service read the revision
# twice), then 12, then 7 (access checked once, in the service; the version
# bumped by the event's trigger; the answer built from the rows written),
# now 5, and 4 on PostgreSQL (issue 18: the declaration and the paragraph in
# one read, the proposal and its event in one write; no BEGIN or COMMIT
# there either, which this count leaves out).
SUBMIT_QUERIES = {"postgresql": 4}.get(connection.vendor, 5)


def test_a_submission_answers_what_a_read_shows_in_a_fixed_number_of_queries(world: World) -> None:
    client = world.client("mex")
    paragraph = world.paragraph_ids()[-1]
    body = {"declaration": world.declaration.pk, "revision": world.revision.pk, "paragraph": paragraph,
            "kind": "replace", "text": "Promote safe, orderly and regular migration, as amended."}  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        created = client.post("/api/proposals/", body, format="json")
    # (read before the next request: a request's start empties the query log)
    statements = queries_run(queries)
    assert created.status_code == 201, created.content
    assert len(statements) == SUBMIT_QUERIES, "\n".join(s[:120] for s in statements)
    read = client.get(f"/api/proposals/{created.json()['id']}/")
    assert created.json() == read.json()
    assert created["ETag"] == read["ETag"]


def test_a_submission_against_an_older_revision_or_another_declaration_is_still_refused(world: World) -> None:
    from drafting import services

    client = world.client("mex")
    paragraph = world.paragraph_ids()[-1]
    body = {"declaration": world.declaration.pk, "paragraph": paragraph, "kind": "replace", "text": "Other words."}
    services.revision_issue_from_working_text(actor=world.users["ppt"], declaration=world.declaration)
    stale = client.post("/api/proposals/", {**body, "revision": world.revision.pk}, format="json")
    assert stale.status_code == 409 and "current_revision" in stale.json()
    unknown = client.post("/api/proposals/", {**body, "revision": 999_999}, format="json")
    assert unknown.status_code == 400 and "revision" in unknown.json()["fields"]
