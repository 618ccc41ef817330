import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { latestSchemaVersion, migrations, type Migration } from './migrations.js';

export const catalogFileName = 'catalog.sqlite';

export interface CatalogDatabase {
  database: Database.Database;
  libraryPath: string;
  databaseFile: string;
  schemaVersion: number;
  /** Null when sqlite-vec loaded (the vector index lives in this file); else why semantic search cannot run. */
  vectorExtensionError: string | null;
}

/** Loads sqlite-vec into a connection; a platform without its prebuilt library gets the reason instead. */
function loadVectorExtension(database: Database.Database): string | null {
  try {
    sqliteVec.load(database);
    return null;
  } catch (error) {
    return `sqlite-vec could not be loaded on this platform (${(error as Error).message}); semantic search is unavailable, lexical search still works.`;
  }
}

/** Opens (creating when new) the library folder's catalog in WAL mode and brings its schema up to date. */
export function openCatalogDatabase(libraryPath: string, migrationList: Migration[] = migrations): CatalogDatabase {
  fs.mkdirSync(libraryPath, { recursive: true });
  const databaseFile = path.join(libraryPath, catalogFileName);
  const database = new Database(databaseFile);
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
    const vectorExtensionError = loadVectorExtension(database);
    const schemaVersion = migrateCatalog(database, migrationList);
    ensureLibraryIdentity(database);
    return { database, libraryPath, databaseFile, schemaVersion, vectorExtensionError };
  } catch (error) {
    database.close();
    throw error;
  }
}

export function migrateCatalog(database: Database.Database, migrationList: Migration[]): number {
  const known = migrationList.at(-1)?.version ?? 0;
  const current = database.pragma('user_version', { simple: true }) as number;
  if (current > known) {
    throw new Error(
      `This library was written by a newer Unisight (schema ${current}; this version knows up to ${known}). Update Unisight to open it.`,
    );
  }
  database.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  for (const migration of migrationList) {
    if (migration.version <= current) continue;
    database
      .transaction(() => {
        migration.up(database);
        database
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(migration.version, migration.name, new Date().toISOString());
        database.pragma(`user_version = ${migration.version}`);
      })
      .immediate();
  }
  return database.pragma('user_version', { simple: true }) as number;
}

function ensureLibraryIdentity(database: Database.Database): void {
  database
    .prepare("INSERT OR IGNORE INTO library_meta (key, value) VALUES ('library_id', ?), ('created_at', ?)")
    .run(randomUUID(), new Date().toISOString());
}

export { latestSchemaVersion };
