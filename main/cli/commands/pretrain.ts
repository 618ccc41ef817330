import {
  encoderPresetNames,
  PretrainRequest,
  type Job,
  type RetrievalMetrics,
  type TrainingRun,
} from '../../../common/contract/index.js';
import { formatPercent } from '../../../common/format-percent.js';
import type { CoreService } from '../../core/core-service.js';
import { openCoreForCli } from '../open-core.js';
import { runJobToEnd } from '../run-job-to-end.js';
import { type EncoderPresetName, imageStems, presetTraining } from '../../../common/encoder-config.js';
import { pretrainingObjectives } from '../../../common/contract/training.js';
import {
  defaultTextSampling,
  noTextSampling,
  type TextSamplingSettings,
} from '../../../common/contract/text-sampling-settings.js';
import {
  CliUsageError,
  commonOptions,
  integerOption,
  numberOption,
  studyImagesHelp,
  studyImagesOption,
  type CliCommand,
} from '../cli-command.js';
import { runToResume } from '../resume-target.js';

function describePresetTraining(value: (training: (typeof presetTraining)[EncoderPresetName]) => number): string {
  return (Object.keys(presetTraining) as EncoderPresetName[])
    .map((name) => `${name} ${value(presetTraining[name])}`)
    .join(', ');
}

const blockParts = { attention: 'attention', mlp: 'mlp', 'layer-norms': 'layerNorms' } as const;

/** `--share attention,mlp` (MS-CLIP: LayerNorms per modality); every part when the flag is absent. */
function sharedBlockParts(
  flag: string | boolean | undefined,
): Record<'attention' | 'mlp' | 'layerNorms', boolean> | undefined {
  if (flag === undefined) return undefined;
  const named = String(flag)
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const unknown = named.filter((part) => !(part in blockParts));
  if (unknown.length > 0)
    throw new CliUsageError(
      `--share lists parts of a shared block: ${Object.keys(blockParts).join(', ')} (not ${unknown.join(', ')}).`,
    );
  const parts = new Set(named.map((part) => blockParts[part as keyof typeof blockParts]));
  return { attention: parts.has('attention'), mlp: parts.has('mlp'), layerNorms: parts.has('layerNorms') };
}

function layerList(flag: string | boolean | undefined): number[] | undefined {
  if (flag === undefined) return undefined;
  const text = String(flag).trim();
  if (text === 'none' || text === '') return [];
  return text.split(',').map((layer) => {
    if (!/^\d+$/.test(layer.trim()))
      throw new CliUsageError(`--parallel-branch lists block numbers (from 0), e.g. 1,2; not ${text}.`);
    return Number(layer);
  });
}

/**
 * `--text-sampling 0.3,0.2` (sentence, span probabilities), `0.3,0.2,0.3` (and the share of the run read whole before
 * sampling starts; the default's when left out) or `none` (whole reports only).
 */
function textSampling(flag: string | boolean | undefined): TextSamplingSettings | undefined {
  if (flag === undefined) return undefined;
  const text = String(flag).trim();
  if (text === 'none') return noTextSampling;
  const parts = text.split(',').map(Number);
  if (
    (parts.length !== 2 && parts.length !== 3) ||
    parts.some((part) => !(part >= 0 && part <= 1)) ||
    parts[0]! + parts[1]! > 1
  )
    throw new CliUsageError(
      '--text-sampling is two chances that add up to at most 1, e.g. 0.3,0.2, then optionally the share of the run read whole first (0 to 1), or none.',
    );
  return {
    sentenceProbability: parts[0]!,
    phraseProbability: parts[1]!,
    wholeReportsFirst: parts[2] ?? defaultTextSampling.wholeReportsFirst,
  };
}

