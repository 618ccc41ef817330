import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { ImportSummary, ReportTableMapping } from '../../../common/contract/index.js';
import type { ProgressUpdate } from '../jobs/job-manager.js';
import { CatalogPaths, type CataloguedLocation } from '../library/catalog-paths.js';
import { pathRange } from '../library/path-range.js';
import type { Pseudonymiser } from '../library/pseudonymiser.js';
import { CatalogWriter } from './catalog-writer.js';
import { isRetried, type FailureKind } from './failure-kind.js';
import { markRepresentativeSlices } from '../library/representative-slices.js';
import { linkTable, linkTextReports, type TableLinkSummary } from './link-reports.js';
import type { ProcessFileRequest, ProcessFileResult } from './process-file.js';
import { readManifest } from './report-tables.js';
import { isDiskFull } from '../library/disk-full.js';
import { diskFullMessage } from './storage-error.js';
import { manifestFileName, walkedFileAt, walkFolder, type WalkedFile } from './walk-folder.js';
import { importWorkerMemoryBytes } from './worker-pool.js';

export const modelImageSize = 256;
export const thumbnailSize = 160;
/**
 * Files this large or larger are skipped unread: a worker reads a file whole, so one near the memory a worker may hold
 * (three quarters of it, leaving room for the worker itself and a decode) could only end it; and 2 GiB is past what
 * Node reads at once.
 */
export const maximumFileBytes = Math.min(Math.floor(importWorkerMemoryBytes * 0.75), 2 * 1024 ** 3);
/** What one file may take of a worker (its limit, less what an idle worker holds: Node and the codecs' heaps). */
export const fileMemoryBudgetBytes = importWorkerMemoryBytes - 128 * 1024 ** 2;
const batchSize = 64;
/** Results are written at least this often, so a kill loses at most a fraction of a second of work. */
const batchMilliseconds = 250;

export interface ImportFolderOptions {
  folder: string;
  tables: ReportTableMapping[];
  keepIdentifiers: boolean;
  /** Without `tables`: link as the folder's manifest says (true), or link no tables (false). */
  useManifest: boolean;
}

export interface ImportFolderContext {
  database: Database.Database;
  libraryPath: string;
  pseudonymiser: Pseudonymiser;
  importRunId: string;
  processFile(request: ProcessFileRequest): Promise<ProcessFileResult>;
  concurrency: number;
  signal: AbortSignal;
  reportProgress(update: ProgressUpdate): void;
}

interface KnownFile {
  size_bytes: number;
  modified_ms: number;
  outcome: string;
  failure_kind: FailureKind | null;
  stale: 0 | 1;
}

/**
 * Imports a folder: every file is walked, unchanged ones (same size and modification time as catalogued) are left
 * alone, the others are processed in parallel and written in batched transactions. A cancel or a kill keeps every
 * batch already written; the next run picks up the rest.
 */
export async function importFolder(
  context: ImportFolderContext,
  options: ImportFolderOptions,
): Promise<{ cancelled: boolean; summary: ImportSummary }> {
  const folder = path.resolve(options.folder);
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) throw new Error(`${folder} is not a folder.`);
  const { database } = context;
  const paths = CatalogPaths.of(database, context.pseudonymiser);
  database
    .prepare("INSERT INTO import_runs (id, root_path, started_at, state) VALUES (?, ?, ?, 'running')")
    .run(context.importRunId, paths.catalogPath(folder), new Date().toISOString());
  try {
    return await importWalkedFolder(context, options, folder, paths);
  } catch (error) {
    markRunFailed(database, context.importRunId);
    throw error;
  }
}

