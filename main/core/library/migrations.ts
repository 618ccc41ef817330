import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up: (database: Database.Database) => void;
}

// Append only: a shipped migration never changes, so every library upgrades along the same path.
export const migrations: Migration[] = [
  {
    version: 1,
    name: 'library metadata and jobs',
    up: (database) => {
      database.exec(`
        CREATE TABLE library_meta (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) STRICT;
        CREATE TABLE jobs (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
          parameters_json TEXT NOT NULL,
          progress_done REAL NOT NULL DEFAULT 0,
          progress_total REAL NOT NULL DEFAULT 0,
          progress_unit TEXT NOT NULL DEFAULT 'steps',
          progress_rate_per_second REAL,
          progress_eta_seconds REAL,
          progress_message TEXT,
          result_json TEXT,
          error TEXT,
          owner_process_id INTEGER,
          created_at TEXT NOT NULL,
          started_at TEXT,
          finished_at TEXT
        ) STRICT;
        CREATE INDEX jobs_by_created_at ON jobs (created_at DESC);
        CREATE INDEX jobs_by_state ON jobs (state);
      `);
    },
  },
];

export const latestSchemaVersion = migrations.at(-1)?.version ?? 0;
