"""Reading the library of agreed language: search, near matches, one statement.

Search runs in the database, one way per engine, with the same result shape:

* PostgreSQL: ``websearch_to_tsquery`` in the ``spanish`` and ``english``
  configurations, over ``unaccent``-ed generated ``tsvector`` columns (GIN);
  ranked by ``ts_rank`` (divided by length), the better language wins.
* SQLite: FTS5 over Snowball stems written by ``drafting/library/analysis.py``
  (which mirrors PostgreSQL's pipeline); ranked by ``bm25``.

Either way a statement matches when all the query's words (or a quoted
phrase, or one ``or`` alternative) are in its Spanish text or in its English
text, accents and word forms aside. Near-duplicates (``duplicate_of``) are
collapsed in SQL to their best-ranked member, which lists the others.
Scores are each engine's own: compare orders, not numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from drafting.errors import InvalidInput, NotFound
from drafting.library import analysis
from drafting.library.citation import citation
from drafting.models import AgreedStatement, Paragraph

MAX_QUERY_CHARS = 500
MAX_LIMIT = 100
# "Closely matches agreed language": the share of words two texts have in
# common (analysis.similarity) from which the PPT is told.
CLOSE_MATCH = 0.6
_CANDIDATES = 20
# Search pages: fetch this many times the page (plus a few) by rank, in the
# hope that they hold enough distinct groups of near-duplicates.
_OVERFETCH, _OVERFETCH_MIN = 4, 20


@dataclass(frozen=True)
class LibraryFilters:
    theme: str = ""
    category: str = ""
    year: int | None = None
    meeting: str = ""
    still_valid: bool | None = None
    origin: str = ""


@dataclass
class LibraryHit:
    statement: AgreedStatement
    score: float
    duplicates: list[AgreedStatement] = field(default_factory=list)


@dataclass
class LibraryResults:
    total: int  # groups of near-duplicates that match
    hits: list[LibraryHit]
    engine: str


def _where(filters: LibraryFilters) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("theme", filters.theme),
        ("category", filters.category),
        ("meeting_label", filters.meeting),
        ("origin", filters.origin),
    ):
        if value:
            clauses.append(f"s.{column} = %s")
            params.append(value)
    if filters.year is not None:
        clauses.append("s.year = %s")
        params.append(filters.year)
    if filters.still_valid is not None:
        clauses.append("s.still_valid = %s")
        params.append(filters.still_valid)
    return clauses, params


def _match_postgres(query: str) -> tuple[str, str, list[Any]]:
    """(FROM extra, WHERE, params) and the rank expression, for PostgreSQL."""
    return (
        ", (SELECT websearch_to_tsquery('spanish', consenso_unaccent(%s)) AS es,"
        " websearch_to_tsquery('english', consenso_unaccent(%s)) AS en) q",
        "(s.search_es @@ q.es OR s.search_en @@ q.en)",
        [query, query],
    )


def _match_sqlite(query: str) -> tuple[str, str, list[Any]] | None:
    parsed = analysis.parse(query)
    parts = [analysis.fts5_match(parsed, "es", "es"), analysis.fts5_match(parsed, "en", "en")]
    expression = " OR ".join(f"({p})" for p in parts if p)
    if not expression:
        return None
    return (
        " JOIN drafting_agreedstatement_fts f ON f.rowid = s.id",
        "drafting_agreedstatement_fts MATCH %s",
        [expression],
    )


_RANK = {
    # ts_rank normalisation 2 (divide by the length): of PostgreSQL's options the
    # one that orders like bm25 on the seed (tests/test_library.py SAME_ON_BOTH).
    "postgresql": "GREATEST(ts_rank(s.search_es, q.es, 2), ts_rank(s.search_en, q.en, 2))",
    # bm25 is lower-is-better and negative; negate it so higher is better everywhere.
    "sqlite": "-bm25(drafting_agreedstatement_fts)",
}


def _page(
    joins: str, where: str, params: list[Any], rank: str, order: str, limit: int, offset: int
) -> tuple[list[tuple[int, int, float]], int]:
    """One page of (id, group, rank), the best member of each group of
    near-duplicates, and how many groups match.

    Fast path: the best few matches by rank (a top-N, no sort of every
    match), collapsed to groups here (a group's first appearance in rank
    order is its best member, in the group's place) and a count of groups
    without ranking. Only when those few fill fewer groups than the page
    needs does the window query rank and partition every match."""
    base = f"FROM drafting_agreedstatement s{joins} WHERE {where}"
    want = offset + limit
    few = want * _OVERFETCH + _OVERFETCH_MIN
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.id, COALESCE(s.duplicate_of_id, s.id), {rank} AS rank {base} ORDER BY {order} LIMIT %s",
            [*params, few],
        )
        top = cursor.fetchall()
        seen: set[int] = set()
        groups = []
        for pk, grp, score in top:
            if grp not in seen:
                seen.add(grp)
                groups.append((pk, grp, float(score)))
        if len(top) < few:  # every match is here
            return groups[offset:want], len(groups)
        cursor.execute(f"SELECT COUNT(DISTINCT COALESCE(s.duplicate_of_id, s.id)) {base}", params)
        total = int(cursor.fetchone()[0])
        if len(groups) >= want:
            return groups[offset:want], total
        cursor.execute(
            f"""
            WITH hits AS (SELECT s.id, COALESCE(s.duplicate_of_id, s.id) AS grp, s.year, {rank} AS rank {base}),
            best AS (
                SELECT id, grp, rank, year, ROW_NUMBER() OVER (PARTITION BY grp ORDER BY {order}) AS n FROM hits s
            )
            SELECT id, grp, rank FROM best s WHERE n = 1 ORDER BY {order} LIMIT %s OFFSET %s
            """,
            [*params, limit, offset],
        )
        return [(pk, grp, float(score)) for pk, grp, score in cursor.fetchall()], total


def library_search(
    *, query: str = "", filters: LibraryFilters | None = None, limit: int = 20, offset: int = 0
) -> LibraryResults:
    """The best-ranked group of near-duplicates first; without a query, the
    most recent first. ``limit``/``offset`` count groups."""
    filters = filters or LibraryFilters()
    engine = connection.vendor
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInput(
            _("The query is longer than %(max)s characters.") % {"max": MAX_QUERY_CHARS},
            fields={"q": [_("At most %(max)s characters.") % {"max": MAX_QUERY_CHARS}]},
        )
    if "\x00" in query:
        raise InvalidInput(_("The query holds a NUL character."), fields={"q": [_("No NUL characters.")]})
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    clauses, params = _where(filters)
    joins, rank = "", "0.0"
    order = "s.year DESC, s.id"
    if query.strip():
        if analysis.parse(query).empty:
            return LibraryResults(total=0, hits=[], engine=engine)
        matched = _match_postgres(query) if engine == "postgresql" else _match_sqlite(query)
        if matched is None:  # nothing searchable left (stop words only)
            return LibraryResults(total=0, hits=[], engine=engine)
        joins, match, match_params = matched
        clauses.insert(0, match)
        params = match_params + params
        rank = _RANK[engine]
        order = "rank DESC, s.id"
    where = " AND ".join(clauses) or "1 = 1"
    page, total = _page(joins, where, params, rank, order, limit, offset)
    if not page:
        return LibraryResults(total=total, hits=[], engine=engine)
    rows = page
    groups = [grp for _, grp, _ in rows]
    members = AgreedStatement.objects.filter(pk__in=groups) | AgreedStatement.objects.filter(duplicate_of_id__in=groups)
    by_group: dict[int, list[AgreedStatement]] = {}
    by_id: dict[int, AgreedStatement] = {}
    for statement in members.order_by("id"):
        by_id[statement.pk] = statement
        by_group.setdefault(statement.duplicate_of_id or statement.pk, []).append(statement)
    hits = [
        LibraryHit(
            statement=by_id[pk],
            score=float(score),
            duplicates=[m for m in by_group.get(grp, []) if m.pk != pk],
        )
        for pk, grp, score in rows
    ]
    return LibraryResults(total=total, hits=hits, engine=engine)


def library_statement_get(*, statement_id: int) -> AgreedStatement:
    statement = AgreedStatement.objects.select_related("superseded_by").filter(pk=statement_id).first()
    if statement is None:
        raise NotFound(
            _("There is no agreed statement %(statement_id)s in the library.") % {"statement_id": statement_id}
        )
    return statement


def _candidates_postgres(text: str, exclude: list[int]) -> list[tuple[int, str]]:
    sql = """
        SELECT id, text_es || ' ' || text_en FROM drafting_agreedstatement
        WHERE (text_en %% %s OR text_es %% %s) AND NOT (id = ANY(%s))
        ORDER BY GREATEST(similarity(text_en, %s), similarity(text_es, %s)) DESC, id
        LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [text, text, exclude, text, text, _CANDIDATES])
        return [(pk, body) for pk, body in cursor.fetchall()]