async function importWalkedFolder(
  context: ImportFolderContext,
  options: ImportFolderOptions,
  folder: string,
  paths: CatalogPaths,
): Promise<{ cancelled: boolean; summary: ImportSummary }> {
  const { database } = context;
  const writer = new CatalogWriter(database, context.pseudonymiser, paths, options.keepIdentifiers);
  const known = database.prepare(
    'SELECT size_bytes, modified_ms, outcome, failure_kind, stale FROM files WHERE path = ?',
  );
  const unchangedPaths = new Set<string>();
  const unreadable: string[] = [];
  const tableFiles: WalkedFile[] = [];
  let folderHasManifest = false;
  const toProcess: WalkedFile[] = [];
  let walking = true;
  let total = 0;
  let done = 0;
  let unchanged = 0;
  // An empty message clears the one before (null would keep it).
  const stateMessage = (): string =>
    walking
      ? `scanning: ${total} files found so far`
      : unchanged > 0
        ? `${unchanged} files unchanged since the last import`
        : '';
  const report = (message = stateMessage()): void => context.reportProgress({ done, total, unit: 'files', message });

  let pending: Array<{ walked: WalkedFile; result: ProcessFileResult }> = [];
  let lastFlush = Date.now();
  const flush = (): void => {
    lastFlush = Date.now();
    if (pending.length === 0) return;
    writer.writeBatch(pending, context.importRunId, modelImageSize);
    done += pending.length;
    pending = [];
    report();
  };

  // A write that fails (the disk is full) stops the import: every loop ends, then the error is thrown; what was
  // written stays, and the next import picks up the rest.
  let stopped: unknown = null;
  const running = (): boolean => !context.signal.aborted && stopped === null;

  // Files are processed as the walk finds them: on a slow disk the walk alone takes seconds the workers need not wait.
  const wakeWorkers: Array<() => void> = [];
  const wake = (): void => {
    for (const resume of wakeWorkers.splice(0)) resume();
  };
  const walk = async (): Promise<void> => {
    report();
    let sliceStarted = performance.now();
    const onUnreadable = (directory: string, reason: string): void => {
      const catalogDirectory = paths.catalogPath(directory);
      unreadable.push(`${catalogDirectory}: ${reason.replaceAll(directory, catalogDirectory)}`);
    };
    for (const file of walkFolder(folder, onUnreadable)) {
      total += 1;
      if (file.kind === 'manifest' && path.dirname(file.path) === folder) folderHasManifest = true;
      const previous = known.get(paths.catalogPath(file.path)) as KnownFile | undefined;
      const again = previous !== undefined && (previous.stale === 1 || isRetried(previous.failure_kind));
      if (previous && !again && previous.size_bytes === file.sizeBytes && previous.modified_ms === file.modifiedMs) {
        unchanged += 1;
        done += 1;
        unchangedPaths.add(file.path);
      } else if (file.kind === 'manifest' || file.kind === 'table') {
        tableFiles.push(file);
      } else if (file.kind === 'junk') {
        pending.push({
          walked: file,
          result: { path: file.path, sha256: null, outcome: 'skipped', reason: file.junkReason! },
        });
      } else {
        toProcess.push(file);
        wake();
      }
      if (!running()) break;
      // The walk is synchronous file-system work: let the workers' answers in now and then.
      if (performance.now() - sliceStarted > 20) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStarted = performance.now();
      }
    }
    walking = false;
    report();
    wake();
  };
  let next = 0;
  const processNext = async (): Promise<void> => {
    while (running()) {
      if (next >= toProcess.length) {
        if (!walking) return;
        await new Promise<void>((resolve) => wakeWorkers.push(resolve));
        continue;
      }
      const file = toProcess[next++]!;
      const result = await context.processFile({
        path: file.path,
        catalogPath: paths.catalogPath(file.path),
        kind: file.kind === 'report-text' ? 'report-text' : 'dicom',
        libraryPath: context.libraryPath,
        modelImageSize,
        thumbnailSize,
        maximumFileBytes,
        memoryBudgetBytes: fileMemoryBudgetBytes,
      });
      // After a failed write the import stops; this result is not written, and the next import processes the file.
      if (stopped !== null) break;
      try {
        if (result.outcome === 'failed' && isDiskFull(result.reason))
          throw new Error(diskFullMessage(context.libraryPath));
        pending.push({ walked: file, result });
        if (pending.length >= batchSize || Date.now() - lastFlush >= batchMilliseconds) flush();
      } catch (error) {
        stopped ??= error;
        wake();
      }
    }
  };
  const workers = (): Array<Promise<void>> => Array.from({ length: Math.max(1, context.concurrency) }, processNext);
  await Promise.all([walk(), ...workers()]);
  if (stopped !== null) throw stopped;

  // Duplicates of files this import rewrote may duplicate nothing now (catalog-writer marks them stale), and copies
  // whose original changed in this run were not judged: again, in this run (a cancelled import leaves them, for the
  // next).
  flush();
  const stale = context.signal.aborted
    ? []
    : (
        database
          .prepare(
            "SELECT path, location FROM files WHERE (stale = 1 OR (failure_kind = 'interrupted' AND import_run_id = ?)) AND path >= ? AND path < ?",
          )
          .all(context.importRunId, ...pathRange(paths.catalogPath(folder))) as CataloguedLocation[]
      )
        .map((file) => walkedFileAt(paths.realPath(file)))
        .filter((file): file is WalkedFile => file !== null);
  for (const file of stale) {
    if (unchangedPaths.delete(file.path)) unchanged -= 1;
    done -= 1;
    toProcess.push(file);
  }
  if (stale.length > 0) await Promise.all(workers());
  if (stopped !== null) throw stopped;

  let tables = options.tables;
  const tablesFromManifest = tables.length === 0 && folderHasManifest && options.useManifest;
  if (tablesFromManifest) tables = readManifest(folder, manifestFileName).tables;
  const mappedTables = new Set(tables.map((table) => path.resolve(folder, table.file)));
  for (const file of tableFiles) {
    const reason =
      mappedTables.has(file.path) || file.kind === 'manifest'
        ? 'report table or manifest (read in the linking step)'
        : 'table not named in a report mapping';
    pending.push({ walked: file, result: { path: file.path, sha256: null, outcome: 'skipped', reason } });
  }
  flush();
  // Also after a cancel: the images written so far are in the catalog and must be marked.
  markRepresentativeSlices(database);

  const cancelled = context.signal.aborted;
  let tableSummaries: TableLinkSummary[] = [];
  if (!cancelled) {
    report('linking reports');
    linkTextReports(database, paths, folder);
    tableSummaries = tables.map((table) =>
      linkTable(database, context.pseudonymiser, paths, folder, table, tablesFromManifest),
    );
  }
  const summary = summariseFolder(database, paths.catalogPath(folder), {
    total,
    unchanged,
    processed: new Set(toProcess.map((file) => file.path)).size,
    unreadable,
    tables: tableSummaries,
  });
  database
    .prepare('UPDATE import_runs SET finished_at = ?, state = ?, counts_json = ? WHERE id = ?')
    .run(new Date().toISOString(), cancelled ? 'cancelled' : 'succeeded', JSON.stringify(summary), context.importRunId);
  return { cancelled, summary };
}

