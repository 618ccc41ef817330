// Importing a folder: what it holds, how its report tables map to studies, what each file became.
import { z } from 'zod';
import { Job } from './jobs.js';

export const ImportSummary = z.object({
  folder: z.string(),
  files: z.object({ total: z.number().int(), unchanged: z.number().int(), processed: z.number().int() }),
  outcomes: z.object({
    imported: z.number().int(),
    duplicate: z.number().int(),
    skipped: z.number().int(),
    failed: z.number().int(),
  }),
  reasons: z.array(z.object({ outcome: z.string(), reason: z.string(), count: z.number().int() })),
  images: z.number().int(),
  studies: z.number().int(),
  studiesWithoutReports: z.number().int(),
  reports: z.object({ linked: z.number().int(), unmatched: z.number().int() }),
  tables: z.array(
    z.object({
      file: z.string(),
      rows: z.number().int(),
      matchedRows: z.number().int(),
      unmatchedRows: z.number().int(),
      labelsWritten: z.number().int(),
      problems: z.array(z.string()),
      delimiter: z.string(),
      encoding: z.string(),
    }),
  ),
  unreadableFolders: z.array(z.string()),
  /** The import's worker processes' peak resident sets, summed; absent from runs made before workers were processes. */
  workerPeakResidentBytes: z.number().nonnegative().optional(),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

export const tableMatchKinds = [
  'accession-number',
  'study-instance-uid',
  'patient-id-and-study-date',
  'file-path',
] as const;

/** How one report/label table's rows find their study, and which columns carry report text and labels. */
export const ReportTableMapping = z.strictObject({
  file: z.string().min(1).max(4096),
  match: z.enum(tableMatchKinds),
  keyColumn: z.string().min(1).max(200),
  dateColumn: z.string().min(1).max(200).optional(),
  textColumn: z.string().min(1).max(200).optional(),
  labelColumns: z.array(z.string().min(1).max(200)).max(100).default([]),
});
export type ReportTableMapping = z.infer<typeof ReportTableMapping>;

export const ImportParameters = z.strictObject({
  folder: z.string().min(1).max(4096),
  tables: z.array(ReportTableMapping).max(20).default([]),
  keepIdentifiers: z.boolean().default(false),
  /**
   * Catalogue folder and file names as keyed pseudonyms from now on (only a library without files can switch; once on,
   * every import pseudonymises).
   */
  pseudonymisePaths: z.boolean().default(false),
  /**
   * Without `tables`, link reports as the folder's unisight-manifest.json maps them; false ignores the manifest. Tables
   * given always replace the manifest's.
   */
  useManifest: z.boolean().default(true),
});
export type ImportParameters = z.infer<typeof ImportParameters>;

export const ImportedFile = z.object({
  path: z.string(),
  outcome: z.enum(['imported', 'duplicate', 'skipped', 'failed']),
  reason: z.string().nullable(),
  kind: z.string(),
  /** For a duplicate: the file that was kept. */
  duplicateOf: z.string().nullable(),
});
export type ImportedFile = z.infer<typeof ImportedFile>;

export const ImportPreview = z.object({
  folder: z.string(),
  files: z.object({
    dicomCandidates: z.number().int(),
    reportTexts: z.number().int(),
    tables: z.number().int(),
    ignored: z.number().int(),
  }),
  manifest: z.object({
    found: z.boolean(),
    error: z.string().nullable(),
    tables: z.array(ReportTableMapping),
    /** The manifest file as written, for the researcher to read (null when it could not be read). */
    text: z.string().nullable(),
  }),
  tables: z.array(
    z.object({
      file: z.string(),
      columns: z.array(z.string()),
      rows: z.number().int(),
      delimiter: z.string(),
      encoding: z.string(),
      problems: z.array(z.string()),
    }),
  ),
});
export type ImportPreview = z.infer<typeof ImportPreview>;

export const importApiMethods = {
  'import.start': {
    input: ImportParameters,
    output: Job,
    summary: 'Start importing a folder of DICOM studies and reports into the library (a resumable job).',
  },
  'import.preview': {
    input: z.strictObject({ folder: z.string().min(1).max(4096) }),
    output: ImportPreview,
    summary:
      'What a folder holds before importing it: DICOM candidates, report texts, tables with their columns, the manifest.',
  },
  'import.files': {
    input: z.strictObject({
      folder: z.string().min(1).max(4096).optional(),
      outcome: z.enum(['imported', 'duplicate', 'skipped', 'failed']).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(100_000).default(500),
    }),
    output: z.object({ total: z.number().int(), files: z.array(ImportedFile) }),
    summary: 'The per-file import log: every file seen with its outcome and reason.',
  },
} as const;
