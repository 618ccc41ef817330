import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { ApiError } from '../../api/api-error.js';
import type { Job, JobKind, ModelRecord } from '../../../common/contract/index.js';
import {
  type BudgetPreview,
  type BudgetPreviewRequest,
  ClassifierMetric,
  type ClassifierRun,
  type FinetuneRequest,
  type LabelTask,
  TaskSplitSettings,
} from '../../../common/contract/finetune.js';
import { taskSplit } from '../../../ml/data/classification-dataset.js';
import { firstImagePerStudy } from '../../../ml/data/study-sampling.js';
import { readTensorBundle } from '../../../ml/model/tensor-bundle.js';
import type { EngineSupervisor } from '../engine/engine-supervisor.js';
import type { EventBus } from '../event-bus.js';
import type { JobExecutor } from '../jobs/job-manager.js';
import { EngineRunJobs, type EngineRunHandlers } from '../jobs/engine-run-jobs.js';
import { createRunDirectory } from '../jobs/recorded-run.js';
import type { ModelStore } from '../training/model-store.js';
import { binaryValue, studyLabels } from '../labels/study-labels.js';
import { buildClassificationDataset } from './classification-dataset-builder.js';
import type { ClassifierRunStore } from './classifier-run-store.js';
import {
  finetuneRunFiles,
  type FinetuneMetrics,
  type FinetuneResult,
  type FinetuneTaskParameters,
} from '../../../common/engine/finetune-task.js';

const PredictionsHeader = z.object({
  imageIds: z.array(z.number().int()),
  classes: z.array(z.string()),
  split: z.array(z.string()),
});
const methodNames: Record<FinetuneRequest['method'], string> = {
  gmcoord: 'GM-Coord',
  full: 'full fine-tune',
  adaptor: 'Adaptor',
  linear: 'linear probe',
};

export interface FinetuneServiceOptions {
  database: Database.Database;
  libraryPath: string;
  runs: ClassifierRunStore;
  models: ModelStore;
  engine: EngineSupervisor;
  events: EventBus;
  submitJob(kind: JobKind, parameters: Record<string, unknown>): Job;
}

/** Starts, resumes and records fine-tuning runs; the training happens in the engine process. */
export class FinetuneService implements EngineRunHandlers<'finetune'> {
  private readonly jobs: EngineRunJobs<ClassifierRun, 'finetune'>;

  constructor(private readonly options: FinetuneServiceOptions) {
    this.jobs = new EngineRunJobs(options, { jobKind: 'model.finetune', engineTask: 'finetune' }, this);
  }

  /** Every labelled task with its studies counted by value, one label per study as a run would read it. */
  tasks(): LabelTask[] {
    const tasks = (
      this.options.database.prepare('SELECT DISTINCT task FROM labels ORDER BY task').all() as Array<{ task: string }>
    ).map((row) => row.task);
    const count = (task: string, source: 'expert' | 'weak') => {
      const counts = { positive: 0, negative: 0, other: 0 };
      for (const value of studyLabels(this.options.database, task, source).values())
        counts[binaryValue(value) ?? 'other'] += 1;
      return counts;
    };
    return tasks.map((task) => ({ task, expert: count(task, 'expert'), weak: count(task, 'weak') }));
  }

  /** The encoder a request starts from: the one named, else the newest trained (or any) model. */
  private encoderFor(modelId: string | undefined): ModelRecord {
    const models = this.options.models.list();
    const model = modelId
      ? this.options.models.get(modelId)
      : (models.find((candidate) => candidate.origin === 'trained') ?? models[0]);
    if (!model)
      throw new ApiError(
        'invalid-input',
        'Fine-tuning starts from a pretrained encoder and this library has none: pretrain one (Train) or import a model first.',
      );
    return model;
  }

  private static splitSettings(model: ModelRecord): TaskSplitSettings {
    return TaskSplitSettings.parse({
      seed: model.split.seed,
      validationFraction: model.split.validationFraction,
      testFraction: model.split.testFraction,
    });
  }

