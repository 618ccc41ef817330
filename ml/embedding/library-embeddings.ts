import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { batchTensors, type PretrainingBatches } from '../data/pretraining-batches.js';
import type { PretrainingItem } from '../data/pretraining-dataset.js';
import type { ContrastiveEncoder, Modality } from '../model/contrastive-encoder.js';
import type { LibraryEmbeddings } from './library-embeddings-file.js';
import type { TaskContext } from '../../common/engine/engine-task.js';

const evaluationBatchSize = 64;

/** Embeddings of `indices` for one or both modalities, in batches, without augmentation. */
export async function embedItems(
  model: ContrastiveEncoder,
  batches: PretrainingBatches,
  indices: readonly number[],
  modalities: readonly Modality[],
  context: TaskContext,
): Promise<Record<Modality, Float32Array>> {
  const size = model.config.embeddingSize;
  const result = { image: new Float32Array(indices.length * size), text: new Float32Array(indices.length * size) };
  for (let start = 0; start < indices.length; start += evaluationBatchSize) {
    // The weights are checkpointed before evaluation starts, so stopping here loses only this pass.
    if (context.isCancelled())
      throw new Error('Cancelled while embedding; resuming repeats only the evaluation and embedding.');
    const host = batches.build(indices.slice(start, start + evaluationBatchSize), null);
    const { patches, texts } = batchTensors(host, model.config);
    try {
      for (const modality of modalities) {
        const embedded = tf.tidy(() => model.encode(modality, modality === 'image' ? patches : texts));
        result[modality].set(await embedded.data(), start * size);
        embedded.dispose();
      }
    } finally {
      tf.dispose([patches, texts.tokenIds, texts.attentionMask]);
    }
    await context.yieldToEvents();
  }
  return result;
}

/** What a report's vector was made from: its text. */
export function reportTextDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Embeds `indices` of the items: every image, and each report once (the first image of its study carries it). */
export async function embedLibraryItems(
  model: ContrastiveEncoder,
  batches: PretrainingBatches,
  items: readonly PretrainingItem[],
  indices: readonly number[],
  context: TaskContext,
): Promise<LibraryEmbeddings> {
  const reportIndices = [
    ...new Map(
      indices.flatMap((index) => (items[index]!.reportId === null ? [] : [[items[index]!.reportId, index] as const])),
    ).values(),
  ];
  return {
    size: model.config.embeddingSize,
    imageIds: indices.map((index) => items[index]!.imageId),
    reportIds: reportIndices.map((index) => items[index]!.reportId!),
    reportDigests: reportIndices.map((index) => reportTextDigest(items[index]!.reportText)),
    images: (await embedItems(model, batches, indices, ['image'], context)).image,
    reports: (await embedItems(model, batches, reportIndices, ['text'], context)).text,
  };
}

/** Embeddings of nothing, to merge when a pass only removes. */
export function noLibraryEmbeddings(size: number): LibraryEmbeddings {
  return {
    size,
    imageIds: [],
    reportIds: [],
    reportDigests: [],
    images: new Float32Array(0),
    reports: new Float32Array(0),
  };
}

/**
 * The stored embeddings brought up to date: vectors of ids no longer `current` are dropped, those in `added` (new or
 * embedded again) replace or join the stored ones, the rest are kept as they are.
 */
export function mergeLibraryEmbeddings(
  base: LibraryEmbeddings,
  added: LibraryEmbeddings,
  current: { imageIds: ReadonlySet<number>; reportIds: ReadonlySet<number> },
): LibraryEmbeddings {
  const size = base.size;
  const combine = (
    ids: number[],
    values: Float32Array,
    newIds: number[],
    newValues: Float32Array,
    wanted: ReadonlySet<number>,
  ) => {
    const replaced = new Set(newIds);
    const keep = ids.flatMap((id, row) => (wanted.has(id) && !replaced.has(id) ? [row] : []));
    const merged = new Float32Array((keep.length + newIds.length) * size);
    keep.forEach((row, position) => merged.set(values.subarray(row * size, (row + 1) * size), position * size));
    merged.set(newValues.subarray(0, newIds.length * size), keep.length * size);
    return { rows: keep, ids: [...keep.map((row) => ids[row]!), ...newIds], values: merged };
  };
  const images = combine(base.imageIds, base.images, added.imageIds, added.images, current.imageIds);
  const reports = combine(base.reportIds, base.reports, added.reportIds, added.reports, current.reportIds);
  const reportDigests = [...reports.rows.map((row) => base.reportDigests[row]!), ...added.reportDigests];
  return {
    size,
    imageIds: images.ids,
    images: images.values,
    reportIds: reports.ids,
    reportDigests,
    reports: reports.values,
  };
}