/** Best effort: on a full disk even this write fails, and the run stays 'running' in the catalog. */
function markRunFailed(database: Database.Database, importRunId: string): void {
  try {
    database
      .prepare("UPDATE import_runs SET finished_at = ?, state = 'failed' WHERE id = ?")
      .run(new Date().toISOString(), importRunId);
  } catch {
    // The job's own failure (or, if that cannot be written either, its orphaning at the next start) still tells.
  }
}

function summariseFolder(
  database: Database.Database,
  folder: string,
  run: { total: number; unchanged: number; processed: number; unreadable: string[]; tables: TableLinkSummary[] },
): ImportSummary {
  const range = pathRange(folder);
  const outcomes = { imported: 0, duplicate: 0, skipped: 0, failed: 0 };
  for (const row of database
    .prepare('SELECT outcome, count(*) AS count FROM files WHERE path >= ? AND path < ? GROUP BY outcome')
    .all(...range) as Array<{ outcome: keyof typeof outcomes; count: number }>) {
    outcomes[row.outcome] = row.count;
  }
  const reasons = database
    .prepare(
      `SELECT outcome, reason, count(*) AS count FROM files WHERE path >= ? AND path < ? AND outcome != 'imported'
       GROUP BY outcome, reason ORDER BY count DESC, reason LIMIT 200`,
    )
    .all(...range) as Array<{ outcome: string; reason: string | null; count: number }>;
  const count = (sql: string): number => (database.prepare(sql).get(...range) as { count: number }).count;
  const imagesUnder = `FROM images JOIN files ON files.id = images.file_id JOIN series ON series.id = images.series_id WHERE files.path >= ? AND files.path < ?`;
  return {
    folder,
    files: { total: run.total, unchanged: run.unchanged, processed: run.processed },
    outcomes,
    reasons: reasons.map((row) => ({ outcome: row.outcome, reason: row.reason ?? '', count: row.count })),
    images: count(`SELECT count(*) AS count ${imagesUnder}`),
    studies: count(`SELECT count(DISTINCT series.study_id) AS count ${imagesUnder}`),
    studiesWithoutReports: count(
      `SELECT count(DISTINCT series.study_id) AS count ${imagesUnder} AND NOT EXISTS (SELECT 1 FROM reports WHERE reports.study_id = series.study_id)`,
    ),
    reports: {
      linked: count(
        `SELECT count(*) AS count FROM reports WHERE source_path >= ? AND source_path < ? AND study_id IS NOT NULL`,
      ),
      unmatched: count(
        `SELECT count(*) AS count FROM reports WHERE source_path >= ? AND source_path < ? AND study_id IS NULL AND duplicate_of IS NULL`,
      ),
    },
    tables: run.tables.map((table) => ({ ...table, problems: table.problems.slice(0, 20) })),
    unreadableFolders: run.unreadable,
  };
}
