import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { batchTensors, type PretrainingBatches } from '../data/pretraining-batches.js';
import type { PretrainingItem } from '../data/pretraining-dataset.js';
import type { ContrastiveEncoder, Modality } from '../model/contrastive-encoder.js';
import { readTensorBundle, writeTensorBundle } from '../model/tensor-bundle.js';
import type { TaskContext } from './task-context.js';

const evaluationBatchSize = 64;

/** Embeddings of `indices` for one or both modalities, in batches, without augmentation. */
export async function embedItems(model: ContrastiveEncoder, batches: PretrainingBatches, indices: readonly number[], modalities: readonly Modality[], context: TaskContext): Promise<Record<Modality, Float32Array>> {
  const size = model.config.embeddingSize;
  const result = { image: new Float32Array(indices.length * size), text: new Float32Array(indices.length * size) };
  for (let start = 0; start < indices.length; start += evaluationBatchSize) {
    // The weights are checkpointed before evaluation starts, so stopping here loses only this pass.
    if (context.isCancelled()) throw new Error('Cancelled while embedding; resuming repeats only the evaluation and embedding.');
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

/** The vectors search reads: one per image and one per report, by catalog id. */
export interface LibraryEmbeddings {
  size: number;
  imageIds: number[];
  reportIds: number[];
  images: Float32Array;
  reports: Float32Array;
}

/** Embeds `indices` of the items: every image, and each report once (the first image of its study carries it). */
export async function embedLibraryItems(model: ContrastiveEncoder, batches: PretrainingBatches, items: readonly PretrainingItem[], indices: readonly number[], context: TaskContext): Promise<LibraryEmbeddings> {
  const reportIndices = [...new Map(indices.flatMap((index) => (items[index]!.reportId === null ? [] : [[items[index]!.reportId, index] as const]))).values()];
  return {
    size: model.config.embeddingSize,
    imageIds: indices.map((index) => items[index]!.imageId),
    reportIds: reportIndices.map((index) => items[index]!.reportId!),
    images: (await embedItems(model, batches, indices, ['image'], context)).image,
    reports: (await embedItems(model, batches, reportIndices, ['text'], context)).text,
  };
}

export function readLibraryEmbeddings(file: string): LibraryEmbeddings | null {
  if (!fs.existsSync(file)) return null;
  const bundle = readTensorBundle(file);
  const images = bundle.tensors.get('image')!;
  return { size: images.shape[1]!, imageIds: bundle.metadata.imageIds as number[], reportIds: bundle.metadata.reportIds as number[], images: images.values, reports: bundle.tensors.get('report')!.values };
}

/** Written beside the target and renamed, so readers see the old file or the new one, never half of one. */
export function writeLibraryEmbeddings(file: string, embeddings: LibraryEmbeddings): void {
  writeTensorBundle(file, {
    metadata: { imageIds: embeddings.imageIds, reportIds: embeddings.reportIds },
    tensors: new Map([
      ['image', { shape: [embeddings.imageIds.length, embeddings.size], values: embeddings.images }],
      ['report', { shape: [embeddings.reportIds.length, embeddings.size], values: embeddings.reports }],
    ]),
  });
}

/** `base` with `added` appended; ids already in `base` keep their vectors. */
export function mergeLibraryEmbeddings(base: LibraryEmbeddings, added: LibraryEmbeddings): LibraryEmbeddings {
  const append = (ids: number[], values: Float32Array, newIds: number[], newValues: Float32Array) => {
    const known = new Set(ids);
    const keep = newIds.flatMap((id, row) => (known.has(id) ? [] : [row]));
    const merged = new Float32Array(values.length + keep.length * base.size);
    merged.set(values);
    keep.forEach((row, position) => merged.set(newValues.subarray(row * base.size, (row + 1) * base.size), values.length + position * base.size));
    return { ids: [...ids, ...keep.map((row) => newIds[row]!)], values: merged };
  };
  const images = append(base.imageIds, base.images, added.imageIds, added.images);
  const reports = append(base.reportIds, base.reports, added.reportIds, added.reports);
  return { size: base.size, imageIds: images.ids, images: images.values, reportIds: reports.ids, reports: reports.values };
}
