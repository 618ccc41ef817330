import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createCoreService } from '../../../../main/core/core-service.js';
import { forkLauncher } from '../../../../main/core/child-process/fork-launcher.js';
import { engineEntryFile, importWorkerFile } from '../../../../main/core/install-paths.js';
import { cliEntry, projectRoot } from '../../../support/serve-process.js';
import { demoExport, runCli } from '../../../support/demo-export.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

function filesCatalogued(library: string): number {
  const file = path.join(library, 'catalog.sqlite');
  if (!fs.existsSync(file)) return 0;
  try {
    const database = new Database(file, { readonly: true, timeout: 1000 });
    try {
      return (database.prepare('SELECT count(*) AS count FROM files').get() as { count: number }).count;
    } finally {
      database.close();
    }
  } catch {
    return 0;
  }
}

/** Starts an import and SIGKILLs it once some, but not all, files are in the catalog. */
async function importKilledMidway(folder: string, library: string, total: number, afterFiles: number): Promise<number> {
  const child = spawn(process.execPath, [cliEntry, 'import', folder, '--library', library, '--json'], {
    cwd: projectRoot,
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (;;) {
    const done = filesCatalogued(library);
    if (done >= afterFiles && done < total) {
      child.kill('SIGKILL');
      await exited;
      return done;
    }
    if (child.exitCode !== null) return done;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('an import killed with SIGKILL', () => {
  const workspace = temporaryLibrary();
  afterAll(() => workspace.remove());

  it('completes on re-run with the same counts as an uninterrupted import and an intact database', async () => {
    // 120 studies, as the cancel test below: results reach the catalog in batches, and with 50 the rest of a resumed
    // import could arrive in one batch before the next kill found it midway.
    const folder = demoExport(120);
    const reference = runCli(['import', folder, '--library', path.join(workspace.path, 'reference'), '--json']);
    expect(reference.status, reference.stderr).toBe(0);
    const expected = reference.json();
    const total = expected.files.total as number;

    const library = path.join(workspace.path, 'interrupted');
    const killedAt: number[] = [];
    for (const fraction of [0.1, 0.35, 0.6, 0.85])
      killedAt.push(await importKilledMidway(folder, library, total, Math.floor(total * fraction)));
    expect(
      killedAt.filter((done) => done > 0 && done < total).length,
      `files in the catalog at each kill: ${killedAt.join(', ')}`,
    ).toBeGreaterThanOrEqual(2);

    const resumed = runCli(['import', folder, '--library', library, '--json']);
    expect(resumed.status, resumed.stderr).toBe(0);
    const final = resumed.json();
    for (const key of [
      'outcomes',
      'reasons',
      'images',
      'studies',
      'studiesWithoutReports',
      'reports',
      'tables',
    ] as const)
      expect(final[key], key).toEqual(expected[key]);
    expect(final.files.total).toBe(total);

    const database = new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
    expect(database.pragma('integrity_check', { simple: true })).toBe('ok');
    const duplicates = database
      .prepare('SELECT count(*) - count(DISTINCT sop_instance_uid) AS extra FROM images')
      .get() as { extra: number };
    const runs = database.prepare('SELECT state, count(*) AS count FROM import_runs GROUP BY state').all() as Array<{
      state: string;
      count: number;
    }>;
    database.close();
    expect(duplicates.extra).toBe(0);
    expect(runs.find((run) => run.state === 'running')).toBeUndefined();
  }, 240_000);

  it('keeps what was done when cancelled, and finishes the rest when run again', async () => {
    // Enough files that the import is still going when the first batch is written (imports of 50 finish in ~0.5 s).
    const folder = demoExport(120);
    const core = createCoreService({
      libraryPath: path.join(workspace.path, 'cancelled'),
      launchEngine: forkLauncher({ entryFile: engineEntryFile, maxHeapMegabytes: 512 }),
      launchImportWorker: forkLauncher({ entryFile: importWorkerFile, maxHeapMegabytes: 512 }),
    });
    try {
      const started = await core.handlers['import.start']({
        folder,
        tables: [],
        keepIdentifiers: false,
        pseudonymisePaths: false,
        useManifest: true,
      });
      await new Promise<void>((resolve) => {
        const unsubscribe = core.events.subscribe((event) => {
          if (event.name === 'job.updated' && event.payload.id === started.id && event.payload.progress.done > 0) {
            unsubscribe();
            resolve();
          }
        });
      });
      await core.handlers['jobs.cancel']({ jobId: started.id });
      const cancelled = await core.jobs.waitForJob(started.id);
      expect(cancelled.state).toBe('cancelled');
      const kept = (await core.handlers['library.summary']({})).images;
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(120);

      const again = await core.handlers['import.start']({
        folder,
        tables: [],
        keepIdentifiers: false,
        pseudonymisePaths: false,
        useManifest: true,
      });
      const finished = await core.jobs.waitForJob(again.id);
      expect(finished.state).toBe('succeeded');
      expect(finished.result).toMatchObject({ images: 120, studies: 120, files: { unchanged: expect.any(Number) } });
      expect((finished.result as { files: { unchanged: number } }).files.unchanged).toBeGreaterThan(kept);
    } finally {
      await core.close();
    }
  }, 120_000);
});
