import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import { parseDicomBytes, type ParsedDicom } from '../dicom/read-dicom.js';
import { OutsideFileError, readRegularFile } from '../files/outside-files.js';
import { maximumFileBytes } from '../import/import-folder.js';
import type { CatalogPaths, CataloguedLocation } from './catalog-paths.js';

/**
 * A catalogued image's DICOM file, read again and parsed. The file may have been replaced since its import (by a pipe,
 * a device, something huge): it is opened as any file named from outside, so it cannot block the server, and named in
 * errors as the catalog names it.
 */
export function readCataloguedImageFile(
  database: Database.Database,
  paths: CatalogPaths,
  imageId: number,
): { parsed: ParsedDicom; catalogPath: string; representativeFrame: number } {
  const row = database
    .prepare(
      'SELECT files.path, files.location, images.representative_frame AS frame FROM images JOIN files ON files.id = images.file_id WHERE images.id = ?',
    )
    .get(imageId) as (CataloguedLocation & { frame: number }) | undefined;
  if (!row) throw new ApiError('not-found', `No image with id ${imageId}.`);
  let bytes: Buffer;
  try {
    bytes = readRegularFile(paths.realPath(row), `The file of image ${imageId}`, maximumFileBytes - 1);
  } catch (error) {
    if (!(error instanceof OutsideFileError)) throw error;
    throw new ApiError('not-found', error.message.replaceAll(paths.realPath(row), row.path));
  }
  return { parsed: parseDicomBytes(bytes), catalogPath: row.path, representativeFrame: row.frame };
}
