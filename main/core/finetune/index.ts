// Fine-tuning classifiers from a pretrained encoder with a label budget.
import type { CoreContext, CoreFeature } from '../core-feature.js';
import type { ModelStore } from '../training/model-store.js';
import { ClassifierRunStore } from './classifier-run-store.js';
import { FinetuneService } from './finetune-service.js';

type FinetuneMethods =
  | 'finetune.tasks'
  | 'finetune.preview'
  | 'finetune.start'
  | 'finetune.resume'
  | 'finetune.runs'
  | 'finetune.run'
  | 'finetune.predictions';

export function finetuneFeature(
  context: CoreContext,
  models: ModelStore,
): CoreFeature<FinetuneMethods, 'model.finetune'> {
  const { catalog } = context;
  const runs = new ClassifierRunStore(catalog.database);
  const finetuning = new FinetuneService({
    database: catalog.database,
    libraryPath: catalog.libraryPath,
    runs,
    models,
    engine: context.engine,
    events: context.events,
    submitJob: context.submitJob,
  });
  return {
    handlers: {
      'finetune.tasks': async () => finetuning.tasks(),
      'finetune.preview': async (request) => finetuning.preview(request),
      'finetune.start': async ({ name, options }) => finetuning.start(name, options),
      'finetune.resume': async ({ runId }) => finetuning.resume(runId),
      'finetune.runs': async ({ limit }) => runs.list(limit),
      'finetune.run': async ({ runId }) => ({ run: runs.get(runId), metrics: runs.metrics(runId) }),
      'finetune.predictions': async ({ runId }) => runs.predictions(runId),
    },
    executors: { 'model.finetune': finetuning.executor },
    recoverInterrupted: (jobs) => runs.markInterrupted(jobs.map((job) => job.id)),
  };
}