export function optionsFromFlags(values: Record<string, string | boolean | undefined>): PretrainRequest {
  const architecture = values.architecture;
  if (architecture !== undefined && architecture !== 'shared' && architecture !== 'separate')
    throw new CliUsageError('--architecture is shared or separate.');
  const imagePositions = values['image-positions'];
  if (imagePositions !== undefined && imagePositions !== 'normal' && imagePositions !== 'sinusoidal')
    throw new CliUsageError('--image-positions is normal or sinusoidal.');
  const imageStem = values['image-stem'];
  if (imageStem !== undefined && !(imageStems as readonly unknown[]).includes(imageStem))
    throw new CliUsageError(`--image-stem is ${imageStems.join(', ')}.`);
  const encoder = Object.fromEntries(
    Object.entries({
      architecture,
      width: integerOption(values.width, 'width'),
      sharedLayers: integerOption(values.layers, 'layers'),
      earlyLayers: integerOption(values['early-layers'], 'early-layers'),
      sharedBlockParts: sharedBlockParts(values.share),
      imageStem,
      parallelBranchLayers: layerList(values['parallel-branch']),
      imageSize: integerOption(values['image-size'], 'image-size'),
      patchSize: integerOption(values['patch-size'], 'patch-size'),
      imagePositionInitialisation: imagePositions,
    }).filter(([, value]) => value !== undefined),
  );
  const objective = values.objective;
  if (objective !== undefined && !(pretrainingObjectives as readonly unknown[]).includes(objective))
    throw new CliUsageError(`--objective is ${pretrainingObjectives.join(', ')}.`);
  return PretrainRequest.parse({
    preset: values.preset,
    objective,
    wordPredictionWeight: numberOption(values['word-prediction'], 'word-prediction'),
    encoder,
    epochs: integerOption(values.epochs, 'epochs'),
    batchSize: integerOption(values['batch-size'], 'batch-size'),
    peakLearningRate: numberOption(values['learning-rate'], 'learning-rate'),
    trainingImagesLimit: integerOption(values['training-images'], 'training-images'),
    textSampling: textSampling(values['text-sampling']),
    studyImages: studyImagesOption(values['study-images']),
    checkpointEverySteps: integerOption(values['checkpoint-every'], 'checkpoint-every'),
    seed: values.seed,
  });
}

export function formatRecall(name: string, metrics: RetrievalMetrics | null): string[] {
  if (!metrics) return [`  ${name}: not evaluated`];
  const direction = (label: string, recall: RetrievalMetrics['imageToText']) =>
    `  ${name} ${label}: ${(['1', '5', '10'] as const).map((k) => `R@${k} ${recall.recall[k].toFixed(3)} (chance ${recall.chance[k].toFixed(3)})`).join(', ')}`;
  return [
    `  ${name}: ${metrics.pairs} pairs`,
    direction('image→text', metrics.imageToText),
    direction('text→image', metrics.textToImage),
    ...(metrics.textToImageByFinding ?? []).map(
      (finding) =>
        `    reports of ${finding.finding} (${finding.studies}): R@10 ${finding.recall['10'].toFixed(3)} (chance ${finding.chance['10'].toFixed(3)})`,
    ),
  ];
}

export function formatImageProbe(probes: TrainingRun['imageProbe']): string[] {
  if (!probes || probes.length === 0) return [];
  return [
    '  image-side linear probe (test split, AUROC with 95% interval; chance 0.5):',
    ...probes.map(
      (probe) =>
        `    ${probe.task} (${probe.testStudies === undefined ? `${probe.testImages} test images` : `${probe.testStudies} test studies`}, ${probe.testPositives} positive): ` +
        probe.results
          .map(
            (result) =>
              `${formatPercent(result.labelFraction)} labels ${result.auroc.estimate.toFixed(3)} [${result.auroc.lower.toFixed(3)}, ${result.auroc.upper.toFixed(3)}]`,
          )
          .join(', '),
    ),
  ];
}

export function describeRun(run: TrainingRun): string {
  return [
    `Run ${run.id} (${run.name}): ${run.state}, step ${run.step}/${run.totalSteps ?? '?'} on ${run.backend ?? 'an unknown backend'}`,
    `  data: ${run.dataset.trainingPairs} training, ${run.dataset.validationPairs} validation, ${run.dataset.testPairs} test pairs (split by patient, seed ${run.dataset.seed})`,
    ...formatRecall('validation', run.validation),
    ...formatRecall('test', run.test),
    ...formatImageProbe(run.imageProbe),
    ...(run.modelId ? [`  model: ${run.modelId}`] : []),
    ...(run.error ? [`  error: ${run.error}`] : []),
  ].join('\n');
}

async function followRun(
  core: CoreService,
  started: { run: TrainingRun; job: Job },
  output: Parameters<CliCommand['run']>[0]['output'],
): Promise<number> {
  output.say(`Run ${started.run.id}: ${started.run.name}`);
  const job = await runJobToEnd(core, started.job, output);
  const { run } = await core.handlers['training.run']({ runId: started.run.id });
  const elapsedSeconds =
    job.startedAt && job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000 : null;
  const note =
    job.state === 'cancelled'
      ? `\nCancelled at step ${run.step}; continue with: unisight pretrain --resume ${run.id}`
      : '';
  output.result(
    { state: job.state, jobId: job.id, runId: run.id, elapsedSeconds, run, error: job.error },
    `${describeRun(run)}${note}`,
  );
  if (job.state === 'succeeded') return 0;
  return job.state === 'cancelled' ? 130 : 1;
}

