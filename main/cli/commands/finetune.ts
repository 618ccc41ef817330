import fs from 'node:fs';
import path from 'node:path';
import { FinetuneRequest, type ClassifierRun } from '../../../common/contract/finetune.js';
import type { Job } from '../../../common/contract/index.js';
import type { CoreService } from '../../core/core-service.js';
import {
  CliUsageError,
  commonOptions,
  integerOption,
  numberOption,
  studyImagesHelp,
  studyImagesOption,
  type CliCommand,
} from '../cli-command.js';
import { finetuneMethodNames } from '../../../common/finetune-method-name.js';
import { predictionsCsv } from '../../../common/predictions-csv.js';
import { describeClassifierRun, parseMethod } from '../finetune-flags.js';
import { openCoreForCli } from '../open-core.js';
import { runJobToEnd } from '../run-job-to-end.js';
import { runToResume } from '../resume-target.js';

function requestFromFlags(values: Record<string, string | boolean | undefined>): FinetuneRequest {
  if (typeof values.task !== 'string')
    throw new CliUsageError('finetune needs --task (see the tasks with: unisight finetune --tasks).');
  const labels = values.labels;
  if (labels !== undefined && labels !== 'expert' && labels !== 'weak')
    throw new CliUsageError('--labels is expert or weak.');
  const inputs = values.inputs;
  if (inputs !== undefined && inputs !== 'image' && inputs !== 'image+report')
    throw new CliUsageError('--inputs is image or image+report.');
  const parsed = FinetuneRequest.safeParse({
    task: values.task,
    modelId: values.model,
    labelSource: labels,
    inputs,
    labelFraction: numberOption(values.fraction, 'fraction') ?? (values['per-class'] === undefined ? 0.01 : undefined),
    labelsPerClass: integerOption(values['per-class'], 'per-class'),
    ...parseMethod(typeof values.method === 'string' ? values.method : 'tdcalib+gmcoord'),
    epochs: integerOption(values.epochs, 'epochs'),
    peakLearningRate: numberOption(values['learning-rate'], 'learning-rate'),
    frozenSharedLayers: integerOption(values['frozen-layers'], 'frozen-layers'),
    tdCalibEpochs: integerOption(values['td-calib-epochs'], 'td-calib-epochs'),
    studyImages: studyImagesOption(values['study-images']),
    seed: values.seed,
  });
  if (!parsed.success)
    throw new CliUsageError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; '),
    );
  return parsed.data;
}

/** Writes the run's predictions as CSV: identifiers, pseudonymised patient, score and split, highest score first. */
export async function exportPredictions(core: CoreService, runId: string, file: string): Promise<number> {
  const rows = await core.handlers['finetune.predictions']({ runId });
  const target = path.resolve(file);
  fs.writeFileSync(`${target}.partial`, predictionsCsv(rows));
  fs.renameSync(`${target}.partial`, target);
  return rows.length;
}

/** Follows a fine-tuning job to its end and returns the finished run. */
export async function followFinetune(
  core: CoreService,
  started: { run: ClassifierRun; job: Job },
  output: Parameters<CliCommand['run']>[0]['output'],
): Promise<{ job: Job; run: ClassifierRun }> {
  output.say(`Run ${started.run.id}: ${started.run.name}`);
  const job = await runJobToEnd(core, started.job, output);
  const { run } = await core.handlers['finetune.run']({ runId: started.run.id });
  return { job, run };
}

