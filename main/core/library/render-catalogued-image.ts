import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import type { RenderedImage } from '../../api/contract.js';
import { decodeFrame } from '../dicom/decode-frame.js';
import { readDicomMetadata } from '../dicom/dicom-metadata.js';
import { encodeGrayPng } from '../dicom/gray-png.js';
import { parseDicomBytes } from '../dicom/read-dicom.js';
import { defaultWindow, fitWithin, toBytes, toDisplayGray } from '../dicom/render-image.js';

/**
 * Renders a catalogued image from its DICOM file with the window the reader chose (modality units), so window and
 * level act on the real pixel values, not on an 8-bit copy. The file was decoded once already at import.
 */
export async function renderCataloguedImage(
  database: Database.Database,
  request: {
    imageId: number;
    windowCenter?: number | undefined;
    windowWidth?: number | undefined;
    maximumSize: number;
  },
): Promise<RenderedImage> {
  const row = database
    .prepare(
      'SELECT files.path AS path, images.representative_frame AS frame FROM images JOIN files ON files.id = images.file_id WHERE images.id = ?',
    )
    .get(request.imageId) as { path: string; frame: number } | undefined;
  if (!row) throw new ApiError('not-found', `No image with id ${request.imageId}.`);
  if (!fs.existsSync(row.path))
    throw new ApiError('not-found', `The file of image ${request.imageId} is no longer at ${row.path}.`);
  const parsed = parseDicomBytes(fs.readFileSync(row.path));
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
