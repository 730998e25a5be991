// Forward-only schema migrations. The database remembers its version in PRAGMA user_version;
// never edit a shipped entry, append a new one.
export const migrations: readonly string[] = [
  `CREATE TABLE results (
     agent TEXT NOT NULL,
     seq INTEGER NOT NULL,
     target TEXT NOT NULL,
     check_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     ts INTEGER NOT NULL,
     duration_ms REAL NOT NULL,
     ok INTEGER NOT NULL,
     error TEXT,
     vals TEXT NOT NULL,
     received INTEGER NOT NULL,
     PRIMARY KEY (agent, seq)
   ) WITHOUT ROWID;
   CREATE INDEX results_target_ts ON results (target, ts);
   CREATE TABLE agents (
     id TEXT PRIMARY KEY,
     last_seq INTEGER NOT NULL DEFAULT 0,
     version TEXT,
     spool_depth INTEGER,
     clock_offset_ms INTEGER,
     seen INTEGER
   );`,
  // 2: the indicator engine — run-length rollups of verdicts, faults with their history,
  // maintenance windows, inspection plans (first seen), runs and their checklist items.
  `CREATE TABLE runs (
     target TEXT NOT NULL,
     indicator TEXT NOT NULL,
     check_id TEXT NOT NULL,
     agent TEXT NOT NULL,
     start INTEGER NOT NULL,
     last INTEGER NOT NULL,
     count INTEGER NOT NULL,
     verdict TEXT NOT NULL,
     hold INTEGER NOT NULL,
     PRIMARY KEY (target, indicator, check_id, agent, start)
   ) WITHOUT ROWID;
   CREATE TABLE faults (
     id INTEGER PRIMARY KEY,
     target TEXT NOT NULL,
     cause TEXT NOT NULL,
     title TEXT NOT NULL,
     source TEXT NOT NULL,
     severity TEXT NOT NULL,
     opened_at INTEGER NOT NULL,
     open INTEGER NOT NULL DEFAULT 1
   );
   CREATE INDEX faults_opened ON faults (opened_at);
   CREATE INDEX faults_open ON faults (target, cause) WHERE open = 1;
   CREATE TABLE fault_events (
     id INTEGER PRIMARY KEY,
     fault_id INTEGER NOT NULL REFERENCES faults (id),
     type TEXT NOT NULL,
     at INTEGER NOT NULL,
     data TEXT NOT NULL
   );
   CREATE INDEX fault_events_fault ON fault_events (fault_id, id);
   CREATE TABLE maintenance (
     id INTEGER PRIMARY KEY,
     spec TEXT NOT NULL,
     reason TEXT NOT NULL,
     approved_by TEXT NOT NULL,
     created_by TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     cancelled_at INTEGER,
     cancelled_by TEXT
   );
   CREATE TABLE inspection_plans (
     plan TEXT PRIMARY KEY,
     since INTEGER NOT NULL
   );
   CREATE TABLE inspection_runs (
     id INTEGER PRIMARY KEY,
     plan TEXT NOT NULL,
     scheduled_at INTEGER NOT NULL,
     started_at INTEGER,
     tolerance_ms INTEGER NOT NULL,
     recorded_at INTEGER NOT NULL,
     UNIQUE (plan, scheduled_at)
   );
   CREATE INDEX inspection_runs_scheduled ON inspection_runs (scheduled_at);
   CREATE TABLE inspection_items (
     run_id INTEGER NOT NULL REFERENCES inspection_runs (id),
     target TEXT NOT NULL,
     item TEXT NOT NULL,
     kind TEXT NOT NULL,
     label TEXT NOT NULL,
     result TEXT,
     detail TEXT,
     note TEXT,
     signed_off_at INTEGER,
     signed_off_by TEXT,
     fault_id INTEGER,
     PRIMARY KEY (run_id, target, item)
   );`,
  // 3: trust (issue 8) — users, API tokens (hashed), login sessions, the append-only audit log, and the
  // clock-offset flag of results received from an agent whose clock was off.
  `CREATE TABLE users (
     name TEXT PRIMARY KEY,
     display_name TEXT,
     role TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     disabled INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     created_by TEXT NOT NULL,
     last_login_at INTEGER
   );
   CREATE TABLE api_tokens (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     role TEXT NOT NULL,
     hash TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     created_by TEXT NOT NULL,
     expires_at INTEGER,
     revoked_at INTEGER,
     revoked_by TEXT,
     last_used_at INTEGER
   );
   CREATE TABLE sessions (
     id_hash TEXT PRIMARY KEY,
     user TEXT NOT NULL,
     csrf TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     last_seen_at INTEGER NOT NULL,
     addr TEXT NOT NULL
   );
   CREATE INDEX sessions_user ON sessions (user);
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     actor TEXT NOT NULL,
     role TEXT NOT NULL,
     via TEXT NOT NULL,
     addr TEXT NOT NULL,
     action TEXT NOT NULL,
     object TEXT NOT NULL,
     before TEXT,
     after TEXT
   );
   CREATE INDEX audit_at ON audit (at);
   CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
   CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
   ALTER TABLE results ADD COLUMN clock_offset_ms INTEGER;`,
];
