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

# TRUNCATE bypasses row triggers: refuse it with a statement-level trigger
# (PostgreSQL; SQLite has no TRUNCATE). Emptying the log on purpose (the
# test suite's flush between tests) must be said explicitly on the session:
# SET consenso.allow_truncate = 'on'.
POSTGRES_NO_TRUNCATE = [
    """CREATE OR REPLACE FUNCTION drafting_event_no_truncate() RETURNS trigger AS $$
       BEGIN
         IF current_setting('consenso.allow_truncate', true) = 'on' THEN RETURN NULL; END IF;
         RAISE EXCEPTION 'drafting_event is append-only: TRUNCATE refused';
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER drafting_event_no_truncate BEFORE TRUNCATE ON drafting_event
       FOR EACH STATEMENT EXECUTE FUNCTION drafting_event_no_truncate();""",
]
POSTGRES_NO_TRUNCATE_REVERSE = [
    "DROP TRIGGER IF EXISTS drafting_event_no_truncate ON drafting_event;",
    "DROP FUNCTION IF EXISTS drafting_event_no_truncate();",
]
