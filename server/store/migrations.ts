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
];
