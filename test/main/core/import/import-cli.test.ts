import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parseDicom } from 'dicom-parser';
import { decode as decodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreService } from '../../../../main/core/core-service.js';
import { forkLauncher } from '../../../../main/core/child-process/fork-launcher.js';
import { engineEntryFile, importWorkerFile } from '../../../../main/core/install-paths.js';
import { copyTree, demoExport, runCli } from '../../../support/demo-export.js';
import { structuredReportFile } from '../../../support/structured-report.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

interface TruthLine {
  accession_number: string;
  study_instance_uid: string;
}

/** Every catalog table's content, less bookkeeping columns that legitimately change on a re-run. */
function catalogSnapshot(databaseFile: string): string {
  const database = new Database(databaseFile, { readonly: true });
  try {
    const tables = {
      patients: 'SELECT * FROM patients ORDER BY id',
      studies: 'SELECT * FROM studies ORDER BY id',
      series: 'SELECT * FROM series ORDER BY id',
      images: 'SELECT * FROM images ORDER BY id',
      reports: 'SELECT * FROM reports ORDER BY id',
      labels: 'SELECT * FROM labels ORDER BY id',
      files: 'SELECT id, path, size_bytes, modified_ms, content_sha256, kind, outcome, reason FROM files ORDER BY id',
    };
    return JSON.stringify(
      Object.fromEntries(Object.entries(tables).map(([name, sql]) => [name, database.prepare(sql).all()])),
    );
  } finally {
    database.close();
  }
}

