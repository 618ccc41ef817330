import path from 'node:path';
import type Database from 'better-sqlite3';
import type { CatalogPaths, CataloguedLocation } from '../library/catalog-paths.js';
import { pathRange } from '../library/path-range.js';
import type { Pseudonymiser } from '../library/pseudonymiser.js';
import type { ReportTableMapping } from '../../../common/contract/index.js';
import { duplicateReasons } from './catalog-writer.js';
import { OutsideFileError, pathInsideFolder } from '../files/outside-files.js';
import { readReportTable, type ReadTable } from './report-tables.js';

export interface TableLinkSummary {
  file: string;
  rows: number;
  matchedRows: number;
  unmatchedRows: number;
  labelsWritten: number;
  problems: string[];
  delimiter: string;
  encoding: string;
}

/**
 * A `.txt` report belongs to the study it names (file name = accession number or Study Instance UID), else to the one
 * study whose images sit in its folder (or below it). Anything else stays unmatched and listable. A report whose text
 * the study already has (an export copied twice, a report saved beside each series) is set aside: linked to no
 * study and naming the report kept (its file a duplicate), so search, weak labels and training see each report once.
 * Every import links afresh, so a copy whose twin was since amended comes back as a report of its own.
 */
export function linkTextReports(database: Database.Database, paths: CatalogPaths, rootFolder: string): void {
  // The file's real name, for its accession number or UID: under pseudonymised paths the catalog's name is a pseudonym.
  const reports = database
    .prepare(
      `SELECT reports.id, reports.source_path, reports.text, files.path, files.location FROM reports
       JOIN files ON files.path = reports.source_path
       WHERE reports.source = 'text-file' AND reports.source_path >= ? AND reports.source_path < ? ORDER BY reports.id`,
    )
    .all(...pathRange(paths.catalogPath(rootFolder))) as Array<
    CataloguedLocation & { id: number; source_path: string; text: string }
  >;
  const byName = database.prepare('SELECT id FROM studies WHERE accession_number = ? OR study_instance_uid = ?');
  // Studies with image files under a directory (at any depth), duplicates of files stored elsewhere included: a copied
  // study folder's report belongs to the study its copies show. The range covers exactly the paths below it.
  const studiesUnder = database
    .prepare('SELECT DISTINCT study_id FROM files WHERE path >= ? AND path < ? AND study_id IS NOT NULL')
    .pluck();
  const link = database.prepare('UPDATE reports SET study_id = ?, match_key = ?, duplicate_of = ? WHERE id = ?');
  const sameText = database.prepare(
    'SELECT id, source_path AS path FROM reports WHERE study_id = ? AND text = ? AND id != ? ORDER BY id LIMIT 1',
  );
  const fileOutcome = database.prepare(
    'UPDATE files SET outcome = ?, reason = ?, duplicate_of = ? WHERE path = ? AND (outcome = ? OR reason = ?)',
  );
  database.transaction(() => {
    for (const report of reports) {
      const realPath = paths.realPath(report);
      const stem = path.basename(realPath, path.extname(realPath));
      const named = byName.all(stem, stem) as Array<{ id: number }>;
      const nearby =
        named.length === 1 ? [] : (studiesUnder.all(...pathRange(path.dirname(report.source_path))) as number[]);
      const [studyId, matchKey] =
        named.length === 1
          ? [named[0]!.id, `file name ${stem}`]
          : nearby.length === 1
            ? [nearby[0]!, 'same folder']
            : [null, null];
      const kept =
        studyId === null
          ? undefined
          : (sameText.get(studyId, report.text, report.id) as { id: number; path: string } | undefined);
      if (kept) {
        link.run(null, null, kept.id, report.id);
        fileOutcome.run(
          'duplicate',
          duplicateReasons.sameReportText,
          kept.path,
          report.source_path,
          'imported',
          duplicateReasons.sameReportText,
        );
      } else {
        link.run(studyId, matchKey, null, report.id);
        fileOutcome.run('imported', null, null, report.source_path, 'imported', duplicateReasons.sameReportText);
      }
    }
  })();
}

function normaliseDate(value: string): string {
  return value.replace(/[^0-9]/g, '').slice(0, 8);
}

/**
 * Links every row of a mapped table to its study: report text becomes a report, label columns become labels. A table
 * named by the folder's own manifest (`insideFolderOnly`) is read only from inside the folder; one the researcher
 * named may be anywhere. A table that cannot be read is a summary with the reason, not a failed import.
 */
