import { finetuneMethodName } from '../../../common/finetune-method-name.js';
import { formatPercent } from '../../../common/format-percent.js';
import { measuredRetrieval } from '../../../common/meaning-quality.js';
import type { TrainingRun } from '../../../common/contract/index.js';
import type { ClassifierRun } from '../../../common/contract/finetune.js';

/** One run of either kind as the Runs page lists, compares and exports it. */
export interface Experiment {
  kind: 'pretraining' | 'fine-tuning';
  id: string;
  name: string;
  state: string;
  createdAt: string;
  /** From creation to finish (queueing and pauses included); null while it runs. */
  durationSeconds: number | null;
  backend: string | null;
  /** The settings that tell runs apart, by name. */
  settings: Record<string, string | number | boolean | null>;
  /** The figures a run is judged by, by name (null where not measured). */
  metrics: Record<string, number | null>;
  /** The headline figure in words, with its chance or interval. */
  headline: string;
}

const seconds = (run: { createdAt: string; finishedAt: string | null }) =>
  run.finishedAt === null ? null : (Date.parse(run.finishedAt) - Date.parse(run.createdAt)) / 1000;

export function pretrainingExperiment(run: TrainingRun): Experiment {
  const test = run.test;
  return {
    kind: 'pretraining',
    id: run.id,
    name: run.name,
    state: run.state,
    createdAt: run.createdAt,
    durationSeconds: seconds(run),
    backend: run.backend,
    settings: {
      preset: run.options.preset,
      architecture: run.encoder.architecture,
      objective: run.options.objective,
      width: run.encoder.width,
      sharedLayers: run.encoder.sharedLayers,
      imageSize: run.encoder.imageSize,
      imageStem: run.encoder.imageStem,
      epochs: run.options.epochs,
      batchSize: run.options.batchSize,
      peakLearningRate: run.options.peakLearningRate,
      trainingPairs: run.dataset.trainingPairs,
      parameters: run.parameterCount,
    },
    metrics: {
      testTextToImageRecallAt10: test?.textToImage.recall['10'] ?? null,
      chanceRecallAt10: test?.textToImage.chance['10'] ?? null,
      testImageToTextRecallAt10: test?.imageToText.recall['10'] ?? null,
      ...Object.fromEntries(
        (run.imageProbe ?? []).flatMap((probe) =>
          probe.results.map((result) => [
            `probe ${probe.task} AUROC at ${formatPercent(result.labelFraction)}`,
            result.auroc.estimate,
          ]),
        ),
      ),
    },
    headline: test ? measuredRetrieval(test) : '—',
  };
}

export function finetuningExperiment(run: ClassifierRun): Experiment {
  const auroc = run.test?.metrics.auroc ?? null;
  const budget =
    run.options.labelFraction !== undefined
      ? formatPercent(run.options.labelFraction)
      : `${run.options.labelsPerClass ?? '?'} per class`;
  return {
    kind: 'fine-tuning',
    id: run.id,
    name: run.name,
    state: run.state,
    createdAt: run.createdAt,
    durationSeconds: seconds(run),
    backend: typeof run.description?.backend === 'string' ? run.description.backend : null,
    settings: {
      task: run.task,
      method: finetuneMethodName(run),
      labels: run.options.labelSource,
      budget,
      inputs: run.options.inputs ?? null,
      model: run.modelId,
      epochs: run.options.epochs,
    },
    metrics: {
      testAuroc: auroc?.estimate ?? null,
      testAurocLower: auroc?.lower ?? null,
      testAurocUpper: auroc?.upper ?? null,
      testAccuracy: run.test?.metrics.accuracy.estimate ?? null,
    },
    headline:
      auroc && auroc.estimate !== null
        ? `test AUROC ${auroc.estimate.toFixed(3)} [${auroc.lower?.toFixed(3) ?? '?'}, ${auroc.upper?.toFixed(3) ?? '?'}] (${run.task}, ${budget})`
        : '—',
  };
}

/** The runs' settings and metrics, one row each, for a spreadsheet. */
export function experimentsCsvRows(experiments: readonly Experiment[]): { header: string[]; rows: string[][] } {
  const settingNames = [...new Set(experiments.flatMap((experiment) => Object.keys(experiment.settings)))];
  const metricNames = [...new Set(experiments.flatMap((experiment) => Object.keys(experiment.metrics)))];
  const header = [
    'kind',
    'id',
    'name',
    'state',
    'created_at',
    'duration_s',
    'backend',
    ...settingNames,
    ...metricNames,
  ];
  const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
  return {
    header,
    rows: experiments.map((experiment) => [
      experiment.kind,
      experiment.id,
      experiment.name,
      experiment.state,
      experiment.createdAt,
      text(experiment.durationSeconds?.toFixed(0)),
      text(experiment.backend),
      ...settingNames.map((name) => text(experiment.settings[name])),
      ...metricNames.map((name) => text(experiment.metrics[name])),
    ]),
  };
}