describe('unisight import on a generated hospital export', () => {
  const workspace = temporaryLibrary();
  const exportFolder = path.join(workspace.path, 'export');
  const library = path.join(workspace.path, 'library');
  let srStudy: TruthLine;
  let first: ReturnType<ReturnType<typeof runCli>['json']>;

  beforeAll(() => {
    copyTree(demoExport(50), exportFolder);
    const reportsCsv = fs.readFileSync(path.join(exportFolder, 'reports.csv'), 'utf8');
    const truth = fs
      .readFileSync(path.join(exportFolder, 'ground-truth.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as TruthLine);
    const studyFolders = fs
      .readdirSync(exportFolder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) =>
        fs.readdirSync(path.join(exportFolder, entry.name)).map((name) => path.join(exportFolder, entry.name, name)),
      );
    srStudy = truth.find((line) => {
      const folder = studyFolders.find((candidate) => candidate.endsWith(line.accession_number))!;
      return !reportsCsv.includes(line.accession_number) && !fs.existsSync(path.join(folder, 'report.txt'));
    })!;
    const folder = studyFolders.find((candidate) => candidate.endsWith(srStudy.accession_number))!;
    fs.mkdirSync(path.join(folder, 'SER_SR'));
    fs.writeFileSync(
      path.join(folder, 'SER_SR', 'SR000001'),
      structuredReportFile(srStudy.study_instance_uid, 'Small right apical pneumothorax.', 'Right pneumothorax.'),
    );
    const run = runCli(['import', exportFolder, '--library', library, '--json']);
    expect(run.status, run.stderr).toBe(0);
    first = run.json();
  });
  afterAll(() => workspace.remove());

  it('reports counts by outcome, each non-import with its reason', () => {
    expect(first).toMatchObject({ state: 'succeeded', images: 50, studies: 50, files: { unchanged: 0 } });
    expect(first.files.processed).toBeGreaterThan(50);
    expect(first.outcomes.failed).toBe(2);
    const reasons = first.reasons.map(
      (entry: { outcome: string; reason: string }) => `${entry.outcome}: ${entry.reason}`,
    );
    expect(reasons).toEqual(
      expect.arrayContaining([
        'skipped: PDF document, not DICOM',
        'skipped: empty file',
        'skipped: operating-system metadata file',
        'skipped: not a DICOM file (no DICM marker and no recognisable data set)',
        expect.stringMatching(/^failed: (truncated|pixel data is truncated|cannot parse)/),
      ]),
    );
  });

  it('links reports by all three routes and lists the unmatched ones', async () => {
    const database = new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
    const bySource = Object.fromEntries(
      (
        database
          .prepare('SELECT source, count(*) AS count FROM reports WHERE study_id IS NOT NULL GROUP BY source')
          .all() as Array<{ source: string; count: number }>
      ).map((row) => [row.source, row.count]),
    );
    const sr = database
      .prepare(
        "SELECT studies.study_instance_uid AS uid, reports.text FROM reports JOIN studies ON studies.id = reports.study_id WHERE source = 'structured-report'",
      )
      .get() as { uid: string; text: string };
    const labels = database.prepare('SELECT count(*) AS count FROM labels').get() as { count: number };
    database.close();
    expect(bySource['manifest']).toBeGreaterThan(20);
    expect(bySource['text-file']).toBeGreaterThan(3);
    expect(sr).toEqual({
      uid: srStudy.study_instance_uid,
      text: 'Findings: Small right apical pneumothorax.\nImpression: Right pneumothorax.',
    });
    expect(labels.count).toBe(50 * 6);
    expect(first.reports.unmatched).toBe(2);

    const core = createCoreService({
      libraryPath: library,
      launchEngine: forkLauncher({ entryFile: engineEntryFile, maxHeapMegabytes: 512 }),
      launchImportWorker: forkLauncher({ entryFile: importWorkerFile, maxHeapMegabytes: 512 }),
    });
    try {
      const unmatched = await core.handlers['library.unmatchedReports']({ limit: 10 });
      expect(unmatched.map((report) => report.matchKey).sort()).toEqual([
        'accession-number ACC09999991',
        'accession-number ACC09999992',
      ]);
      const summary = await core.handlers['library.summary']({});
      expect(summary).toMatchObject({
        studies: 50,
        images: 50,
        unmatchedReports: 2,
        labelTasks: ['abnormal', 'cardiomegaly', 'consolidation', 'effusion', 'nodule', 'pneumothorax'],
      });
      expect(summary.patients).toBeLessThan(50);
      // Each task's values with their study counts, for the Label filter to offer: every study has each label.
      for (const task of summary.labelTasks)
        expect(summary.labelValues[task]!.reduce((sum, option) => sum + option.studies, 0)).toBe(50);
      // Every thumbnail reads back from its pack as a PNG of at most 160 px, each its own film.
      const imageIds = new Database(path.join(library, 'catalog.sqlite'), { readonly: true })
        .prepare('SELECT id FROM images ORDER BY id')
        .pluck()
        .all() as number[];
      const thumbnails = await Promise.all(imageIds.map((imageId) => core.handlers['library.thumbnail']({ imageId })));
      for (const { dataUrl } of thumbnails) {
        const png = decodePng(Buffer.from(dataUrl.replace('data:image/png;base64,', ''), 'base64'), { checkCrc: true });
        expect(Math.max(png.width, png.height)).toBe(160);
      }
      expect(new Set(thumbnails.map((thumbnail) => thumbnail.dataUrl)).size).toBe(imageIds.length);
      // The tag panel names the file's attributes and keeps the catalog's pseudonymisation.
      const { tags, withheld } = await core.handlers['library.imageTags']({ imageId: imageIds[0]! });
      const byName = new Map(tags.map((tag) => [tag.name, tag]));
      expect(byName.get('Modality')).toMatchObject({ tag: '(0008,0060)', vr: 'CS' });
      expect(byName.get('Rows')!.value).toMatch(/^\d+$/);
      expect(byName.get('PatientID')!.value).toMatch(/^P[0-9a-f]{16} \(pseudonym\)$/);
      expect(byName.get('PatientName')!.value).toBe('(withheld: identifying)');
      expect(withheld).toBeGreaterThanOrEqual(2);
      const file = new Database(path.join(library, 'catalog.sqlite'), { readonly: true }).prepare(
        'SELECT path FROM files JOIN images ON images.file_id = files.id WHERE images.id = ?',
      );
      const dataSet = parseDicom(fs.readFileSync(file.pluck().get(imageIds[0]!) as string));
      const raw = JSON.stringify(tags);
      for (const identifier of [dataSet.string('x00100010'), dataSet.string('x00100020')])
        expect(raw).not.toContain(identifier!);
    } finally {
      await core.close();
    }
  });

  it('changes nothing when run again', () => {
    const before = catalogSnapshot(path.join(library, 'catalog.sqlite'));
    const again = runCli(['import', exportFolder, '--library', library, '--json']);
    expect(again.status, again.stderr).toBe(0);
    const second = again.json();
    expect(second.files).toEqual({ total: first.files.total, unchanged: first.files.total, processed: 0 });
    const runFacts = { jobId: null, files: null, peakResidentBytes: null, workerPeakResidentBytes: null };
    expect({ ...second, ...runFacts }).toEqual({ ...first, ...runFacts });
    expect(catalogSnapshot(path.join(library, 'catalog.sqlite'))).toBe(before);
  });

  it('renders MONOCHROME1 and MONOCHROME2 films with the same polarity (lungs dark, spine bright)', () => {
    const database = new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
    const images = database
      .prepare(
        'SELECT photometric_interpretation AS photometric, model_image_path AS file, model_image_offset AS offset, model_image_size AS size FROM images',
      )
      .all() as Array<{ photometric: string; file: string; offset: number; size: number }>;
    database.close();
    expect(new Set(images.map((image) => image.photometric))).toEqual(new Set(['MONOCHROME1', 'MONOCHROME2']));
    // Model images sit in a few pack files (with the thumbnails).
    expect(new Set(images.map((image) => image.file)).size).toBeLessThanOrEqual(os.availableParallelism());
    for (const image of images) {
      const pack = fs.readFileSync(path.join(library, image.file));
      const pixels = pack.subarray(image.offset, image.offset + image.size * image.size);
      expect(pixels.length).toBe(image.size * image.size);
      const mean = (x0: number, x1: number, y0: number, y1: number): number => {
        let sum = 0;
        let count = 0;
        for (let y = Math.floor(y0 * image.size); y < y1 * image.size; y++)
          for (let x = Math.floor(x0 * image.size); x < x1 * image.size; x++, count++)
            sum += pixels[y * image.size + x]!;
        return sum / count;
      };
      expect(mean(0.24, 0.34, 0.35, 0.5), image.photometric).toBeLessThan(mean(0.47, 0.53, 0.35, 0.5));
    }
  });

  it('never stores raw patient identifiers unless asked to', () => {
    const database = new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
    const raw = database
      .prepare(
        'SELECT count(*) AS count FROM patients WHERE raw_patient_id IS NOT NULL OR raw_patient_name IS NOT NULL',
      )
      .get() as { count: number };
    const pseudonyms = database.prepare('SELECT pseudonym FROM patients').pluck().all() as string[];
    database.close();
    expect(raw.count).toBe(0);
    expect(pseudonyms.every((value) => /^P[0-9a-f]{16}$/.test(value))).toBe(true);
    const catalogBytes = fs.readFileSync(path.join(library, 'catalog.sqlite'));
    expect(catalogBytes.includes(Buffer.from('MRN'))).toBe(false);
  });

  it('indexes report text for full-text search (FTS5)', () => {
    const database = new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
    const fts = database
      .prepare("SELECT count(*) AS count FROM reports_fts WHERE reports_fts MATCH 'pneumothorax'")
      .get() as { count: number };
    const scan = database.prepare("SELECT count(*) AS count FROM reports WHERE text LIKE '%pneumothorax%'").get() as {
      count: number;
    };
    database.close();
    expect(fts.count).toBeGreaterThan(0);
    expect(fts.count).toBe(scan.count);
  });

  it('notices a report file whose content changed and updates it, touching nothing else', () => {
    const database = () => new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
    const reader = database();
    const report = reader
      .prepare("SELECT source_path AS file FROM reports WHERE source = 'text-file' AND study_id IS NOT NULL LIMIT 1")
      .get() as { file: string };
    reader.close();
    fs.writeFileSync(report.file, 'FINDINGS: Amended: small left pleural effusion.\nIMPRESSION: Left effusion.');
    const again = runCli(['import', exportFolder, '--library', library, '--json']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.json().files).toMatchObject({ processed: 1, unchanged: first.files.total - 1 });
    const after = database();
    const text = after.prepare('SELECT text FROM reports WHERE source_path = ?').pluck().get(report.file);
    after.close();
    expect(text).toBe('FINDINGS: Amended: small left pleural effusion.\nIMPRESSION: Left effusion.');
  });

  it('maps a report table from command-line flags when the folder has no manifest', () => {
    const bare = copyTree(exportFolder, path.join(workspace.path, 'bare'));
    fs.rmSync(path.join(bare, 'unisight-manifest.json'));
    const run = runCli([
      'import',
      bare,
      '--library',
      path.join(workspace.path, 'library-flags'),
      '--json',
      '--table',
      'reports.csv',
      '--match',
      'accession-number',
      '--key-column',
      'accession_number',
      '--text-column',
      'report_text',
    ]);
    expect(run.status, run.stderr).toBe(0);
    const summary = run.json();
    expect(summary.tables).toHaveLength(1);
    expect(summary.tables[0]).toMatchObject({ delimiter: ',', encoding: 'utf-8', unmatchedRows: 2 });
    expect(summary.tables[0].matchedRows).toBe(summary.tables[0].rows - 2);
  });

  it("links no table by the folder's manifest when told to ignore it, and the same folder's tables by the manifest otherwise", () => {
    const ignoring = path.join(workspace.path, 'library-no-manifest');
    const run = runCli(['import', exportFolder, '--library', ignoring, '--json', '--ignore-manifest']);
    expect(run.status, run.stderr).toBe(0);
    const summary = run.json();
    expect(summary.tables).toEqual([]);
    expect(first.tables.length).toBeGreaterThan(0);
    const database = new Database(path.join(ignoring, 'catalog.sqlite'), { readonly: true });
    try {
      const sources = database.prepare('SELECT DISTINCT source FROM reports').pluck().all();
      expect(sources).not.toContain('manifest');
      expect(sources.length).toBeGreaterThan(0);
      expect(database.prepare("SELECT count(*) FROM labels WHERE source LIKE 'manifest:%'").pluck().get()).toBe(0);
    } finally {
      database.close();
    }
  });

  it('keeps patient IDs that link a table only as their pseudonyms, in report keys and unmatched lists too', () => {
    const bare = copyTree(exportFolder, path.join(workspace.path, 'by-patient'));
    fs.rmSync(path.join(bare, 'unisight-manifest.json'));
    const image = fs.readdirSync(bare, { recursive: true, encoding: 'utf8' }).find((name) => /IM\d+\.dcm$/.test(name))!;
    const dataSet = parseDicom(fs.readFileSync(path.join(bare, image)));
    const [patientId, date] = [dataSet.string('x00100020')!, dataSet.string('x00080020')!];
    const unknownPatient = 'MRN0000000';
    fs.writeFileSync(
      path.join(bare, 'by-patient.csv'),
      `patient_id,study_date,report_text\n${patientId},${date},Addendum.\n${unknownPatient},${date},Nobody's.\n`,
    );
    const patientLibrary = path.join(workspace.path, 'library-by-patient');
    const run = runCli(
      ['import', bare, '--library', patientLibrary, '--json', '--table', 'by-patient.csv'].concat(
        ['--match', 'patient-id-and-study-date', '--key-column', 'patient_id', '--date-column', 'study_date'],
        ['--text-column', 'report_text'],
      ),
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.json().tables[0]).toMatchObject({ rows: 2, matchedRows: 1, unmatchedRows: 1 });
    const database = new Database(path.join(patientLibrary, 'catalog.sqlite'), { readonly: true });
    const reports = database
      .prepare(
        "SELECT source_key AS sourceKey, match_key AS matchKey, study_id AS studyId FROM reports WHERE source = 'manifest'",
      )
      .all() as Array<{ sourceKey: string; matchKey: string; studyId: number | null }>;
    database.close();
    expect(reports).toHaveLength(2);
    expect(JSON.stringify(reports)).not.toMatch(new RegExp(`${patientId}|${unknownPatient}`));
    expect(reports.map((report) => report.matchKey)).toEqual([
      expect.stringMatching(/^patient-id-and-study-date P[0-9a-f]{16}$/),
      expect.stringMatching(/^patient-id-and-study-date P[0-9a-f]{16}$/),
    ]);
  });

  it('links the report of a copied study folder to its study, and keeps a report text once per study', () => {
    const catalog = () => new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
    const reader = catalog();
    const original = reader
      .prepare(
        "SELECT source_path AS file, study_id AS studyId FROM reports WHERE source = 'text-file' AND match_key = 'same folder' LIMIT 1",
      )
      .get() as { file: string; studyId: number };
    const unmatchedBefore = reader
      .prepare('SELECT count(*) FROM reports WHERE study_id IS NULL AND duplicate_of IS NULL')
      .pluck()
      .get();
    reader.close();
    // The same study folder twice more (its images are duplicates there): once as it is, once with an amended report.
    const copies = path.join(exportFolder, 'copies');
    copyTree(path.dirname(original.file), path.join(copies, 'same'));
    copyTree(path.dirname(original.file), path.join(copies, 'amended'));
    fs.writeFileSync(
      path.join(copies, 'amended', 'report.txt'),
      'FINDINGS: Addendum: no interval change.\nIMPRESSION: Unchanged.',
    );
    const cacheBytes = () =>
      fs
        .readdirSync(path.join(library, 'cache', 'images'))
        .reduce((sum, name) => sum + fs.statSync(path.join(library, 'cache', 'images', name)).size, 0);
    const cachedBefore = cacheBytes();
    const run = runCli(['import', exportFolder, '--library', library, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const summary = run.json();
    expect(summary.outcomes.duplicate).toBeGreaterThan(2);
    // Byte-identical copies are known by their content before any decoding: nothing new in the image cache.
    // One summary line per kind of duplicate, however many files: the log names the file each one duplicates.
    expect(
      summary.reasons
        .filter((entry: { outcome: string }) => entry.outcome === 'duplicate')
        .map((entry: { reason: string }) => entry.reason)
        .sort(),
    ).toEqual(['same content as a file already imported', 'the study already has this report text']);
    expect(cacheBytes()).toBe(cachedBefore);

    const after = catalog();
    const textReports = after
      .prepare("SELECT source_path FROM reports WHERE study_id = ? AND source = 'text-file' ORDER BY id")
      .pluck()
      .all(original.studyId);
    const copiedReport = after
      .prepare('SELECT outcome, reason, duplicate_of AS duplicateOf FROM files WHERE path = ?')
      .get(path.join(copies, 'same', 'report.txt'));
    const copiedImage = after
      .prepare("SELECT duplicate_of FROM files WHERE path >= ? AND path < ? AND kind = 'dicom' LIMIT 1")
      .pluck()
      .get(path.join(copies, 'same'), path.join(copies, 'same\uffff'));
    const unmatchedAfter = after
      .prepare('SELECT count(*) FROM reports WHERE study_id IS NULL AND duplicate_of IS NULL')
      .pluck()
      .get();
    after.close();
    expect(textReports).toEqual([original.file, path.join(copies, 'amended', 'report.txt')]);
    expect(copiedReport).toEqual({
      outcome: 'duplicate',
      reason: 'the study already has this report text',
      duplicateOf: original.file,
    });
    expect(String(copiedImage).startsWith(`${path.dirname(original.file)}${path.sep}`)).toBe(true);
    expect(unmatchedAfter).toBe(unmatchedBefore);
  });

  it('looks again at copies when the file they copied changes, in the same import', () => {
    const copies = path.join(exportFolder, 'copies');
    const catalog = () => new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
    const reader = catalog();
    const copiedImage = reader
      .prepare(
        "SELECT path, duplicate_of AS original FROM files WHERE duplicate_of IS NOT NULL AND kind = 'dicom' AND path >= ? AND path < ? LIMIT 1",
      )
      .get(path.join(copies, 'same'), path.join(copies, 'same\uffff')) as { path: string; original: string };
    const copiedReport = path.join(copies, 'same', 'report.txt');
    const keptReport = reader
      .prepare('SELECT duplicate_of FROM files WHERE path = ?')
      .pluck()
      .get(copiedReport) as string;
    const otherImage = reader
      .prepare(
        'SELECT files.path FROM files JOIN images ON images.file_id = files.id WHERE files.path NOT LIKE ? ORDER BY files.id DESC LIMIT 1',
      )
      .pluck()
      .get(`${path.dirname(copiedImage.original)}%`) as string;
    reader.close();
    // The original image now holds another study's file, and the kept report is amended.
    fs.copyFileSync(otherImage, copiedImage.original);
    fs.writeFileSync(
      keptReport,
      'FINDINGS: Amended after review: small right pleural effusion.\nIMPRESSION: Right effusion.',
    );

    const run = runCli(['import', exportFolder, '--library', library, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const after = catalog();
    const outcome = after.prepare('SELECT outcome, duplicate_of AS duplicateOf FROM files WHERE path = ?');
    // Both copies (same/, amended/) copied bytes that are gone: decoded now, one is the study's image, the other its
    // copy.
    const twin = copiedImage.path.replace(`${path.sep}same${path.sep}`, `${path.sep}amended${path.sep}`);
    const copiesNow = [outcome.get(copiedImage.path), outcome.get(twin)] as Array<{
      outcome: string;
      duplicateOf: string | null;
    }>;
    expect(copiesNow.map((entry) => entry.outcome).sort()).toEqual(['duplicate', 'imported']);
    expect(copiesNow.find((entry) => entry.outcome === 'duplicate')!.duplicateOf).toBe(
      copiesNow[0]!.outcome === 'imported' ? copiedImage.path : twin,
    );
    expect(outcome.get(copiedImage.original)).toEqual({ outcome: 'duplicate', duplicateOf: otherImage });
    // The copy of the report kept the old text, which the study no longer has: a report of its own again.
    expect(outcome.get(copiedReport)).toEqual({ outcome: 'imported', duplicateOf: null });
    expect(
      after.prepare('SELECT study_id IS NOT NULL FROM reports WHERE source_path = ?').pluck().get(copiedReport),
    ).toBe(1);
    expect(after.prepare('SELECT count(*) FROM images').pluck().get()).toBe(50);
    after.close();
  });

  it('processes a file again that failed because of the machine (a full disk), though the file has not changed', () => {
    const writer = new Database(path.join(library, 'catalog.sqlite'));
    const victim = writer
      .prepare(
        'SELECT files.id, files.path FROM files JOIN images ON images.file_id = files.id ORDER BY files.id LIMIT 1',
      )
      .get() as { id: number; path: string };
    writer.prepare('DELETE FROM images WHERE file_id = ?').run(victim.id);
    writer
      .prepare(
        "UPDATE files SET outcome = 'failed', reason = 'unexpected error: ENOSPC: no space left on device, write', failure_kind = 'resource' WHERE id = ?",
      )
      .run(victim.id);
    const failedForTheFile = writer
      .prepare("SELECT count(*) FROM files WHERE outcome = 'failed'")
      .pluck()
      .get() as number;
    writer.close();

    const run = runCli(['import', exportFolder, '--library', library, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const summary = run.json();
    // That file alone: the files that failed for what they are (truncated, unparseable) are not tried again.
    expect(summary.files.processed).toBe(1);
    expect(summary.images).toBe(50);
    expect(summary.outcomes.failed).toBe(failedForTheFile - 1);
    const reader = new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
    expect(reader.prepare('SELECT outcome FROM files WHERE path = ?').pluck().get(victim.path)).toBe('imported');
    reader.close();
  });

  it('opens a library of the previous schema, reads its failures and stale marks into columns, and processes only those again', () => {
    const writer = new Database(path.join(library, 'catalog.sqlite'));
    const [resource, stale] = writer
      .prepare(
        'SELECT files.id, files.path FROM files JOIN images ON images.file_id = files.id ORDER BY files.id LIMIT 2',
      )
      .all() as Array<{ id: number; path: string }>;
    // As schema 14 kept them: a machine failure told only by its reason, a file to read again by modified_ms = -1.
    writer.prepare('DELETE FROM images WHERE file_id = ?').run(resource!.id);
    writer
      .prepare(
        "UPDATE files SET outcome = 'failed', reason = 'unexpected error: EMFILE: too many open files' WHERE id = ?",
      )
      .run(resource!.id);
    writer.prepare('UPDATE files SET modified_ms = -1 WHERE id = ?').run(stale!.id);
    // The later migrations' columns go too, so the library is schema 14 as a whole.
    writer.exec(
      `ALTER TABLE files DROP COLUMN failure_kind; ALTER TABLE files DROP COLUMN stale;
       ALTER TABLE images DROP COLUMN represents_series; DELETE FROM schema_migrations WHERE version >= 15`,
    );
    writer.pragma('user_version = 14');
    const failedBefore = writer.prepare("SELECT count(*) FROM files WHERE outcome = 'failed'").pluck().get() as number;
    writer.close();

    const run = runCli(['import', exportFolder, '--library', library, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const summary = run.json();
    expect(summary.files.processed).toBe(2);
    expect(summary.outcomes.failed).toBe(failedBefore - 1);
    const reader = new Database(path.join(library, 'catalog.sqlite'), { readonly: true });
    expect(reader.prepare('SELECT outcome FROM files WHERE path = ?').pluck().get(resource!.path)).toBe('imported');
    expect(reader.prepare('SELECT count(*) FROM files WHERE stale = 1').pluck().get()).toBe(0);
    // The truncated and unparseable files of the export stay failed, now for their content.
    expect(reader.prepare("SELECT DISTINCT failure_kind FROM files WHERE outcome = 'failed'").pluck().all()).toEqual([
      'content',
    ]);
    expect(
      reader.prepare("SELECT count(*) FROM files WHERE outcome != 'failed' AND failure_kind IS NOT NULL").pluck().get(),
    ).toBe(0);
    reader.close();
  });
});
