import { spawnSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { demoExport, runCli } from '../../../support/demo-export.js';
import { smallDisk } from '../../../support/small-disk.js';

// A real full disk: a tmpfs of a few megabytes, grown afterwards.
const small = smallDisk('4m', 'an import onto a full disk (import-full-disk.test.ts)');
const disk = small.path;
const cannotMount = small.skipped;
afterAll(() => small.remove());

describe.skipIf(cannotMount !== null)('an import onto a full disk', () => {
  it('says the disk is full, keeps what it wrote, and finishes every file once there is space', () => {
    const folder = demoExport(50);
    const library = path.join(disk, 'library');
    const full = runCli(['import', folder, '--library', library]);
    expect(full.status).toBe(1);
    expect(full.stdout).toContain(
      `Import failed: The disk holding the library (${library}) is full. Free some space and run the import again`,
    );
    expect(full.stderr).not.toMatch(/SqliteError|\n\s+at /);
    const before = new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
    const kept = before.prepare('SELECT count(*) FROM images').pluck().get() as number;
    before.close();
    // About half the export fits on 4 MB (packs and catalog): what made it in stays.
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(50);

    expect(spawnSync('mount', ['-o', 'remount,size=64m', disk]).status).toBe(0);
    const again = runCli(['import', folder, '--library', library, '--json']);
    expect(again.status, again.stderr).toBe(0);
    const summary = again.json();
    expect(summary).toMatchObject({ images: 50, studies: 50 });
    expect(summary.files.unchanged).toBeGreaterThanOrEqual(kept);
    const catalog = new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
    try {
      // Only the export's two broken files failed: nothing that met the full disk is left failed.
      expect(catalog.prepare("SELECT count(*) FROM files WHERE outcome = 'failed'").pluck().get()).toBe(2);
      expect(catalog.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      catalog.close();
    }
  }, 240_000);
});
