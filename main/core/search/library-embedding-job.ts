import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { EngineSupervisor } from '../engine/engine-supervisor.js';
import type { JobExecutor } from '../jobs/job-manager.js';
import type { ModelStore } from '../training/model-store.js';
import { buildPretrainingDataset } from '../training/pretraining-dataset-builder.js';
import type { VectorIndex } from './vector-index.js';

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
      fs.writeFileSync(datasetFile, JSON.stringify(buildPretrainingDataset(options.database, options.libraryPath)));
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
        const index = options.index.ensure(updated);
        return { outcome: 'succeeded', result: { ...result, modelId, indexedImages: index.images } };
      } finally {
        fs.rmSync(datasetFile, { force: true });
      }
    },
  };
}
