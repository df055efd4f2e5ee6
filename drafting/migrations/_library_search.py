"""SQL of the library's search structures (migration 0007), per database.

PostgreSQL: ``unaccent`` and ``pg_trgm``; an IMMUTABLE wrapper of
``unaccent`` (the extension's own function is only STABLE, so it cannot feed
a generated column); one generated ``tsvector`` per language with the
``spanish`` and ``english`` configurations, GIN-indexed; trigram indexes on
both texts for "closely matches" look-ups.

SQLite: an FTS5 table (``unicode61 remove_diacritics 2``) holding, per
statement (rowid = statement id), the Snowball stems of each text as
``drafting/library/analysis.py`` makes them; the library services write it.
"""

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS unaccent;",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
    """CREATE OR REPLACE FUNCTION consenso_unaccent(text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;""",
    """ALTER TABLE drafting_agreedstatement ADD COLUMN search_es tsvector
       GENERATED ALWAYS AS (to_tsvector('spanish'::regconfig, consenso_unaccent(text_es))) STORED;""",
    """ALTER TABLE drafting_agreedstatement ADD COLUMN search_en tsvector
       GENERATED ALWAYS AS (to_tsvector('english'::regconfig, consenso_unaccent(text_en))) STORED;""",
    "CREATE INDEX drafting_agreedstatement_search_es ON drafting_agreedstatement USING gin (search_es);",
    "CREATE INDEX drafting_agreedstatement_search_en ON drafting_agreedstatement USING gin (search_en);",
    "CREATE INDEX drafting_agreedstatement_trgm_es ON drafting_agreedstatement USING gin (text_es gin_trgm_ops);",
    "CREATE INDEX drafting_agreedstatement_trgm_en ON drafting_agreedstatement USING gin (text_en gin_trgm_ops);",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS drafting_agreedstatement_trgm_en;",
    "DROP INDEX IF EXISTS drafting_agreedstatement_trgm_es;",
    "DROP INDEX IF EXISTS drafting_agreedstatement_search_en;",
    "DROP INDEX IF EXISTS drafting_agreedstatement_search_es;",
    "ALTER TABLE drafting_agreedstatement DROP COLUMN IF EXISTS search_en;",
    "ALTER TABLE drafting_agreedstatement DROP COLUMN IF EXISTS search_es;",
    "DROP FUNCTION IF EXISTS consenso_unaccent(text);",
    # The extensions stay: other schemas may use them.
]
SQLITE = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS drafting_agreedstatement_fts
       USING fts5(es, en, tokenize = 'unicode61 remove_diacritics 2');""",
]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS drafting_agreedstatement_fts;"]
