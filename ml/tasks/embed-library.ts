import fs from 'node:fs';
import { z } from 'zod';
import { PretrainingBatches } from '../data/pretraining-batches.js';
import { PretrainingDataset } from '../data/pretraining-dataset.js';
import { loadModelFile } from '../model/load-model.js';
import { embedLibraryItems, mergeLibraryEmbeddings, readLibraryEmbeddings, writeLibraryEmbeddings } from './library-embeddings.js';
import type { EngineTask } from './task-context.js';

const EmbedLibraryParameters = z.strictObject({ modelFile: z.string(), datasetFile: z.string(), embeddingsFile: z.string() });

/**
 * Brings a model's stored embeddings up to date with the library: images (and reports) catalogued since the model
 * embedded the library are embedded and added; vectors already there are kept. Stopping loses only this pass.
 */
export const runEmbedLibrary: EngineTask = async (rawParameters, context) => {
  const { modelFile, datasetFile, embeddingsFile } = EmbedLibraryParameters.parse(rawParameters);
  const { items } = PretrainingDataset.parse(JSON.parse(fs.readFileSync(datasetFile, 'utf8')));
  const existing = readLibraryEmbeddings(embeddingsFile);
  const knownImages = new Set(existing?.imageIds ?? []);
  const knownReports = new Set(existing?.reportIds ?? []);
  const missing = items.flatMap((item, index) => (!knownImages.has(item.imageId) || (item.reportId !== null && !knownReports.has(item.reportId)) ? [index] : []));
  if (missing.length === 0) return { outcome: 'succeeded', result: { addedImages: 0, addedReports: 0, embeddedImages: existing?.imageIds.length ?? 0, embeddedReports: existing?.reportIds.length ?? 0 } };
  const { encoder, tokenizer } = loadModelFile(modelFile);
  try {
    context.reportProgress(0, missing.length, `embedding ${missing.length} new image(s)`);
    const added = await embedLibraryItems(encoder, new PretrainingBatches(items, tokenizer, encoder.config, 'embed'), items, missing, context);
    const merged = existing ? mergeLibraryEmbeddings(existing, added) : added;
    writeLibraryEmbeddings(embeddingsFile, merged);
    context.reportProgress(missing.length, missing.length, 'done');
    return {
      outcome: 'succeeded',
      result: { addedImages: merged.imageIds.length - (existing?.imageIds.length ?? 0), addedReports: merged.reportIds.length - (existing?.reportIds.length ?? 0), embeddedImages: merged.imageIds.length, embeddedReports: merged.reportIds.length },
    };
  } finally {
    encoder.dispose();
  }
};
