import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { ReportTableMapping } from '../../../common/contract/index.js';
import { readRegularFile } from '../files/outside-files.js';
import { decodeTextFile } from './text-encoding.js';

export const ImportManifest = z.strictObject({
  version: z.literal(1),
  tables: z.array(ReportTableMapping).min(1),
});
export type ImportManifest = z.infer<typeof ImportManifest>;

export interface TableRow {
  rowNumber: number;
  values: Record<string, string>;
}

export interface ReadTable {
  rows: TableRow[];
  delimiter: string;
  encoding: string;
  /** Rows that could not be read (a half-written last line, a stray quote), with why. */
  problems: string[];
}

function detectDelimiter(firstLine: string): string {
  const counts = [',', ';', '\t', '|'].map((delimiter) => [delimiter, firstLine.split(delimiter).length - 1] as const);
  return counts.sort((left, right) => right[1] - left[1])[0]![1] > 0 ? counts[0]![0] : ',';
}

/** Largest report table read: its text must fit one JavaScript string (V8 caps those near 512 MiB). */
export const maximumTableBytes = 256 * 1024 * 1024;
/** Largest manifest read: a few tables' mappings take a few kilobytes. */
const maximumManifestBytes = 1024 * 1024;

/**
 * Reads a CSV/TSV (delimiter and encoding detected) or JSONL table; bad rows are reported and skipped, never fatal.
 * A file that is not a regular file, or is too large, throws an OutsideFileError saying so.
 */
export function readReportTable(file: string): ReadTable {
  const { text, encoding } = decodeTextFile(readRegularFile(file, 'The report table', maximumTableBytes));
  const problems: string[] = [];
  if (/\.(jsonl|ndjson)$/i.test(file)) {
    const rows: TableRow[] = [];
    text.split(/\r?\n/).forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        const value = JSON.parse(line) as unknown;
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
        rows.push({
          rowNumber: index + 1,
          values: Object.fromEntries(
            Object.entries(value).map(([key, cell]) => [key, cell === null ? '' : String(cell)]),
          ),
        });
      } catch (error) {
        problems.push(`line ${index + 1}: ${(error as Error).message}`);
      }
    });
    return { rows, delimiter: 'jsonl', encoding, problems };
  }
  const delimiter = detectDelimiter(text.split(/\r?\n/, 1)[0] ?? '');
  const records = parse(text, {
    delimiter,
    columns: (header: string[]) => header.map((name) => name.trim()),
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    trim: true,
    info: true,
    on_skip: (error: Error | undefined) => {
      if (error) problems.push(error.message);
    },
  }) as Array<{ record: Record<string, string>; info: { lines: number } }>;
  return {
    rows: records.map(({ record, info }) => ({ rowNumber: info.lines, values: record })),
    delimiter,
    encoding,
    problems,
  };
}

/**
 * The manifest a folder may carry (e.g. one written by `unisight demo-data`), so importing it needs no flags. The
 * tables it names are the folder's content: linking reads them only inside the folder (link-reports.ts).
 */
export function readManifest(folder: string, manifestFile: string): ImportManifest {
  return parseManifest(readManifestText(folder, manifestFile), manifestFile);
}

/** The manifest file's text, read as any file the folder hands us: a regular file, bounded in size. */
export function readManifestText(folder: string, manifestFile: string): string {
  return readRegularFile(path.join(folder, manifestFile), 'The manifest', maximumManifestBytes).toString('utf8');
}

export function parseManifest(text: string, manifestFile: string): ImportManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${manifestFile} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = ImportManifest.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `${manifestFile} is not a valid Unisight manifest: ${z.prettifyError(parsed.error).replaceAll('\n', ' ')}`,
    );
  return parsed.data;
}
