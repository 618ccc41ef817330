import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCatalogDatabase } from '../../../../main/core/library/catalog-database.js';
import { representativePositions } from '../../../../main/core/library/representative-slices.js';
import { runCli } from '../../../support/demo-export.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

describe('the slices that stand for a volume', () => {
  it('are all of a short series, else five evenly spaced, the middle one among them', () => {
    expect([...representativePositions(3)]).toEqual([0, 1, 2]);
    expect([...representativePositions(5)]).toEqual([0, 1, 2, 3, 4]);
    expect([...representativePositions(12)]).toEqual([1, 3, 6, 8, 10]);
    expect([...representativePositions(300)]).toEqual([30, 90, 150, 210, 270]);
  });

  const workspace = temporaryLibrary();
  afterAll(() => workspace.remove());

  it('are marked again when a series grows by a later import', () => {
    const exported = path.join(workspace.path, 'export');
    const written = runCli(['demo-data', exported, '--studies', '50', '--ct-studies', '1', '--ct-slices', '12']);
    expect(written.status, written.stderr).toBe(0);
    // The CT series arrives in two deliveries: its first eight slices, then the last four.
    const seriesFolder = (fs.readdirSync(exported, { recursive: true }) as string[]).find((entry) =>
      entry.endsWith('SER_CT_2'),
    )!;
    const later = path.join(workspace.path, 'later');
    fs.mkdirSync(later);
    for (const slice of [9, 10, 11, 12]) {
      const name = `IM${String(slice).padStart(6, '0')}.dcm`;
      fs.renameSync(path.join(exported, seriesFolder, name), path.join(later, name));
    }
    const library = path.join(workspace.path, 'library');
    const kept = () => {
      const catalog = openCatalogDatabase(library);
      try {
        return catalog.database
          .prepare(
            `SELECT images.instance_number FROM images JOIN series ON series.id = images.series_id
             WHERE series.modality = 'CT' AND images.represents_series = 1 ORDER BY images.instance_number`,
          )
          .pluck()
          .all();
      } finally {
        catalog.database.close();
      }
    };
    expect(runCli(['import', exported, '--library', library]).status).toBe(0);
    // 8 slices: positions 0, 2, 4, 5, 7.
    expect(kept()).toEqual([1, 3, 5, 6, 8]);
    expect(runCli(['import', later, '--library', library]).status).toBe(0);
    // 12 slices: positions 1, 3, 6, 8, 10.
    expect(kept()).toEqual([2, 4, 7, 9, 11]);
  }, 120_000);
});