export const pretrainCommand: CliCommand = {
  name: 'pretrain',
  summary: "Pretrain the shared encoder (or the separate baseline) on the library's image–report pairs; resumable.",
  usage: `unisight pretrain [--preset ${encoderPresetNames.join('|')}] [--architecture shared|separate] [--objective contrastive|mr|mr+contrastive] [--word-prediction W] [--image-positions sinusoidal|normal] [--share attention,mlp,layer-norms] [--early-layers N] [--image-stem linear|convolutional|hierarchical] [--parallel-branch N,N] [--text-sampling S,P[,W]|none] [--study-images one|frontal|series|every] [--epochs N] [--training-images N] [--resume RUN] [--library DIR] [--json]`,
  options: {
    ...commonOptions,
    preset: { type: 'string' },
    architecture: { type: 'string' },
    objective: { type: 'string' },
    'word-prediction': { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    'learning-rate': { type: 'string' },
    width: { type: 'string' },
    layers: { type: 'string' },
    'image-size': { type: 'string' },
    'patch-size': { type: 'string' },
    'image-positions': { type: 'string' },
    share: { type: 'string' },
    'early-layers': { type: 'string' },
    'image-stem': { type: 'string' },
    'parallel-branch': { type: 'string' },
    'training-images': { type: 'string' },
    'text-sampling': { type: 'string' },
    'study-images': { type: 'string' },
    'checkpoint-every': { type: 'string' },
    seed: { type: 'string' },
    name: { type: 'string' },
    resume: { type: 'string' },
  },
  optionHelp: {
    preset: 'cpu-fast (a laptop CPU, minutes), balanced, or paper (the published ViT-B/16-like setting, for GPUs)',
    architecture: 'shared: one transformer for both modalities (the paper); separate: the two-stack CLIP baseline',
    objective:
      "contrastive (InfoNCE, the default), mr (UMD's MR-Pretrain: masked image and language modelling, EMA-teacher feature reconstruction, image–text matching) or mr+contrastive",
    'word-prediction':
      "weight of predicting the words each image's report asserts (outside negations) from the image, beside the contrastive loss; 0 turns it off (default: the preset's)",
    epochs: `passes over the training split (default: the preset's, ${describePresetTraining((training) => training.epochs)})`,
    'batch-size': 'image–report pairs per step (also the number of negatives in the contrastive loss)',
    'learning-rate': `peak learning rate after warm-up (default: the preset's, ${describePresetTraining((training) => training.peakLearningRate)})`,
    width: 'model width d',
    layers: 'shared transformer layers L',
    'image-size': 'input image side in pixels',
    'patch-size': 'side of the square image patches that become tokens (divides the image size)',
    'image-positions':
      'how image positional embeddings start: sinusoidal (2-D sine–cosine, the CPU presets) or normal (small random, the paper)',
    share:
      'which parts of each shared block both modalities use (default all three; MS-CLIP: attention,mlp, keeping LayerNorms per modality)',
    'early-layers': 'modality-specific layers before the shared stack (MS-CLIP leaves the first layer unshared: 1)',
    'image-stem':
      'linear (the ViT patch embedding), convolutional (MS-CLIP early convolution: stride-2 3×3 convolutions down to the patch grid) or hierarchical (the hMLP stem: 4×4, then 2×2 convolutions inside each patch, about a linear stem’s cost)',
    'parallel-branch':
      "MS-CLIP's parallel convolutional branch: the image blocks (from 0, early layers counted) it writes into, e.g. 1,2; none for no branch",
    'training-images': 'train on at most this many training-split pairs (validation and test stay whole)',
    'text-sampling':
      'chances a report is read as one sentence, or as a 2–4-word span, instead of whole, and the share of the run that reads every report whole before sampling starts (default 0.3,0.2,0.3; none: whole reports)',
    'study-images': studyImagesHelp,
    'checkpoint-every': 'steps between checkpoints',
    seed: 'seed of the split, initialisation, shuffling and augmentation',
    name: 'a name for the run',
    resume: 'continue a cancelled, failed or interrupted run (its run id or job id) from its last checkpoint',
  },
  run: async ({ values, positionals, output }) => {
    if (positionals.length > 0) throw new CliUsageError('pretrain takes no positional arguments.');
    const resume = values.resume as string | undefined;
    const options = resume === undefined ? optionsFromFlags(values) : null;
    const core = openCoreForCli(values.library as string | undefined);
    try {
      const started = options
        ? await core.handlers['training.start']({ name: values.name as string | undefined, options })
        : await core.handlers['training.resume']({ runId: await runToResume(core, resume!, 'model.pretrain') });
      return await followRun(core, started, output);
    } finally {
      await core.close();
    }
  },
};
