import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  mergeLibraryEmbeddings,
  noLibraryEmbeddings,
  reportTextDigest,
} from '../../../ml/embedding/library-embeddings.js';
import {
  readLibraryEmbeddings,
  writeLibraryEmbeddings,
  type LibraryEmbeddings,
} from '../../../ml/embedding/library-embeddings-file.js';
import { readTensorBundleHeader } from '../../../ml/model/tensor-bundle.js';

const embeddings = (imageIds: number[], reportIds: number[], offset: number): LibraryEmbeddings => ({
  size: 2,
  imageIds,
  reportIds,
  reportDigests: reportIds.map((id) => reportTextDigest(`report ${id} ${offset}`)),
  images: Float32Array.from(imageIds.flatMap((id) => [id + offset, -id])),
  reports: Float32Array.from(reportIds.flatMap((id) => [id * 10 + offset, 1])),
});

describe('library embeddings', () => {
  it('adds new images and reports, replaces those embedded again, and drops those no longer catalogued', () => {
    const current = { imageIds: new Set([2, 3, 4]), reportIds: new Set([7, 8]) };
    const merged = mergeLibraryEmbeddings(embeddings([1, 2, 4], [6, 7], 0), embeddings([2, 3], [7, 8], 0.5), current);
    expect(merged.imageIds).toEqual([4, 2, 3]);
    expect(Array.from(merged.images)).toEqual([4, -4, 2.5, -2, 3.5, -3]);
    expect(merged.reportIds).toEqual([7, 8]);
    expect(Array.from(merged.reports)).toEqual([70.5, 1, 80.5, 1]);
    expect(merged.reportDigests).toEqual([reportTextDigest('report 7 0.5'), reportTextDigest('report 8 0.5')]);
  });

  it('keeps what is current when nothing was embedded again', () => {
    const pruned = mergeLibraryEmbeddings(embeddings([1, 2], [7], 0), noLibraryEmbeddings(2), {
      imageIds: new Set([2]),
      reportIds: new Set(),
    });
    expect({ imageIds: pruned.imageIds, images: Array.from(pruned.images), reportIds: pruned.reportIds }).toEqual({
      imageIds: [2],
      images: [2, -2],
      reportIds: [],
    });
  });

  it('round-trips through its file with a new revision each write, and reads a missing file as none', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'unisight-embeddings-'));
    const file = path.join(directory, 'embeddings.bin');
    expect(readLibraryEmbeddings(file)).toBeNull();
    const written = embeddings([4, 5], [9], 0);
    writeLibraryEmbeddings(file, written);
    const firstRevision = readTensorBundleHeader(file).metadata.revision;
    const read = readLibraryEmbeddings(file)!;
    expect({ ...read, images: Array.from(read.images), reports: Array.from(read.reports) }).toEqual({
      ...written,
      images: Array.from(written.images),
      reports: Array.from(written.reports),
    });
    writeLibraryEmbeddings(file, written);
    expect(readTensorBundleHeader(file).metadata.revision).not.toBe(firstRevision);
    fs.rmSync(directory, { recursive: true, force: true });
  });
});
