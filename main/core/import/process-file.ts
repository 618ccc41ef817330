import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { decodeFrame } from '../dicom/decode-frame.js';
import { encodeGrayPng } from '../dicom/gray-png.js';
import { readDicomMetadata, type DicomMetadata, type ImagePixelDescription } from '../dicom/dicom-metadata.js';
import { DicomImportError, parseDicomBytes } from '../dicom/read-dicom.js';
import { fitWithin, padToSquare, toBytes, toDisplayGray } from '../dicom/render-image.js';
import { describeSopClass, isDicomDirectory, isStructuredReport } from '../dicom/sop-classes.js';
import { structuredReportText } from '../dicom/structured-report.js';
import { decodeTextFile } from './text-encoding.js';

export interface ProcessFileRequest {
  path: string;
  kind: 'dicom' | 'report-text';
  libraryPath: string;
  modelImageSize: number;
  thumbnailSize: number;
  maximumFileBytes: number;
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
      modelImagePath: string;
      thumbnailPath: string;
    })
  | (FileFacts & { outcome: 'structured-report'; metadata: Omit<DicomMetadata, 'image'>; text: string })
  | (FileFacts & { outcome: 'report-text'; text: string })
  | (FileFacts & { outcome: 'skipped' | 'failed'; reason: string });

function writeAtomically(file: string, bytes: Uint8Array): void {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(temporary, bytes);
  } catch (error) {
    // The cache folder is made on first use only: a recursive mkdir before every write costs a system call per level.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temporary, bytes);
  }
  fs.renameSync(temporary, file);
}

/** Multi-frame images are represented by their middle frame: for cine and stacks it shows the anatomy, not an edge. */
export function representativeFrameIndex(numberOfFrames: number): number {
  return Math.floor((numberOfFrames - 1) / 2);
}

/** Everything the importer does with one file that needs no database: read, hash, parse, decode, render, cache. */
export async function processFile(request: ProcessFileRequest): Promise<ProcessFileResult> {
  const size = fs.statSync(request.path).size;
  if (size === 0) return { path: request.path, sha256: null, outcome: 'skipped', reason: 'empty file' };
  if (size > request.maximumFileBytes) return { path: request.path, sha256: null, outcome: 'skipped', reason: `larger than ${request.maximumFileBytes} bytes` };
  const bytes = fs.readFileSync(request.path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const facts = { path: request.path, sha256 };
  if (request.kind === 'report-text') return { ...facts, outcome: 'report-text', text: decodeTextFile(bytes).text.trim() };
  try {
    if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return { ...facts, outcome: 'skipped', reason: 'PDF document, not DICOM' };
    const parsed = parseDicomBytes(bytes);
    const { image, ...metadata } = readDicomMetadata(parsed.dataSet);
    if (!image) {
      if (isStructuredReport(metadata.sopClassUid)) {
        const text = structuredReportText(parsed.dataSet);
        if (!text) return { ...facts, outcome: 'skipped', reason: 'Structured Report without text content' };
        if (!metadata.studyInstanceUid) return { ...facts, outcome: 'failed', reason: 'Structured Report without Study Instance UID' };
        return { ...facts, outcome: 'structured-report', metadata, text };
      }
      const what = isDicomDirectory(metadata.sopClassUid) || parsed.dataSet.elements.x00041220 ? describeSopClass('1.2.840.10008.1.3.10') : describeSopClass(metadata.sopClassUid);
      return { ...facts, outcome: 'skipped', reason: what.endsWith(' image') ? `${what} without Pixel Data` : `${what}: no image to import` };
    }
    for (const [field, value] of [['SOP Instance UID', metadata.sopInstanceUid], ['Study Instance UID', metadata.studyInstanceUid], ['Series Instance UID', metadata.seriesInstanceUid]] as const) {
      if (!value) return { ...facts, outcome: 'failed', reason: `image without ${field}` };
    }
    const representativeFrame = representativeFrameIndex(image.numberOfFrames);
    const frame = await decodeFrame(parsed, image, representativeFrame);
    const gray = toDisplayGray(frame, image, parsed.dataSet);
    const modelImagePath = path.join('cache', 'images', sha256.slice(0, 2), `${sha256}.u8`);
    const thumbnailPath = path.join('cache', 'thumbnails', sha256.slice(0, 2), `${sha256}.png`);
    // The model image keeps the aspect ratio inside a black square; the thumbnail is derived from it, not from the full image.
    const fitted = fitWithin(gray, request.modelImageSize);
    writeAtomically(path.join(request.libraryPath, modelImagePath), padToSquare(fitted, request.modelImageSize));
    const small = fitWithin(fitted, request.thumbnailSize);
    writeAtomically(path.join(request.libraryPath, thumbnailPath), encodeGrayPng(small.width, small.height, toBytes(small)));
    return { ...facts, outcome: 'image', metadata, image, transferSyntaxUid: parsed.transferSyntaxUid, representativeFrame, modelImagePath, thumbnailPath };
  } catch (error) {
    if (error instanceof DicomImportError) return { ...facts, outcome: error.outcome, reason: error.message };
    const message = error instanceof Error ? error.message : typeof error === 'number' ? `decoder aborted with code ${error}` : String(error);
    return { ...facts, outcome: 'failed', reason: `unexpected error: ${message}` };
  }
}
