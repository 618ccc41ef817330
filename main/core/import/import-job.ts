import os from 'node:os';
import type Database from 'better-sqlite3';
import { ImportParameters, type ImportSummary, type Job } from '../../../common/contract/index.js';
import type { ChildProcessLauncher } from '../child-process/child-process-channel.js';
import type { CoreContext } from '../core-feature.js';
import type { JobExecutor } from '../jobs/job-manager.js';
import { importFolder } from './import-folder.js';
import { explainStorageError } from './storage-error.js';
import { FileWorkerPool, importWorkerMemoryBytes } from './worker-pool.js';
import { markRepresentativeSlices } from '../library/representative-slices.js';

/**
 * Files a worker holds beyond the one it is on: a worker that finishes a small file while the main thread writes a
 * batch goes straight on to the next (with one, workers sat idle 12% of an import, profiled).
 */
const importFilesQueuedPerWorker = 4;

/** Imports a folder with one worker process per core; `afterImport` runs once an import has finished. */
export function importJobExecutor(
  { catalog, pseudonymiser, logs }: CoreContext,
  launchImportWorker: ChildProcessLauncher,
  afterImport: () => void,
): JobExecutor {
  return {
    lane: 'import',
    unit: 'files',
    run: async (job, context) => {
      const parameters = ImportParameters.parse(job.parameters);
      const workers = Math.max(1, os.availableParallelism());
      const pool = new FileWorkerPool({
        launchWorker: launchImportWorker,
        size: workers,
        timeoutMilliseconds: 60_000,
        queuedPerWorker: importFilesQueuedPerWorker,
        memoryLimitBytes: importWorkerMemoryBytes,
        log: (stream, line) => logs.write(stream === 'stderr' ? 'warn' : 'info', 'import', line),
      });
      try {
        const { cancelled, summary } = await importFolder(
          {
            database: catalog.database,
            libraryPath: catalog.libraryPath,
            pseudonymiser,
            importRunId: job.id,
            processFile: (request) => pool.run(request),
            // Enough files in flight that every worker has its queue full and the pool one more for each.
            concurrency: workers * (importFilesQueuedPerWorker + 2),
            signal: context.signal,
            reportProgress: context.reportProgress,
          },
          parameters,
        ).catch((error: unknown) => {
          throw explainStorageError(error, catalog.libraryPath);
        });
        const result: ImportSummary = { ...summary, workerPeakResidentBytes: pool.peakResidentBytes() };
        if (cancelled) return { outcome: 'cancelled', result };
        afterImport();
        return { outcome: 'succeeded', result };
      } finally {
        await pool.close();
      }
    },
  };
}

/**
 * Imports whose job died with the process: the next import of the folder skips what they finished, and the images
 * they wrote are marked as an import's end would have (representative-slices.ts).
 */
export function markImportRunsInterrupted(database: Database.Database, jobs: readonly Job[]): void {
  const mark = database.prepare(
    "UPDATE import_runs SET state = 'interrupted', finished_at = ? WHERE id = ? AND state = 'running'",
  );
  for (const job of jobs) mark.run(job.finishedAt, job.id);
  if (jobs.length > 0) markRepresentativeSlices(database);
}