export function linkTable(
  database: Database.Database,
  pseudonymiser: Pseudonymiser,
  paths: CatalogPaths,
  rootFolder: string,
  mapping: ReportTableMapping,
  insideFolderOnly: boolean,
): TableLinkSummary {
  let file = path.resolve(rootFolder, mapping.file);
  let table: ReadTable;
  try {
    if (insideFolderOnly) file = pathInsideFolder(rootFolder, mapping.file, "The manifest's table");
    table = readReportTable(file);
  } catch (error) {
    if (!(error instanceof OutsideFileError)) throw error;
    const refused = { rows: 0, matchedRows: 0, unmatchedRows: 0, labelsWritten: 0, delimiter: '', encoding: '' };
    return { file: paths.catalogPath(file), ...refused, problems: [`not read: ${error.message}`] };
  }
  const catalogFile = paths.catalogPath(file);
  const findStudy = {
    'accession-number': database.prepare('SELECT id FROM studies WHERE accession_number = ?'),
    'study-instance-uid': database.prepare('SELECT id FROM studies WHERE study_instance_uid = ?'),
    'patient-id-and-study-date': database.prepare(
      'SELECT studies.id FROM studies JOIN patients ON patients.id = studies.patient_id WHERE patients.pseudonym = ? AND studies.study_date = ?',
    ),
    'file-path': database.prepare(
      'SELECT series.study_id AS id FROM files JOIN images ON images.file_id = files.id JOIN series ON series.id = images.series_id WHERE files.path = ?',
    ),
  }[mapping.match];
  const saveReport = database.prepare(
    `INSERT INTO reports (study_id, source, source_path, source_key, match_key, text) VALUES (?, 'manifest', ?, ?, ?, ?)
     ON CONFLICT (source_path, source_key) DO UPDATE SET study_id = excluded.study_id, match_key = excluded.match_key, text = excluded.text`,
  );
  // Rows once stored under a raw patient ID (before keys were pseudonymised) give way to their pseudonymised twin.
  const forgetRawKey = database.prepare('DELETE FROM reports WHERE source_path = ? AND source_key = ?');
  const saveLabel = database.prepare(
    `INSERT INTO labels (study_id, task, value, source) VALUES (?, ?, ?, ?)
     ON CONFLICT (study_id, task, source) DO UPDATE SET value = excluded.value`,
  );
  const summary: TableLinkSummary = {
    file: catalogFile,
    rows: table.rows.length,
    matchedRows: 0,
    unmatchedRows: 0,
    labelsWritten: 0,
    problems: [...table.problems],
    delimiter: table.delimiter,
    encoding: table.encoding,
  };
  const missingColumns = [mapping.keyColumn, mapping.dateColumn, mapping.textColumn, ...mapping.labelColumns].filter(
    (column): column is string => Boolean(column) && table.rows.length > 0 && !(column! in table.rows[0]!.values),
  );
  if (missingColumns.length > 0) {
    summary.problems.push(`columns not found: ${missingColumns.join(', ')}`);
    summary.unmatchedRows = table.rows.length;
    return summary;
  }
  database.transaction(() => {
    for (const row of table.rows) {
      const key = row.values[mapping.keyColumn]?.trim() ?? '';
      // What the catalog keeps of the key: a patient ID as its pseudonym, a file path as the catalog names the file.
      let storedKey = key;
      let arguments_: string[] = [key];
      if (mapping.match === 'patient-id-and-study-date') {
        storedKey = pseudonymiser.patient(key, '');
        arguments_ = [storedKey, normaliseDate(row.values[mapping.dateColumn ?? ''] ?? '')];
      }
      if (mapping.match === 'file-path') {
        storedKey = paths.catalogPath(path.resolve(rootFolder, key));
        arguments_ = [storedKey];
      }
      const study = key ? (findStudy.get(...arguments_) as { id: number } | undefined) : undefined;
      if (study) summary.matchedRows += 1;
      else summary.unmatchedRows += 1;
      const text = mapping.textColumn ? row.values[mapping.textColumn]?.trim() : undefined;
      const date = mapping.dateColumn ? `@${row.values[mapping.dateColumn] ?? ''}` : '';
      const sourceKey = `${mapping.keyColumn}=${storedKey}${date}`;
      if (storedKey !== key) forgetRawKey.run(catalogFile, `${mapping.keyColumn}=${key}${date}`);
      if (text) saveReport.run(study?.id ?? null, catalogFile, sourceKey, `${mapping.match} ${storedKey}`, text);
      if (!study) continue;
      for (const column of mapping.labelColumns) {
        const value = row.values[column]?.trim();
        if (!value) continue;
        saveLabel.run(study.id, column, value, `manifest:${path.basename(catalogFile)}`);
        summary.labelsWritten += 1;
      }
    }
  })();
  return summary;
}
