import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import type { RenderedImage } from '../../../common/contract/index.js';
import { decodeFrame } from '../dicom/decode-frame.js';
import { readDicomMetadata } from '../dicom/dicom-metadata.js';
import { encodeGrayPng } from '../dicom/gray-png.js';
import { defaultWindow, fitWithin, toBytes, toDisplayGray } from '../dicom/render-image.js';
import type { CatalogPaths } from './catalog-paths.js';
import { readCataloguedImageFile } from './catalogued-image-file.js';

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
  const { parsed, catalogPath, representativeFrame } = readCataloguedImageFile(database, paths, request.imageId);
  const image = readDicomMetadata(parsed.dataSet).image;
  if (!image) throw new ApiError('conflict', `${catalogPath} no longer holds an image.`);
  const frame = await decodeFrame(parsed, image, representativeFrame);
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
