// A library's embeddings on disk: one vector per image and per report, by catalog id, in a tensor bundle. Read by
// the core (search, evaluation) and written by the engine; nothing here loads TensorFlow.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { readTensorBundle, writeTensorBundle } from '../model/tensor-bundle.js';

/** The vectors search reads: one per image and one per report, by catalog id. */
export interface LibraryEmbeddings {
  size: number;
  imageIds: number[];
  reportIds: number[];
  /**
   * A digest of each report's text as it was embedded, so a report whose text changed is embedded again ('' unknown).
   */
  reportDigests: string[];
  images: Float32Array;
  reports: Float32Array;
}

export function readLibraryEmbeddings(file: string): LibraryEmbeddings | null {
  if (!fs.existsSync(file)) return null;
  const bundle = readTensorBundle(file);
  const images = bundle.tensors.get('image')!;
  const reportIds = bundle.metadata.reportIds as number[];
  // Files written before digests were kept: every report counts as changed, so the next pass embeds each once more.
  const reportDigests = (bundle.metadata.reportDigests as string[] | undefined) ?? reportIds.map(() => '');
  return {
    size: images.shape[1]!,
    imageIds: bundle.metadata.imageIds as number[],
    reportIds,
    reportDigests,
    images: images.values,
    reports: bundle.tensors.get('report')!.values,
  };
}

/**
 * Written beside the target and renamed, so readers see the old file or the new one, never half of one. Each write
 * gets a new revision, by which a vector index knows whether it was built from this file.
 */
export function writeLibraryEmbeddings(file: string, embeddings: LibraryEmbeddings): void {
  writeTensorBundle(file, {
    metadata: {
      imageIds: embeddings.imageIds,
      reportIds: embeddings.reportIds,
      reportDigests: embeddings.reportDigests,
      revision: randomUUID(),
    },
    tensors: new Map([
      ['image', { shape: [embeddings.imageIds.length, embeddings.size], values: embeddings.images }],
      ['report', { shape: [embeddings.reportIds.length, embeddings.size], values: embeddings.reports }],
    ]),
  });
}
