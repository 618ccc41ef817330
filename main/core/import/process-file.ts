import { createHash } from 'node:crypto';
import { checkDecodeBudget, decodeFrame } from '../dicom/decode-frame.js';
import { readDicomMetadata, type DicomMetadata, type ImagePixelDescription } from '../dicom/dicom-metadata.js';
import { DicomImportError, parseDicomBytes } from '../dicom/read-dicom.js';
import { renderLibraryImages } from '../dicom/render-image.js';
import { describeSopClass, isDicomDirectory, isStructuredReport } from '../dicom/sop-classes.js';
import { structuredReportText } from '../dicom/structured-report.js';
import { UnreadFileError, withFileBytes } from './file-bytes.js';
import { appendToPack } from './cache-pack.js';
import type { FailureKind } from './failure-kind.js';
import { KnownContent } from './known-content.js';
import { decodeTextFile } from './text-encoding.js';

export interface ProcessFileRequest {
  path: string;
  /** What the catalog calls the file (its path, or its pseudonym in a library with pseudonymised paths). */
  catalogPath: string;
  kind: 'dicom' | 'report-text';
  libraryPath: string;
  modelImageSize: number;
  thumbnailSize: number;
  /** Files of this size or more are skipped unread. */
  maximumFileBytes: number;
  /**
   * What one file may take of a worker's memory: inflation is capped to fit in it, and a decode estimated past it
   * (from the header, before anything is allocated) fails the file with the sizes.
   */
  memoryBudgetBytes: number;
}

interface FileFacts {
  path: string;
  sha256: string | null;
}

export type ProcessFileResult =
  | (FileFacts & {
      outcome: 'image';
      metadata: Omit<DicomMetadata, 'image'>;
      image: ImagePixelDescription;
      transferSyntaxUid: string;
      representativeFrame: number;
      /**
       * The model image: `modelImageSize`² bytes at `modelImageOffset` of this cache file (relative to the library).
       */
      modelImagePath: string;
      modelImageOffset: number;
      /** The thumbnail, `thumbnailWidth` × `thumbnailHeight` grey levels at `thumbnailOffset` of this cache file. */
      thumbnailPath: string;
      thumbnailOffset: number;
      thumbnailWidth: number;
      thumbnailHeight: number;
    })
  | (FileFacts & { outcome: 'structured-report'; metadata: Omit<DicomMetadata, 'image'>; text: string })
  | (FileFacts & { outcome: 'report-text'; text: string })
  /** Byte for byte a DICOM file the catalog already imported from `copyOf`: nothing decoded, nothing cached. */
  | (FileFacts & { outcome: 'copy'; copyOf: string })
  | (FileFacts & { outcome: 'skipped' | 'failed'; reason: string; failureKind?: FailureKind });

/** Resources of the machine that run out, and come back: a failure with one of these codes is not the file's. */
const machineErrorCodes = new Set(['ENOSPC', 'EDQUOT', 'EMFILE', 'ENFILE', 'ENOMEM', 'EAGAIN']);

/** Multi-frame images are represented by their middle frame: for cine and stacks it shows the anatomy, not an edge. */
export function representativeFrameIndex(numberOfFrames: number): number {
  return Math.floor((numberOfFrames - 1) / 2);
}

/** Everything the importer does with one file that needs no database: read, hash, parse, decode, render, cache. */
export async function processFile(request: ProcessFileRequest): Promise<ProcessFileResult> {
  try {
    return await withFileBytes(request.path, request.maximumFileBytes, (bytes) => processBytes(request, bytes));
  } catch (error) {
    if (!(error instanceof UnreadFileError)) throw error;
    return { path: request.path, sha256: null, outcome: 'skipped', reason: error.message };
  }
}

const catalogs = new Map<string, KnownContent>();

