/**
 * DDL of the producer's local SQLite store. The episode row keeps the body (never exported); the
 * change-log is append-only and holds each exported event in full, so it is both the export
 * queue (read past the cursor) and the replay source (CT-8.replay-source).
 */
export const STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS episodes (
  tenant_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  episode_id TEXT NOT NULL,
  body TEXT NOT NULL,
  summary TEXT,
  tags TEXT NOT NULL,
  metadata TEXT NOT NULL,
  embedding_ref TEXT,
  sensitive INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  last_event_id TEXT NOT NULL,
  last_source_ts TEXT NOT NULL,
  PRIMARY KEY (tenant_id, agent_id, episode_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS change_log (
  seq INTEGER PRIMARY KEY, -- append-only, never deleted: max+1 is monotonic without AUTOINCREMENT's extra page write
  event_id TEXT NOT NULL UNIQUE,
  tenant_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  episode_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  source_ts TEXT NOT NULL,
  source_us INTEGER NOT NULL,
  sensitive INTEGER NOT NULL,
  event TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS change_log_source_us ON change_log (source_us);

CREATE TABLE IF NOT EXISTS export_cursor (
  name TEXT PRIMARY KEY,
  seq INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS export_policy (
  tenant_id TEXT PRIMARY KEY,
  allow_sensitive INTEGER NOT NULL,
  redact_patterns TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS export_decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  decision TEXT NOT NULL,
  clause_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  at TEXT NOT NULL,
  UNIQUE (event_id, decision)
);

CREATE TABLE IF NOT EXISTS audit (
  audit_id INTEGER PRIMARY KEY AUTOINCREMENT,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  tenant_id TEXT,
  agent_id TEXT,
  params TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT,
  at TEXT NOT NULL
);
`;
