"""SQL of migration 0013's triggers: the one mechanism that marks a change.

1. Every event recorded about a declaration bumps ``Declaration.version``
   (readers' ETags and cached renderings key on it). Every service that
   changes what a reader of a declaration sees records an event in the same
   transaction, so the bump can no longer be forgotten, and it is one
   statement for the service (the event's insert). On PostgreSQL the trigger
   is per statement (a bulk insert of 1,000 carried-over proposals' events
   bumps each declaration once); SQLite has only row triggers.
2. ``Meeting.access_version`` is bumped when a participant or a Secretariat
   staff member is added or removed, or the PPT or ``members_only`` changes:
   cached roles key on it (``drafting.access``). ``save()`` of a meeting
   writes back the value it loaded; the trigger takes the larger of the old
   and new value, plus one, so a stale write never moves it backwards.
"""

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS drafting_event_bumps_declaration AFTER INSERT ON drafting_event
       WHEN NEW.declaration_id IS NOT NULL
       BEGIN UPDATE drafting_declaration SET version = version + 1 WHERE id = NEW.declaration_id; END;""",
    """CREATE TRIGGER IF NOT EXISTS drafting_meeting_access_changed AFTER UPDATE OF ppt_id, members_only
       ON drafting_meeting
       BEGIN UPDATE drafting_meeting SET access_version = max(OLD.access_version, NEW.access_version) + 1
             WHERE id = NEW.id; END;""",
]
for _table in ("drafting_meeting_participants", "drafting_meeting_secretariat_staff"):
    SQLITE += [
        f"""CREATE TRIGGER IF NOT EXISTS {_table}_ins AFTER INSERT ON {_table}
            BEGIN UPDATE drafting_meeting SET access_version = access_version + 1 WHERE id = NEW.meeting_id; END;""",
        f"""CREATE TRIGGER IF NOT EXISTS {_table}_del AFTER DELETE ON {_table}
            BEGIN UPDATE drafting_meeting SET access_version = access_version + 1 WHERE id = OLD.meeting_id; END;""",
        f"""CREATE TRIGGER IF NOT EXISTS {_table}_upd AFTER UPDATE ON {_table}
            BEGIN UPDATE drafting_meeting SET access_version = access_version + 1
                  WHERE id IN (OLD.meeting_id, NEW.meeting_id); END;""",
    ]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS drafting_event_bumps_declaration;",
    "DROP TRIGGER IF EXISTS drafting_meeting_access_changed;",
] + [
    f"DROP TRIGGER IF EXISTS {table}_{op};"
    for table in ("drafting_meeting_participants", "drafting_meeting_secretariat_staff")
    for op in ("ins", "del", "upd")
]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION drafting_event_bumps_declaration() RETURNS trigger AS $$
       BEGIN
         UPDATE drafting_declaration SET version = version + 1
          WHERE id IN (SELECT DISTINCT declaration_id FROM new_events WHERE declaration_id IS NOT NULL);
         RETURN NULL;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER drafting_event_bumps_declaration AFTER INSERT ON drafting_event
       REFERENCING NEW TABLE AS new_events
       FOR EACH STATEMENT EXECUTE FUNCTION drafting_event_bumps_declaration();""",
    """CREATE OR REPLACE FUNCTION drafting_meeting_access_changed() RETURNS trigger AS $$
       BEGIN
         NEW.access_version := GREATEST(OLD.access_version, NEW.access_version) + 1;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER drafting_meeting_access_changed BEFORE UPDATE OF ppt_id, members_only ON drafting_meeting
       FOR EACH ROW EXECUTE FUNCTION drafting_meeting_access_changed();""",
    """CREATE OR REPLACE FUNCTION drafting_meeting_membership_changed() RETURNS trigger AS $$
       BEGIN
         IF TG_OP IN ('INSERT', 'UPDATE') THEN
           UPDATE drafting_meeting SET access_version = access_version + 1 WHERE id = NEW.meeting_id;
         END IF;
         IF TG_OP IN ('DELETE', 'UPDATE') THEN
           UPDATE drafting_meeting SET access_version = access_version + 1 WHERE id = OLD.meeting_id;
         END IF;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql;""",
] + [
    f"""CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION drafting_meeting_membership_changed();"""
    for table in ("drafting_meeting_participants", "drafting_meeting_secretariat_staff")
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS drafting_event_bumps_declaration ON drafting_event;",
    "DROP FUNCTION IF EXISTS drafting_event_bumps_declaration();",
    "DROP TRIGGER IF EXISTS drafting_meeting_access_changed ON drafting_meeting;",
    "DROP FUNCTION IF EXISTS drafting_meeting_access_changed();",
    "DROP TRIGGER IF EXISTS drafting_meeting_participants_changed ON drafting_meeting_participants;",
    "DROP TRIGGER IF EXISTS drafting_meeting_secretariat_staff_changed ON drafting_meeting_secretariat_staff;",
    "DROP FUNCTION IF EXISTS drafting_meeting_membership_changed();",
]
