import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../api/api-error.js';
import type { ImportPreview } from '../../../common/contract/index.js';
import { OutsideFileError } from '../files/outside-files.js';
import { parseManifest, readManifestText, readReportTable, type ReadTable } from './report-tables.js';
import { manifestFileName, walkFolder } from './walk-folder.js';

/** A quick look before importing: what kinds of files are there, and what the tables and the manifest say. */
export function previewFolder(folderInput: string): ImportPreview {
  const folder = path.resolve(folderInput);
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory())
    throw new ApiError('invalid-input', `${folder} is not a folder on this machine.`);
  const files = { dicomCandidates: 0, reportTexts: 0, tables: 0, ignored: 0 };
  const tables: ImportPreview['tables'] = [];
  let manifestFound = false;
  for (const file of walkFolder(folder)) {
    if (file.kind === 'dicom') files.dicomCandidates += 1;
    else if (file.kind === 'report-text') files.reportTexts += 1;
    else if (file.kind === 'junk') files.ignored += 1;
    else if (file.kind === 'manifest') manifestFound ||= path.dirname(file.path) === folder;
    else {
      files.tables += 1;
      let table: ReadTable;
      try {
        table = readReportTable(file.path);
      } catch (error) {
        if (!(error instanceof OutsideFileError)) throw error;
        table = { rows: [], delimiter: '', encoding: '', problems: [error.message] };
      }
      tables.push({
        file: path.relative(folder, file.path),
        columns: Object.keys(table.rows[0]?.values ?? {}),
        rows: table.rows.length,
        delimiter: table.delimiter,
        encoding: table.encoding,
        problems: table.problems.slice(0, 5),
      });
    }
  }
  const manifest: ImportPreview['manifest'] = { found: manifestFound, error: null, tables: [], text: null };
  if (manifestFound) {
    try {
      manifest.text = readManifestText(folder, manifestFileName);
      manifest.tables = parseManifest(manifest.text, manifestFileName).tables;
    } catch (error) {
      manifest.error = (error as Error).message;
    }
  }
  return { folder, files, manifest, tables };
}
