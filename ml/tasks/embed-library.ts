import fs from 'node:fs';
import { PretrainingBatches } from '../data/pretraining-batches.js';
import { PretrainingDataset } from '../data/pretraining-dataset.js';
import { loadModelFile } from '../model/load-model.js';
import {
  embedLibraryItems,
  mergeLibraryEmbeddings,
  noLibraryEmbeddings,
  reportTextDigest,
} from '../embedding/library-embeddings.js';
import { readLibraryEmbeddings, writeLibraryEmbeddings } from '../embedding/library-embeddings-file.js';
import type { EngineTask } from '../../common/engine/engine-task.js';

/**
 * Brings a model's stored embeddings up to date with the library: images (and reports) catalogued since the model
 * embedded the library are embedded and added, reports whose text changed are embedded again, and vectors of images
 * and reports no longer in the catalog are dropped; the rest are kept. Stopping loses only this pass.
 */
export const runEmbedLibrary: EngineTask<'embed-library'> = async (
  { modelFile, datasetFile, embeddingsFile },
  context,
) => {
  const { items } = PretrainingDataset.parse(JSON.parse(fs.readFileSync(datasetFile, 'utf8')));
  const existing = readLibraryEmbeddings(embeddingsFile);
  const currentReports = new Map<number, string>();
  for (const item of items)
    if (item.reportId !== null && !currentReports.has(item.reportId))
      currentReports.set(item.reportId, reportTextDigest(item.reportText));
  const current = { imageIds: new Set(items.map((item) => item.imageId)), reportIds: new Set(currentReports.keys()) };
  const storedImages = new Set(existing?.imageIds ?? []);
  const storedReports = new Map(existing?.reportIds.map((id, row) => [id, existing.reportDigests[row]!]) ?? []);
  const stale = items.flatMap((item, index) =>
    !storedImages.has(item.imageId) ||
    (item.reportId !== null && storedReports.get(item.reportId) !== currentReports.get(item.reportId))
      ? [index]
      : [],
  );
  const removedImages = existing ? existing.imageIds.filter((id) => !current.imageIds.has(id)).length : 0;
  const removedReports = existing ? existing.reportIds.filter((id) => !current.reportIds.has(id)).length : 0;
  const summary = (
    embeddings: { imageIds: number[]; reportIds: number[] },
    updatedImages: number,
    updatedReports: number,
  ) => ({
    outcome: 'succeeded' as const,
    result: {
      updatedImages,
      updatedReports,
      removedImages,
      removedReports,
      embeddedImages: embeddings.imageIds.length,
      embeddedReports: embeddings.reportIds.length,
    },
  });
  if (stale.length === 0 && removedImages + removedReports === 0)
    return summary(existing ?? { imageIds: [], reportIds: [] }, 0, 0);
  if (stale.length === 0) {
    const pruned = mergeLibraryEmbeddings(existing!, noLibraryEmbeddings(existing!.size), current);
    writeLibraryEmbeddings(embeddingsFile, pruned);
    return summary(pruned, 0, 0);
  }
  const { encoder, tokenizer } = loadModelFile(modelFile);
  try {
    context.reportProgress(0, stale.length, `embedding ${stale.length} new or changed image(s) and report(s)`);
    const added = await embedLibraryItems(
      encoder,
      new PretrainingBatches(items, tokenizer, encoder.config, 'embed'),
      items,
      stale,
      context,
    );
    const merged = existing ? mergeLibraryEmbeddings(existing, added, current) : added;
    writeLibraryEmbeddings(embeddingsFile, merged);
    context.reportProgress(stale.length, stale.length, 'done');
    return summary(merged, added.imageIds.length, added.reportIds.length);
  } finally {
    encoder.dispose();
  }
};
