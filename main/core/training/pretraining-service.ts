import {
  pretrainRunFiles,
  type PretrainMetrics,
  type PretrainResult,
  type PretrainTaskParameters,
} from '../../../common/engine/pretrain-task.js';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import {
  type PretrainOptions,
  PretrainRequest,
  resolvePretrainOptions,
  TrainingMetric,
  type EncoderPreset,
  type Job,
  type JobKind,
  type TrainingRun,
} from '../../../common/contract/index.js';
import { encoderWithOverrides } from '../../../common/encoder-with-overrides.js';
import {
  minimumEvaluationPairs,
  type PretrainingDataset,
  summariseSplit,
} from '../../../ml/data/pretraining-dataset.js';
import {
  countParameters,
  EncoderConfig,
  encoderPresets,
  type EncoderPresetName,
  presetTraining,
} from '../../../common/encoder-config.js';
import type { EngineSupervisor } from '../engine/engine-supervisor.js';
import type { EventBus } from '../event-bus.js';
import type { JobExecutor } from '../jobs/job-manager.js';
import { EngineRunJobs, type EngineRunHandlers } from '../jobs/engine-run-jobs.js';
import { createRunDirectory } from '../jobs/recorded-run.js';
import type { ModelStore } from './model-store.js';
import { pretrainingItemsForRun } from './affirmed-words.js';
import { probeTasks } from './probe-tasks.js';
import type { TrainingRunStore } from './training-run-store.js';

const presetSummaries: Record<EncoderPresetName, { summary: string; paperSetting: boolean }> = {
  'cpu-fast': {
    summary:
      'Scaled down for a laptop CPU (d 64, 2 shared layers, 128 px images, many epochs): a useful model on a few thousand studies in minutes.',
    paperSetting: false,
  },
  balanced: {
    summary:
      'Between the two (d 256, 6 shared layers, 192 px, word prediction): room for larger libraries; about 12 times cpu-fast on a CPU, which it matched on the 2,000-study demo library.',
    paperSetting: false,
  },
  paper: {
    summary:
      'The published setting (ViT-B/16-like: d 768, 12 shared layers, 224 px, modality feature of 20): for GPU machines.',
    paperSetting: true,
  },
};

export interface PretrainingServiceOptions {
  database: Database.Database;
  libraryPath: string;
  runs: TrainingRunStore;
  models: ModelStore;
  engine: EngineSupervisor;
  events: EventBus;
  submitJob(kind: JobKind, parameters: Record<string, unknown>): Job;
}

/** A preset with the user's overrides, checked as a whole (heads divide the width, patches tile the image…). */
export function resolveEncoder(options: PretrainOptions): EncoderConfig {
  const parsed = encoderWithOverrides(encoderPresets[options.preset], options.encoder);
  if (!parsed.success)
    throw new ApiError(
      'invalid-input',
      `These model settings do not fit together: ${parsed.error.issues.map((issue) => issue.message).join('; ')}.`,
    );
  return parsed.data;
}

/** Starts, resumes and records pretraining runs; the training itself happens in the engine process. */
export class PretrainingService implements EngineRunHandlers<'pretrain'> {
  private readonly jobs: EngineRunJobs<TrainingRun, 'pretrain'>;

  constructor(private readonly options: PretrainingServiceOptions) {
    this.jobs = new EngineRunJobs(options, { jobKind: 'model.pretrain', engineTask: 'pretrain' }, this);
  }

  presets(): { presets: EncoderPreset[]; defaults: PretrainRequest } {
    const presets = (Object.keys(encoderPresets) as EncoderPresetName[]).map((name) => ({
      name,
      ...presetSummaries[name],
      encoder: encoderPresets[name],
      training: presetTraining[name],
      parameterCount: countParameters(encoderPresets[name]),
    }));
    return { presets, defaults: PretrainRequest.parse({}) };
  }

  start(name: string | undefined, request: PretrainRequest): { run: TrainingRun; job: Job } {
    const options = resolvePretrainOptions(request);
    const encoder = resolveEncoder(options);
    const items = pretrainingItemsForRun(this.options.database, this.options.libraryPath, options.wordPredictionWeight);
    const dataset: PretrainingDataset = { items, probeTasks: probeTasks(this.options.database, items) };
    const split = summariseSplit(dataset.items, options);
    if (split.trainingPairs < options.batchSize) {
      throw new ApiError(
        'invalid-input',
        `Pretraining needs at least one batch (${options.batchSize}) of image–report pairs in the training split; this library has ${split.trainingPairs} (of ${split.images} images, ${split.pairs} with a report). Import more studies with reports or lower the batch size.`,
      );
    }
    if (split.validationPairs < minimumEvaluationPairs || split.testPairs < minimumEvaluationPairs)
      throw new ApiError(
        'invalid-input',
        `The validation and test splits need at least ${minimumEvaluationPairs} image–report pairs each (they have ${split.validationPairs} and ${split.testPairs}); import more studies with reports.`,
      );
    const id = randomUUID();
    const runDirectory = path.join(this.options.libraryPath, 'runs', id);
    createRunDirectory(runDirectory, path.join(runDirectory, pretrainRunFiles.dataset), dataset);
    const architecture = encoder.architecture === 'shared' ? 'shared encoder' : 'separate encoders';
    this.options.runs.create({
      id,
      name: name ?? `${options.preset}, ${architecture}, ${split.trainingPairs} training pairs`,
      runDirectory,
      options,
      encoder,
      dataset: split,
    });
    return this.jobs.submit(id);
  }

  resume(runId: string): { run: TrainingRun; job: Job } {
    return this.jobs.resume(runId);
  }

  get executor(): JobExecutor {
    return this.jobs.executor;
  }

  taskParameters(runId: string, runDirectory: string): PretrainTaskParameters {
    const run = this.options.runs.get(runId);
    return {
      runDirectory,
      datasetFile: path.join(runDirectory, pretrainRunFiles.dataset),
      encoder: run.encoder,
      options: run.options,
    };
  }

  recordSuccess(runId: string, _runDirectory: string, engineResult: PretrainResult): { modelId: string } {
    const { runs, models } = this.options;
    const { modelFile, embeddingsFile, embeddedImages, embeddedReports } = engineResult;
    const model = models.registerTrained({
      runId,
      name: runs.get(runId).name,
      modelFile,
      embeddingsFile,
      embeddedImages,
      embeddedReports,
    });
    runs.setState(runId, 'succeeded');
    return { modelId: model.id };
  }

  recordMetrics(runId: string, metrics: PretrainMetrics): void {
    if (metrics.kind === 'run') {
      this.options.runs.recordStart(runId, metrics, metrics);
      this.publishRun(runId);
      return;
    }
    const { kind, step, ...values } = metrics;
    const metric = TrainingMetric.parse({ runId, kind, step, values });
    this.options.runs.recordMetric(metric);
    this.options.events.publish({ name: 'training.metric', payload: metric });
    if (metric.kind !== 'train') this.publishRun(runId);
  }

  publishRun(runId: string): void {
    this.options.events.publish({ name: 'training.run', payload: this.options.runs.get(runId) });
  }
}
