import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeLibraryEmbeddings, readLibraryEmbeddings, writeLibraryEmbeddings, type LibraryEmbeddings } from '../../../ml/tasks/library-embeddings.js';

const embeddings = (imageIds: number[], reportIds: number[], offset: number): LibraryEmbeddings => ({
  size: 2,
  imageIds,
  reportIds,
  images: Float32Array.from(imageIds.flatMap((id) => [id + offset, -id])),
  reports: Float32Array.from(reportIds.flatMap((id) => [id * 10 + offset, 1])),
});

describe('library embeddings', () => {
  it('adds only the images and reports not stored yet, keeping the stored vectors', () => {
    const merged = mergeLibraryEmbeddings(embeddings([1, 2], [7], 0), embeddings([2, 3], [7, 8], 0.5));
    expect(merged.imageIds).toEqual([1, 2, 3]);
    expect(Array.from(merged.images)).toEqual([1, -1, 2, -2, 3.5, -3]);
    expect(merged.reportIds).toEqual([7, 8]);
    expect(Array.from(merged.reports)).toEqual([70, 1, 80.5, 1]);
  });

  it('round-trips through its file, and reads a missing file as none', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'unisight-embeddings-'));
    const file = path.join(directory, 'embeddings.bin');
    expect(readLibraryEmbeddings(file)).toBeNull();
    const written = embeddings([4, 5], [9], 0);
    writeLibraryEmbeddings(file, written);
    const read = readLibraryEmbeddings(file)!;
    expect({ ...read, images: Array.from(read.images), reports: Array.from(read.reports) }).toEqual({ ...written, images: Array.from(written.images), reports: Array.from(written.reports) });
    fs.rmSync(directory, { recursive: true, force: true });
  });
});
