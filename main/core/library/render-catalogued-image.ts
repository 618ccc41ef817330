import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import type { RenderedImage } from '../../api/contract.js';
import { decodeFrame } from '../dicom/decode-frame.js';
import { readDicomMetadata } from '../dicom/dicom-metadata.js';
import { encodeGrayPng } from '../dicom/gray-png.js';
import { parseDicomBytes } from '../dicom/read-dicom.js';
import { defaultWindow, fitWithin, toBytes, toDisplayGray } from '../dicom/render-image.js';
import { OutsideFileError, readRegularFile } from '../files/outside-files.js';
import { maximumFileBytes } from '../import/import-folder.js';
import type { CatalogPaths, CataloguedLocation } from './catalog-paths.js';

/**
 * Renders a catalogued image from its DICOM file with the window the reader chose (modality units), so window and
 * level act on the real pixel values, not on an 8-bit copy. The file was decoded once already at import.
 */
export async function renderCataloguedImage(
  database: Database.Database,
  paths: CatalogPaths,
  request: {
    imageId: number;
    windowCenter?: number | undefined;
    windowWidth?: number | undefined;
    maximumSize: number;
  },
): Promise<RenderedImage> {
  const row = database
    .prepare(
      'SELECT files.path, files.location, images.representative_frame AS frame FROM images JOIN files ON files.id = images.file_id WHERE images.id = ?',
    )
    .get(request.imageId) as (CataloguedLocation & { frame: number }) | undefined;
  if (!row) throw new ApiError('not-found', `No image with id ${request.imageId}.`);
  let bytes: Buffer;
  try {
    // The file may have been replaced since its import (by a pipe, a device, something huge): opened as any file
    // named from outside, so it cannot block the server; named as the catalog names it.
    bytes = readRegularFile(paths.realPath(row), `The file of image ${request.imageId}`, maximumFileBytes - 1);
  } catch (error) {
    if (!(error instanceof OutsideFileError)) throw error;
    throw new ApiError('not-found', error.message.replaceAll(paths.realPath(row), row.path));
  }
  const parsed = parseDicomBytes(bytes);
  const image = readDicomMetadata(parsed.dataSet).image;
  if (!image) throw new ApiError('conflict', `${row.path} no longer holds an image.`);
  const frame = await decodeFrame(parsed, image, row.frame);
  const initial = defaultWindow(frame, image);
  const window = { center: request.windowCenter ?? initial.center, width: request.windowWidth ?? initial.width };
  const shown = fitWithin(toDisplayGray(frame, image, parsed.dataSet, window), request.maximumSize);
  const png = encodeGrayPng(shown.width, shown.height, toBytes(shown));
  return {
    dataUrl: `data:image/png;base64,${Buffer.from(png).toString('base64')}`,
    width: shown.width,
    height: shown.height,
    windowCenter: window.center,
    windowWidth: window.width,
    defaultWindowCenter: initial.center,
    defaultWindowWidth: initial.width,
  };
}
