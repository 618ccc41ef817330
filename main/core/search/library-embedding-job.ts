import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { EngineSupervisor } from '../engine/engine-supervisor.js';
import type { JobExecutor } from '../jobs/job-manager.js';
import type { ModelStore } from '../training/model-store.js';
import { buildPretrainingDataset } from '../training/pretraining-dataset-builder.js';
import type { VectorIndex } from './vector-index.js';
import type { ModelRecord } from '../../../common/contract/index.js';
import type { PretrainingItem } from '../../../ml/data/pretraining-dataset.js';
import { readLibraryEmbeddings } from '../../../ml/embedding/library-embeddings-file.js';
import { probeLibraryImages, storedRetrieval } from '../../../ml/evaluation/library-evaluation.js';
import { probeTasks } from '../training/probe-tasks.js';

const EmbedJobParameters = z.strictObject({ modelId: z.string() });

/**
 * The job that embeds what a model has not seen yet (images imported after its training, or a whole library for an
 * imported model) and brings its vector index up to date.
 */
export function libraryEmbeddingExecutor(options: {
  database: Database.Database;
  libraryPath: string;
  models: ModelStore;
  engine: EngineSupervisor;
  index: VectorIndex;
}): JobExecutor {
  return {
    lane: 'engine',
    unit: 'images',
    run: async (job, context) => {
      const { modelId } = EmbedJobParameters.parse(job.parameters);
      const model = options.models.get(modelId);
      const embeddingsFile =
        model.embeddingsFile ?? path.join(options.libraryPath, 'models', `${model.id}.embeddings.bin`);
      const datasetFile = path.join(options.libraryPath, 'runs', `embed-${job.id}.json`);
      fs.mkdirSync(path.dirname(datasetFile), { recursive: true });
      const dataset = buildPretrainingDataset(options.database, options.libraryPath);
      fs.writeFileSync(datasetFile, JSON.stringify(dataset));
      try {
        const outcome = await options.engine.runTask(
          job.id,
          'embed-library',
          { modelFile: model.weightsFile, datasetFile, embeddingsFile },
          context,
        );
        if (outcome.outcome === 'cancelled') return outcome;
        const result = outcome.result;
        const updated = options.models.setEmbeddings(
          model.id,
          embeddingsFile,
          result.embeddedImages,
          result.embeddedReports,
        );
        const judged = updated.metrics.test ? updated : judgeOnLibrary(options, updated, dataset.items);
        const index = options.index.ensure(judged);
        return { outcome: 'succeeded', result: { ...result, modelId, indexedImages: index.images } };
      } finally {
        fs.rmSync(datasetFile, { force: true });
      }
    },
  };
}

/**
 * A model that came without metrics (trained elsewhere and imported) judged on this library from the embeddings just
 * made: Recall@K on the validation and test splits its options name, and the image-side probe.
 */
function judgeOnLibrary(
  options: { database: Database.Database; models: ModelStore },
  model: ModelRecord,
  items: PretrainingItem[],
): ModelRecord {
  const embeddings = readLibraryEmbeddings(model.embeddingsFile!);
  if (!embeddings) return model;
  const labelled = { items, probeTasks: probeTasks(options.database, items) };
  return options.models.setMetrics(model.id, {
    validation: storedRetrieval(labelled, embeddings, 'validation', model.split),
    test: storedRetrieval(labelled, embeddings, 'test', model.split),
    imageProbe: probeLibraryImages(labelled, embeddings, model.split),
  });
}
