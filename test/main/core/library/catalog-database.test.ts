import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { latestSchemaVersion, openCatalogDatabase } from '../../../../main/core/library/catalog-database.js';
import { thumbnailDataUrl } from '../../../../main/core/library/library-queries.js';
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

    const extra: Migration = {
      version: latestSchemaVersion + 1,
      name: 'test table',
      up: (database) => database.exec('CREATE TABLE later (x INTEGER)'),
    };
    const second = openCatalogDatabase(library.path, [...migrations, extra]);
    expect(second.schemaVersion).toBe(latestSchemaVersion + 1);
    expect(second.database.prepare("SELECT value FROM library_meta WHERE key = 'library_id'").pluck().get()).toBe(
      libraryId,
    );
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
    expect(reopened.database.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(
      0,
    );
    reopened.database.close();
  });

  it('keeps reading the model images and thumbnails that earlier versions wrote one per file', () => {
    const before = openCatalogDatabase(
      library.path,
      migrations.filter((migration) => migration.version < 7),
    );
    const png = Buffer.from('89504e470d0a1a0a0000', 'hex');
    fs.mkdirSync(path.join(library.path, 'cache', 'thumbnails', 'ab'), { recursive: true });
    fs.writeFileSync(path.join(library.path, 'cache', 'thumbnails', 'ab', 'ab01.png'), png);
    before.database.exec(`
      INSERT INTO patients (id, pseudonym) VALUES (1, 'P1');
      INSERT INTO studies (id, study_instance_uid, patient_id) VALUES (1, '2.25.1', 1);
      INSERT INTO series (id, series_instance_uid, study_id) VALUES (1, '2.25.2', 1);
      INSERT INTO files (id, path, size_bytes, modified_ms, kind, outcome, updated_at) VALUES (1, '/a', 1, 1, 'dicom', 'imported', 'now'), (2, '/b', 1, 1, 'dicom', 'imported', 'now');
      INSERT INTO images (id, sop_instance_uid, series_id, file_id, rows, columns, bits_allocated, bits_stored, photometric_interpretation,
        number_of_frames, representative_frame, transfer_syntax_uid, rescale_slope, rescale_intercept, model_image_path, model_image_size, thumbnail_path)
      VALUES (1, '2.25.3', 1, 1, 4, 4, 16, 12, 'MONOCHROME2', 1, 0, '1.2.840.10008.1.2.1', 1, 0, 'cache/images/ab/ab01.u8', 256, 'cache/thumbnails/ab/ab01.png'),
             (2, '2.25.4', 1, 2, 4, 4, 16, 12, 'MONOCHROME2', 1, 0, '1.2.840.10008.1.2.1', 1, 0, 'cache/images/cd/cd01.u8', 256, 'cache/thumbnails/cd/cd01.png');
    `);
    before.database.close();
    const after = openCatalogDatabase(library.path);
    expect(
      after.database
        .prepare(
          'SELECT model_image_offset AS image, thumbnail_offset AS thumbnail, thumbnail_width AS width FROM images ORDER BY id',
        )
        .all(),
    ).toEqual([
      { image: 0, thumbnail: 0, width: null },
      { image: 0, thumbnail: 0, width: null },
    ]);
    expect(thumbnailDataUrl(after.database, library.path, 1)).toBe(`data:image/png;base64,${png.toString('base64')}`);
    expect(() => thumbnailDataUrl(after.database, library.path, 2)).toThrow(
      /missing from the cache; re-import its folder/,
    );
    after.database.close();
  });

  it('keeps training curves through the metrics table made anew, and marks small images for the next import', () => {
    const before = openCatalogDatabase(
      library.path,
      migrations.filter((migration) => migration.version < 12),
    );
    before.database.exec(`
      INSERT INTO patients (id, pseudonym) VALUES (1, 'P1');
      INSERT INTO studies (id, study_instance_uid, patient_id) VALUES (1, '2.25.1', 1);
      INSERT INTO series (id, series_instance_uid, study_id) VALUES (1, '2.25.2', 1);
      INSERT INTO files (id, path, size_bytes, modified_ms, kind, outcome, updated_at) VALUES (1, '/small', 1, 5, 'dicom', 'imported', 'now'), (2, '/large', 1, 7, 'dicom', 'imported', 'now');
      INSERT INTO images (id, sop_instance_uid, series_id, file_id, rows, columns, bits_allocated, bits_stored, photometric_interpretation,
        number_of_frames, representative_frame, transfer_syntax_uid, rescale_slope, rescale_intercept, model_image_path, model_image_size, thumbnail_path)
      VALUES (1, '2.25.3', 1, 1, 28, 28, 16, 12, 'MONOCHROME2', 1, 0, '1.2.840.10008.1.2.1', 1, 0, 'cache/a', 256, 'cache/b'),
             (2, '2.25.4', 1, 2, 512, 400, 16, 12, 'MONOCHROME2', 1, 0, '1.2.840.10008.1.2.1', 1, 0, 'cache/c', 256, 'cache/d');
      INSERT INTO training_runs (id, kind, name, state, run_directory, options_json, encoder_json, dataset_json, created_at, updated_at)
        VALUES ('r1', 'pretrain', 'old run', 'succeeded', '/runs/r1', '{}', '{}', '{}', 'now', 'now');
      INSERT INTO training_metrics (run_id, kind, step, values_json, recorded_at) VALUES ('r1', 'train', 1, '{"loss":3.4}', 'now');
    `);
    before.database.close();
    const after = openCatalogDatabase(library.path);
    expect(after.database.prepare('SELECT path, stale FROM files ORDER BY id').all()).toEqual([
      { path: '/small', stale: 1 },
      { path: '/large', stale: 0 },
    ]);
    expect(
      after.database.prepare('SELECT run_id AS run, kind, values_json AS json FROM training_metrics').all(),
    ).toEqual([{ run: 'r1', kind: 'train', json: '{"loss":3.4}' }]);
    after.database
      .prepare(
        "INSERT INTO training_metrics (run_id, kind, step, values_json, recorded_at) VALUES ('r1', 'image-probe', 2, '{}', 'now')",
      )
      .run();
    after.database.close();
  });

  it('refuses a library written by a newer version instead of damaging it', () => {
    const catalog = openCatalogDatabase(library.path);
    catalog.database.pragma(`user_version = ${latestSchemaVersion + 5}`);
    catalog.database.close();
    expect(() => openCatalogDatabase(library.path)).toThrow(/newer Unisight/);
  });
});