async function processBytes(request: ProcessFileRequest, bytes: Buffer): Promise<ProcessFileResult> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const facts = { path: request.path, sha256 };
  if (request.kind === 'report-text')
    return { ...facts, outcome: 'report-text', text: decodeTextFile(bytes).text.trim() };
  // Only DICOM: two identical report texts ("No acute abnormality.") may well belong to different studies.
  const known = catalogs.get(request.libraryPath) ?? new KnownContent(request.libraryPath);
  catalogs.set(request.libraryPath, known);
  const copyOf = known.importedCopyOf(sha256, request.catalogPath);
  if (copyOf !== null) return { ...facts, outcome: 'copy', copyOf };
  try {
    if (bytes.subarray(0, 5).toString('latin1') === '%PDF-')
      return { ...facts, outcome: 'skipped', reason: 'PDF document, not DICOM' };
    // The file, the inflated data set and its copy with the header in front are held at once.
    const parsed = parseDicomBytes(bytes, Math.max(1, Math.floor((request.memoryBudgetBytes - bytes.length) / 2)));
    const { image, ...metadata } = readDicomMetadata(parsed.dataSet);
    if (!image) {
      if (isStructuredReport(metadata.sopClassUid)) {
        const text = structuredReportText(parsed.dataSet);
        if (!text) return { ...facts, outcome: 'skipped', reason: 'Structured Report without text content' };
        if (!metadata.studyInstanceUid)
          return { ...facts, outcome: 'failed', reason: 'Structured Report without Study Instance UID' };
        return { ...facts, outcome: 'structured-report', metadata, text };
      }
      const what =
        isDicomDirectory(metadata.sopClassUid) || parsed.dataSet.elements.x00041220
          ? describeSopClass('1.2.840.10008.1.3.10')
          : describeSopClass(metadata.sopClassUid);
      return {
        ...facts,
        outcome: 'skipped',
        reason: what.endsWith(' image') ? `${what} without Pixel Data` : `${what}: no image to import`,
      };
    }
    for (const [field, value] of [
      ['SOP Instance UID', metadata.sopInstanceUid],
      ['Study Instance UID', metadata.studyInstanceUid],
      ['Series Instance UID', metadata.seriesInstanceUid],
    ] as const) {
      if (!value) return { ...facts, outcome: 'failed', reason: `image without ${field}` };
    }
    const representativeFrame = representativeFrameIndex(image.numberOfFrames);
    const parsedCopy = parsed.dataSet.byteArray.buffer === bytes.buffer ? 0 : parsed.dataSet.byteArray.length;
    checkDecodeBudget(image, bytes.length + parsedCopy, request.memoryBudgetBytes);
    // Only the catalog's two small images are made here, so a wavelet-coded film is decoded at the lowest resolution
    // level still twice their size: the final resize then does the anti-aliasing, as after a full decode. Measured on
    // 2,500-px films against a full decode and the same resize: mean difference 0.6 grey levels, largest 9 (at 1× the
    // size: 1.0 and 17, for a third of the decoding time again).
    const frame = await decodeFrame(parsed, image, representativeFrame, {
      neededLongerSide: 2 * Math.max(request.modelImageSize, request.thumbnailSize),
    });
    const rendered = renderLibraryImages(frame, image, parsed.dataSet, request.modelImageSize, request.thumbnailSize);
    // The model image keeps the aspect ratio inside a black square; the thumbnail is derived from it, not from the full
    // image.
    const storedImage = appendToPack(request.libraryPath, rendered.modelImage);
    // Kept as grey levels and made a PNG when shown: encoding took ~6% of an import's work, showing one takes 0.5 ms.
    const { thumbnail } = rendered;
    const storedThumbnail = appendToPack(request.libraryPath, thumbnail.pixels);
    return {
      ...facts,
      outcome: 'image',
      metadata,
      image,
      transferSyntaxUid: parsed.transferSyntaxUid,
      representativeFrame,
      modelImagePath: storedImage.path,
      modelImageOffset: storedImage.offset,
      thumbnailPath: storedThumbnail.path,
      thumbnailOffset: storedThumbnail.offset,
      thumbnailWidth: thumbnail.width,
      thumbnailHeight: thumbnail.height,
    };
  } catch (error) {
    if (error instanceof DicomImportError) return { ...facts, outcome: error.outcome, reason: error.message };
    const message =
      error instanceof Error
        ? error.message
        : typeof error === 'number'
          ? `decoder aborted with code ${error}`
          : String(error);
    const code = (error as NodeJS.ErrnoException | null)?.code;
    return {
      ...facts,
      outcome: 'failed',
      reason: `unexpected error: ${message}`,
      failureKind: code && machineErrorCodes.has(code) ? 'resource' : 'content',
    };
  }
}
