// Pretraining runs and the models they make (or that were imported).
import type { CoreContext, CoreFeature } from '../core-feature.js';
import { ModelStore } from './model-store.js';
import { PretrainingService } from './pretraining-service.js';
import { TrainingRunStore } from './training-run-store.js';

type TrainingMethods =
  | 'training.presets'
  | 'training.start'
  | 'training.resume'
  | 'training.runs'
  | 'training.run'
  | 'models.list'
  | 'models.export'
  | 'models.import';

/** The feature and its model store, which fine-tuning and search read too. */
export function trainingFeature(
  context: CoreContext,
): CoreFeature<TrainingMethods, 'model.pretrain'> & { models: ModelStore } {
  const { catalog } = context;
  const runs = new TrainingRunStore(catalog.database);
  const models = new ModelStore(catalog.database, catalog.libraryPath);
  const pretraining = new PretrainingService({
    database: catalog.database,
    libraryPath: catalog.libraryPath,
    runs,
    models,
    engine: context.engine,
    events: context.events,
    submitJob: context.submitJob,
  });
  return {
    models,
    handlers: {
      'training.presets': async () => pretraining.presets(),
      'training.start': async ({ name, options }) => pretraining.start(name, options),
      'training.resume': async ({ runId }) => pretraining.resume(runId),
      'training.runs': async ({ limit }) => runs.list(limit),
      'training.run': async ({ runId }) => ({ run: runs.get(runId), metrics: runs.metrics(runId) }),
      'models.list': async () => models.list(),
      'models.export': async ({ modelId, file, overwrite }) => models.exportFile(modelId, file, overwrite),
      'models.import': async ({ file, name }) => models.importFile(file, name),
    },
    executors: { 'model.pretrain': pretraining.executor },
    recoverInterrupted: (jobs) => runs.markInterrupted(jobs.map((job) => job.id)),
  };
}
