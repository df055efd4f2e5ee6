"""SQL of the append-only triggers on drafting_event (used by migration 0002
and by the test suite, which must lift them for its own flush on SQLite)."""

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS drafting_event_no_update BEFORE UPDATE ON drafting_event
       BEGIN SELECT RAISE(ABORT, 'drafting_event is append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS drafting_event_no_delete BEFORE DELETE ON drafting_event
       BEGIN SELECT RAISE(ABORT, 'drafting_event is append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS drafting_event_no_update;",
    "DROP TRIGGER IF EXISTS drafting_event_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION drafting_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'drafting_event is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER drafting_event_append_only BEFORE UPDATE OR DELETE ON drafting_event
       FOR EACH ROW EXECUTE FUNCTION drafting_event_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS drafting_event_append_only ON drafting_event;",
    "DROP FUNCTION IF EXISTS drafting_event_append_only();",
]