def _candidates_sqlite(text: str, exclude: list[int]) -> list[tuple[int, str]]:
    # Any of the text's words, best bm25 first: the closest wordings rank top.
    parts = []
    for column in ("es", "en"):
        # the longest words say most about a text; 64 bound the query
        words = sorted(set(analysis.stems(text, column)), key=lambda w: (-len(w), w))[:64]
        if words:
            quoted = " OR ".join('"' + word + '"' for word in words)
            parts.append(f"{column} : ({quoted})")
    if not parts:
        return []
    skip = f"AND s.id NOT IN ({', '.join(['%s'] * len(exclude))})" if exclude else ""
    sql = f"""
        SELECT s.id, s.text_es || ' ' || s.text_en
        FROM drafting_agreedstatement_fts f JOIN drafting_agreedstatement s ON s.id = f.rowid
        WHERE drafting_agreedstatement_fts MATCH %s {skip}
        ORDER BY bm25(drafting_agreedstatement_fts), s.id LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [" OR ".join(f"({p})" for p in parts), *exclude, _CANDIDATES])
        return [(pk, body) for pk, body in cursor.fetchall()]


def paragraph_agreed_language(*, paragraph: Paragraph) -> list[dict[str, Any]]:
    """Agreed language the paragraph's working-text wording closely matches,
    so the PPT knows the text was agreed before (statements filed from this
    very paragraph at its adoption do not count)."""
    own = list(AgreedStatement.objects.filter(paragraph_id=paragraph.pk).values_list("pk", flat=True))
    near = library_near(text=paragraph.text, exclude=own)
    if not near:
        return []
    statements = AgreedStatement.objects.in_bulk([pk for pk, _ in near])
    return [
        {
            "statement": pk,
            "citation": citation(
                meeting=statements[pk].meeting_label, year=statements[pk].year, paragraph=statements[pk].paragraph_label
            ),
            "similarity": round(score, 3),
            "still_valid": statements[pk].still_valid,
        }
        for pk, score in near[:5]
    ]


def library_near(
    *, text: str, threshold: float = CLOSE_MATCH, exclude: list[int] | None = None
) -> list[tuple[int, float]]:
    """Statements whose wording closely matches ``text``: (id, similarity),
    best first. Each engine proposes candidates its own way (trigrams on
    PostgreSQL, shared words on SQLite); one Python measure decides."""
    if not analysis.stems(text, "en") and not analysis.stems(text, "es"):
        return []
    exclude = exclude or []
    if connection.vendor == "postgresql":
        candidates = _candidates_postgres(text, exclude)
    else:
        candidates = _candidates_sqlite(text, exclude)
    return [(pk, score) for pk, score in analysis.best_match(text, candidates) if score >= threshold]
