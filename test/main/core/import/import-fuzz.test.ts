import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../common/seeded-random.js';
import { runCli } from '../../../support/demo-export.js';
import { listSampleFiles } from '../../../support/dicom-samples.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

const workspace = temporaryLibrary();
afterAll(() => workspace.remove());

/** One damaged copy of `bytes`: the kinds of harm real exports and hostile files show, drawn by `random`. */
function mutate(bytes: Buffer, random: SeededRandom): Buffer {
  const copy = Buffer.from(bytes);
  const at = (limit = copy.length) => random.integer(0, Math.max(0, limit - 1));
  switch (random.integer(0, 5)) {
    case 0: // flipped bits, mostly in the header where lengths and tags live
      for (let count = random.integer(1, 32); count > 0; count--)
        copy[at(Math.min(copy.length, 2048))]! ^= 1 << random.integer(0, 7);
      return copy;
    case 1: // cut short anywhere
      return copy.subarray(0, at());
    case 2: // a length field set to its largest value
      copy.writeUInt32LE(0xffffffff, at(copy.length - 4));
      return copy;
    case 3: // a run of zeros or of 0xff
      copy.fill(random.chance(0.5) ? 0 : 0xff, at(), at());
      return copy;
    case 4: {
      // a piece repeated, shifting everything after it
      const start = at();
      return Buffer.concat([copy.subarray(0, start + 64), copy.subarray(start)]);
    }
    default: // random bytes everywhere
      for (let count = random.integer(1, 256); count > 0; count--) copy[at()] = random.integer(0, 255);
      return copy;
  }
}

describe('an import of damaged copies of the real sample files (seeded fuzzing)', () => {
  it('finishes, gives every file a row with an outcome and a reason, and leaves a sound catalog', () => {
    const random = new SeededRandom('import-fuzz-1');
    const samples = listSampleFiles()
      .filter((file) => /\.dcm$/i.test(file) && fs.statSync(file).size < 600_000)
      .map((file) => fs.readFileSync(file));
    const folder = path.join(workspace.path, 'fuzzed');
    fs.mkdirSync(folder);
    const written = 300;
    for (let index = 0; index < written; index++)
      fs.writeFileSync(
        path.join(folder, `fuzzed-${String(index).padStart(3, '0')}.dcm`),
        mutate(samples[random.integer(0, samples.length - 1)]!, random),
      );

    const library = path.join(workspace.path, 'library');
    const run = runCli(['import', folder, '--library', library, '--json']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.json()).toMatchObject({ files: { total: written } });

    const catalog = new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
    try {
      const rows = catalog.prepare('SELECT path, outcome, reason FROM files').all() as Array<{
        path: string;
        outcome: string;
        reason: string | null;
      }>;
      expect(rows).toHaveLength(written);
      for (const row of rows) {
        expect(['imported', 'duplicate', 'skipped', 'failed'], row.path).toContain(row.outcome);
        if (row.outcome !== 'imported') expect(row.reason, row.path).toBeTruthy();
      }
      const counts = new Map<string, number>();
      for (const row of rows) counts.set(row.outcome, (counts.get(row.outcome) ?? 0) + 1);
      console.log([...counts].map(([outcome, count]) => `${outcome} ${count}`).join(', '));
      expect(catalog.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(catalog.prepare("SELECT count(*) AS count FROM import_runs WHERE state = 'running'").get()).toEqual({
        count: 0,
      });
    } finally {
      catalog.close();
    }
  }, 300_000);
});
