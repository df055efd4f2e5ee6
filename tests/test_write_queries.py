"""Every write through the API runs a pinned number of statements.

Each write the access matrix (tests/test_access_generated.py) sends by its
rightful actor is sent here once more, on the "ours" side, and its
statements (not BEGIN/COMMIT/SAVEPOINT/RELEASE) are counted. The caches of
identity and role (drafting/access_cache.py) are emptied first, so each
count is the cold path and includes the token (1) and the role (1); a warm
request saves both (see the support and objection test at the end). A new
write without a pinned count fails ``test_every_write_is_pinned``. A change
here should be a decision, not a drift: say why next to the number.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drafting.access_cache import access_caches_clear
from tests.queries import statements as queries_run
from tests.test_access_generated import RULES, Stage, _client, _send, stage  # noqa: F401 (a fixture)

WRITES = ("POST", "PUT", "PATCH", "DELETE")

# (url name, method) -> statements, cold (token 1 and role 1 included).
# History: issue 18 pinned them all. The proposal writes went from 14 (support,
# objection, position withdrawal, rejection) and 8 (submission) to 8 and 7:
# the view no longer reads the proposal before and after (access checked
# once, in the service, under its lock), the declaration's version is bumped
# by the event's insert (a trigger), and the answer is built from the rows the
# service read and wrote. The others are as they were, less the declaration
# version's UPDATE where they had one.
# After the merges of issues 13, 14 and 15: putting a text to adoption 18 -> 20
# (whether every paragraph's translation is current, listed by label); issuing
# a revision 27/26 -> 26/25; an export request 10 -> 15 (it reads the
# document's input to fingerprint it, so an unchanged text reuses the file
# instead of rendering again); meeting set-up, translators and a paragraph's
# translation are new.
# Services take the role they were given (issue 18, h18): a paragraph's
# transition 8 -> 6, objection and its withdrawal 9 -> 7: the view no longer
# reads the paragraph to authorise it, the service reads, authorises and locks
# it once (``paragraph_access``: the declaration by the paragraph's id in one
# statement instead of two). Adoption, revisions and the paragraph under
# discussion keep their counts: their role came from the cache the view's read
# had filled, and the lock is one statement as before.
# Strict adoption (issue 15, no implicit exception for a text never
# translated): putting a text to adoption 20 -> 19. The staged text
# (tests/test_access_generated.py) now carries both languages, so the check is
# the one read of the paragraphs behind (none); the count that told a text
# never translated from a partly translated one is gone.
# A submission reads its declaration and its paragraph in one statement and
# writes in one guarded statement (drafting/services/proposals.py, "A
# submission"): a submission 7 -> 6, a proposal from the library 14 -> 13
# (one fewer again on PostgreSQL, below).
WRITE_QUERIES: dict[tuple[str, str], int] = {
    ("account-deactivate", "POST"): 7,
    ("account-reset", "POST"): 7,
    ("adoption-adopt", "POST"): 28,
    ("adoption-object", "POST"): 14,
    ("adoption-objection", "DELETE"): 14,
    ("adoption-withdraw", "POST"): 14,
    ("agree-uncontested", "POST"): 9,
    ("declaration-adoption", "POST"): 19,
    ("declaration-discussing", "POST"): 7,
    ("declaration-list", "POST"): 6,
    ("declaration-next-revision", "POST"): 26,
    ("declaration-revisions", "POST"): 25,
    ("declaration-statements", "POST"): 7,
    ("export-list", "POST"): 15,
    ("import-confirm", "POST"): 22,
    ("import-corrections", "POST"): 6,
    ("import-list", "POST"): 7,
    ("library-propose", "POST"): 13,
    ("library-statement", "PATCH"): 8,
    ("meeting-accounts", "POST"): 8,
    ("meeting-setup", "POST"): 13,
    ("meeting-translators", "POST"): 7,
    ("paragraph-translation", "POST"): 15,
    ("paragraph-object", "POST"): 7,
    ("paragraph-objection", "DELETE"): 7,
    ("paragraph-transition", "POST"): 6,
    ("proposal-list", "POST"): 6,
    ("proposal-object", "POST"): 8,
    ("proposal-position", "DELETE"): 8,
    ("proposal-reject", "POST"): 8,
    ("proposal-support", "POST"): 8,
    ("silence-break", "POST"): 14,
}


# Where a backend differs: adoption feeds the library of agreed language,
# whose SQLite full-text index is kept by one statement more
# (drafting/services/library.py). A submission's proposal and its event are
# one statement on PostgreSQL, two on SQLite, which has no data-modifying
# WITH (drafting/services/rows.insert_with_event; a proposal from the
# library is a submission too).
VENDOR: dict[tuple[str, str, str], int] = {
    ("adoption-adopt", "POST", "postgresql"): -1,
    ("proposal-list", "POST", "postgresql"): -1,
    ("library-propose", "POST", "postgresql"): -1,
}


def _writes() -> list[Any]:
    return [
        pytest.param(name, method, id=f"{name}:{method}")
        for (name, method), rule in sorted(RULES.items())
        if method in WRITES and rule.control is not None
    ]


def test_every_write_is_pinned() -> None:
    missing = [p.values[:2] for p in _writes() if tuple(p.values[:2]) not in WRITE_QUERIES]
    assert not missing, f"writes with no pinned statement count in tests/test_write_queries.py: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), _writes())
def test_a_write_runs_its_pinned_number_of_statements(stage: Stage, name: str, method: str) -> None:  # noqa: F811
    rule = RULES[(name, method)]
    side = stage.ours
    assert rule.control is not None
    who = rule.control(side, "ours")
    as_role = {"MEX": "mex", "CAN": "can", "ppt": "ppt", "ts": "ts"}.get(who)
    client = _client(side.users[who])
    access_caches_clear()
    with CaptureQueriesContext(connection) as queries:
        response = _send(client, method, rule, side, as_role)
    statements = queries_run(queries)
    assert 200 <= response.status_code < 300, (who, response.status_code, response.content[:300])
    print(f"WRITE {name} {method} {len(statements)}")
    expected = WRITE_QUERIES.get((name, method), -1) + VENDOR.get((name, method, connection.vendor), 0)
    assert len(statements) == expected, "\n".join(s[:160] for s in statements)