  /** How many studies (and images) a label budget gives, with the test split it will be judged on. */
  preview(request: z.output<typeof BudgetPreviewRequest>): BudgetPreview {
    const model = this.encoderFor(request.modelId);
    const dataset = buildClassificationDataset(
      this.options.database,
      this.options.libraryPath,
      request.task,
      request.labelSource,
    );
    const budget =
      request.labelsPerClass !== undefined
        ? { perClass: request.labelsPerClass }
        : { fraction: request.labelFraction ?? 0.01 };
    const split = taskSplit(dataset.items, dataset.classes, FinetuneService.splitSettings(model), budget, request.seed);
    const studies = (indices: readonly number[]) => firstImagePerStudy(dataset.items, indices);
    const positives = (indices: readonly number[]) =>
      studies(indices).filter((index) => dataset.items[index]!.label === 1).length;
    return {
      modelId: model.id,
      modelName: model.name,
      labelledTrainingStudies: studies(split.labelledTraining).length,
      budgetStudies: studies(split.budget).length,
      budgetImages: split.budget.length,
      budgetPositives: positives(split.budget),
      validationStudies: studies(split.validation).length,
      testStudies: studies(split.test).length,
      testPositives: positives(split.test),
    };
  }

  start(name: string | undefined, request: FinetuneRequest): { run: ClassifierRun; job: Job } {
    const model = this.encoderFor(request.modelId);
    const dataset = buildClassificationDataset(
      this.options.database,
      this.options.libraryPath,
      request.task,
      request.labelSource,
    );
    const split = FinetuneService.splitSettings(model);
    const id = randomUUID();
    const runDirectory = path.join(this.options.libraryPath, 'finetune-runs', id);
    createRunDirectory(runDirectory, path.join(runDirectory, finetuneRunFiles.dataset), dataset);
    const budget =
      request.labelsPerClass !== undefined
        ? `${request.labelsPerClass} per class`
        : `${Math.round((request.labelFraction ?? 0.01) * 1000) / 10}% labels`;
    const method = `${request.tdCalib ? 'TD-Calib + ' : ''}${methodNames[request.method]}`;
    this.options.runs.create({
      id,
      name: name ?? `${request.task}: ${method}, ${budget}`,
      modelId: model.id,
      runDirectory,
      options: request,
      split,
    });
    return this.jobs.submit(id);
  }

  resume(runId: string): { run: ClassifierRun; job: Job } {
    return this.jobs.resume(runId);
  }

  get executor(): JobExecutor {
    return this.jobs.executor;
  }

  taskParameters(runId: string, runDirectory: string): FinetuneTaskParameters {
    const run = this.options.runs.get(runId);
    if (!run.modelId) throw new ApiError('conflict', `The encoder run ${run.name} started from has been deleted.`);
    return {
      runDirectory,
      datasetFile: path.join(runDirectory, finetuneRunFiles.dataset),
      modelFile: this.options.models.get(run.modelId).weightsFile,
      calibrationDirectory: path.join(this.options.libraryPath, 'cache', 'td-calib'),
      split: run.split,
      options: run.options,
    };
  }

  recordSuccess(runId: string, runDirectory: string, engineResult: FinetuneResult): Record<string, never> {
    const predictions = readTensorBundle(path.join(runDirectory, finetuneRunFiles.predictions));
    const header = PredictionsHeader.parse(predictions.metadata);
    this.options.runs.recordResult(runId, engineResult, {
      imageIds: header.imageIds,
      classes: header.classes,
      split: header.split,
      probabilities: predictions.tensors.get('probabilities')!.values,
    });
    return {};
  }

  recordMetrics(runId: string, metrics: FinetuneMetrics): void {
    if (metrics.kind === 'run') {
      const { kind: _kind, ...description } = metrics;
      this.options.runs.recordStart(runId, description);
      this.publishRun(runId);
      return;
    }
    const { kind, step, ...values } = metrics;
    const metric = ClassifierMetric.parse({ runId, kind, step, values });
    this.options.runs.recordMetric(metric);
    this.options.events.publish({ name: 'finetune.metric', payload: metric });
  }

  publishRun(runId: string): void {
    this.options.events.publish({ name: 'finetune.run', payload: this.options.runs.get(runId) });
  }
}
