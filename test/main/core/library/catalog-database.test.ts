import { afterEach, describe, expect, it } from 'vitest';
import { latestSchemaVersion, openCatalogDatabase } from '../../../../main/core/library/catalog-database.js';
import { migrations, type Migration } from '../../../../main/core/library/migrations.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

describe('catalog database', () => {
  const library = temporaryLibrary();
  afterEach(() => library.remove());

  it('creates the catalog file in WAL mode at the latest schema version', () => {
    const catalog = openCatalogDatabase(library.path);
    expect(catalog.database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(catalog.database.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(catalog.schemaVersion).toBe(latestSchemaVersion);
    const applied = catalog.database.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(applied).toEqual(migrations.map(({ version, name }) => ({ version, name })));
    expect(catalog.database.pragma('integrity_check', { simple: true })).toBe('ok');
    catalog.database.close();
  });

  it('keeps data and identity across reopening, applying only new migrations', () => {
    const first = openCatalogDatabase(library.path);
    const libraryId = first.database.prepare("SELECT value FROM library_meta WHERE key = 'library_id'").pluck().get();
    first.database.close();

    const extra: Migration = { version: latestSchemaVersion + 1, name: 'test table', up: (database) => database.exec('CREATE TABLE later (x INTEGER)') };
    const second = openCatalogDatabase(library.path, [...migrations, extra]);
    expect(second.schemaVersion).toBe(latestSchemaVersion + 1);
    expect(second.database.prepare("SELECT value FROM library_meta WHERE key = 'library_id'").pluck().get()).toBe(libraryId);
    expect(second.database.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(migrations.length + 1);
    second.database.close();
  });

  it('rolls a failing migration back completely', () => {
    openCatalogDatabase(library.path).database.close();
    const broken: Migration = {
      version: latestSchemaVersion + 1,
      name: 'broken',
      up: (database) => {
        database.exec('CREATE TABLE half_done (x INTEGER)');
        throw new Error('disk full');
      },
    };
    expect(() => openCatalogDatabase(library.path, [...migrations, broken])).toThrow('disk full');
    const reopened = openCatalogDatabase(library.path);
    expect(reopened.schemaVersion).toBe(latestSchemaVersion);
    expect(reopened.database.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(0);
    reopened.database.close();
  });

  it('refuses a library written by a newer version instead of damaging it', () => {
    const catalog = openCatalogDatabase(library.path);
    catalog.database.pragma(`user_version = ${latestSchemaVersion + 5}`);
    catalog.database.close();
    expect(() => openCatalogDatabase(library.path)).toThrow(/newer Unisight/);
  });
});