export const finetuneCommand: CliCommand = {
  name: 'finetune',
  summary:
    'Fine-tune a classifier for a labelled task from a pretrained encoder with a label budget; prints metrics with 95% intervals.',
  usage: `unisight finetune --task T [--fraction F | --per-class N] [--method ${finetuneMethodNames.join('|')}] [--model ID] [--labels expert|weak] [--inputs image|image+report] [--study-images one|frontal|every] [--export FILE.csv] [--resume RUN] [--tasks] [--library DIR] [--json]`,
  options: {
    ...commonOptions,
    task: { type: 'string' },
    fraction: { type: 'string' },
    'per-class': { type: 'string' },
    method: { type: 'string' },
    model: { type: 'string' },
    labels: { type: 'string' },
    inputs: { type: 'string' },
    epochs: { type: 'string' },
    'learning-rate': { type: 'string' },
    'frozen-layers': { type: 'string' },
    'td-calib-epochs': { type: 'string' },
    'study-images': { type: 'string' },
    seed: { type: 'string' },
    name: { type: 'string' },
    export: { type: 'string' },
    resume: { type: 'string' },
    tasks: { type: 'boolean', default: false },
  },
  optionHelp: {
    task: 'the labelled task (a label column of the manifest, or a weak-label task)',
    fraction:
      'share of each class of the labelled training studies to train on (default 0.01; a drawn study brings all its images)',
    'per-class': 'train on this many labelled studies per class instead of a fraction',
    method:
      'tdcalib+gmcoord (default: TD-Calib, then GM-Coord fine-tuning), gmcoord, full (encoder + head), adaptor (frozen encoder + Adaptor), linear (linear probe); tdcalib+ runs TD-Calib first',
    model: 'the pretrained encoder to start from (default: the newest trained model)',
    labels: 'expert (manual and manifest labels, the default) or weak (labels read from reports)',
    inputs:
      'what the classifier reads: image+report (the default for expert labels) or image (the default for weak labels, which come from the reports)',
    epochs: 'passes over the labelled studies (default 30; between 60 and 400 steps)',
    'learning-rate': 'peak learning rate of the encoder (default 1e-4; the head learns 10× faster)',
    'frozen-layers': 'partial fine-tuning: keep the first n shared layers frozen',
    'td-calib-epochs': 'passes of TD-Calib over the training studies (default 3)',
    'study-images': studyImagesHelp,
    seed: 'seed of the label sample, initialisation and order',
    name: 'a name for the run',
    export: "write the classifier's score for every image to this CSV file",
    resume: 'continue a cancelled, failed or interrupted run (its run id or job id) from its last checkpoint',
    tasks: "list the library's labelled tasks and stop",
  },
  run: async ({ values, positionals, output }) => {
    if (positionals.length > 0) throw new CliUsageError('finetune takes no positional arguments.');
    const resume = values.resume as string | undefined;
    const request = resume === undefined && !values.tasks ? requestFromFlags(values) : null;
    const core = openCoreForCli(values.library as string | undefined);
    try {
      if (values.tasks) {
        const tasks = await core.handlers['finetune.tasks']({});
        const lines = tasks.map(
          (task) =>
            `  ${task.task.padEnd(16)} expert ${task.expert.positive} positive / ${task.expert.negative} negative; weak ${task.weak.positive} / ${task.weak.negative}`,
        );
        output.result(
          { tasks },
          tasks.length === 0
            ? 'No labelled tasks: import a manifest with label columns or run unisight weak-labels.'
            : ['Labelled tasks (studies):', ...lines].join('\n'),
        );
        return 0;
      }
      const started = request
        ? await core.handlers['finetune.start']({ name: values.name as string | undefined, options: request })
        : await core.handlers['finetune.resume']({ runId: await runToResume(core, resume!, 'model.finetune') });
      const { job, run } = await followFinetune(core, started, output);
      let exported = '';
      if (job.state === 'succeeded' && typeof values.export === 'string')
        exported = `\n  predictions written to ${path.resolve(values.export)} (${await exportPredictions(core, run.id, values.export)} images)`;
      const note = job.state === 'cancelled' ? `\nCancelled; continue with: unisight finetune --resume ${run.id}` : '';
      output.result(
        { state: job.state, jobId: job.id, runId: run.id, run, error: job.error },
        `${describeClassifierRun(run)}${exported}${note}`,
      );
      if (job.state === 'succeeded') return 0;
      return job.state === 'cancelled' ? 130 : 1;
    } finally {
      await core.close();
    }
  },
};
