// Pretraining: presets, what a run is asked for and records, its metrics.
import { z } from 'zod';
import { AbsolutePath, NoInput, RunReference } from './inputs.js';
import { Job } from './jobs.js';
import { AugmentationSettings, defaultAugmentation } from './augmentation-settings.js';
import { defaultTextSampling, noTextSampling, TextSamplingSettings } from './text-sampling-settings.js';
import { DatasetSplitSummary, ImageProbeResult, RetrievalMetrics } from './evaluation.js';
import {
  EncoderConfig,
  encoderPresets,
  imageStems,
  ImagePositionInitialisation,
  ModalityIdentifier,
  SharedBlockParts,
  presetTraining,
} from '../encoder-config.js';

export const studyImagePolicies = ['one', 'frontal', 'series', 'every'] as const;
export const StudyImages = z.enum(studyImagePolicies);
export type StudyImages = z.infer<typeof StudyImages>;

/** What pretraining optimises. */
export const pretrainingObjectives = ['contrastive', 'mr', 'mr+contrastive'] as const;

export const encoderPresetNames = Object.keys(encoderPresets) as Array<keyof typeof encoderPresets>;

/** Model settings a user may change on top of a preset; every other field comes from the preset. */
export const EncoderOverrides = z.strictObject({
  architecture: z.enum(['shared', 'separate']).optional(),
  width: z.number().int().min(16).max(2048).optional(),
  heads: z.number().int().min(1).max(32).optional(),
  sharedLayers: z.number().int().min(1).max(48).optional(),
  earlyLayers: z.number().int().min(0).max(12).optional(),
  lateLayers: z.number().int().min(0).max(12).optional(),
  frozenSharedLayers: z.number().int().min(0).max(48).optional(),
  modalityIdentifier: ModalityIdentifier.optional(),
  imageSize: z.number().int().min(32).max(512).optional(),
  imagePositionInitialisation: ImagePositionInitialisation.optional(),
  sharedBlockParts: SharedBlockParts.optional(),
  imageStem: z.enum(imageStems).optional(),
  parallelBranchLayers: z.array(z.number().int().min(0).max(60)).max(12).optional(),
  patchSize: z.number().int().min(4).max(64).optional(),
  vocabularySize: z.number().int().min(64).max(65_536).optional(),
  maximumTextTokens: z.number().int().min(8).max(512).optional(),
  embeddingSize: z.number().int().min(16).max(2048).optional(),
});
export type EncoderOverrides = z.infer<typeof EncoderOverrides>;

const epochs = z.number().int().min(1).max(1000);
const wordPredictionWeight = z.number().min(0).max(10);
const peakLearningRate = z.number().positive().max(1);

/** What a caller asks for. Epochs and peak learning rate left out come from the preset (`presetTraining`). */
export const PretrainRequest = z.strictObject({
  preset: z
    .enum(encoderPresetNames as [keyof typeof encoderPresets, ...Array<keyof typeof encoderPresets>])
    .default('cpu-fast'),
  encoder: EncoderOverrides.default({}),
  /**
   * `contrastive`: symmetric InfoNCE (the shared-encoder paper); `mr`: UMD's MR-Pretrain (masked image and language
   * modelling, feature-level reconstruction against an EMA teacher, image–text matching); `mr+contrastive`: both.
   */
  objective: z.enum(pretrainingObjectives).default('contrastive'),
  /**
   * Weight of word prediction beside the contrastive loss: the image embedding also predicts which words its report
   * asserts (outside negations; ml/data/report-word-targets.ts). 0 turns it off; left out, the preset's.
   */
  wordPredictionWeight: wordPredictionWeight.optional(),
  epochs: epochs.optional(),
  batchSize: z.number().int().min(2).max(1024).default(32),
  peakLearningRate: peakLearningRate.optional(),
  /** Of all steps; the rest follow a cosine down to zero. */
  warmupFraction: z.number().min(0).max(0.5).default(0.1),
  weightDecay: z.number().min(0).max(1).default(0.1),
  gradientClipNorm: z.number().positive().default(1),
  validationFraction: z.number().min(0.02).max(0.4).default(0.1),
  testFraction: z.number().min(0.02).max(0.4).default(0.1),
  /**
   * Train on at most this many training-split images (the validation and test splits stay whole): for data-size
   * studies.
   */
  trainingImagesLimit: z.number().int().min(2).optional(),
  /**
   * How a study's images become training pairs with its one report. `one`: each epoch one of its images, drawn anew, so
   * a 300-slice CT counts as one study and a batch never holds two images of one study; `frontal`: the same, drawn from
   * its frontal views (PA/AP) where it has any; `series`: the same, drawn from one of its series chosen with equal
   * chance (a scout image weighs as much as the axial volume); `every`: each image its own pair (runs recorded before
   * studies were the unit train so).
   */
  studyImages: StudyImages.default('one'),
  augmentation: AugmentationSettings.default(defaultAugmentation),
  /** Reports read as sampled sentences and short spans as well as whole (defaultTextSampling when left out). */
  textSampling: TextSamplingSettings.optional(),
  checkpointEverySteps: z.number().int().min(1).default(50),
  metricsEverySteps: z.number().int().min(1).default(5),
  seed: z.string().min(1).max(100).default('unisight'),
});
export type PretrainRequest = z.infer<typeof PretrainRequest>;

/** A request with everything decided: what a run records and the engine trains with. */
export const PretrainOptions = PretrainRequest.extend({
  epochs,
  peakLearningRate,
  // Runs recorded before text sampling read whole reports, and resume that way; likewise every image was a pair.
  textSampling: TextSamplingSettings.default(noTextSampling),
  studyImages: StudyImages.default('every'),
  wordPredictionWeight: wordPredictionWeight.default(0),
});
export type PretrainOptions = z.infer<typeof PretrainOptions>;

export function resolvePretrainOptions(request: PretrainRequest): PretrainOptions {
  const preset = presetTraining[request.preset];
  return PretrainOptions.parse({
    ...request,
    epochs: request.epochs ?? preset.epochs,
    peakLearningRate: request.peakLearningRate ?? preset.peakLearningRate,
    wordPredictionWeight:
      request.wordPredictionWeight ?? (request.objective === 'contrastive' ? preset.wordPredictionWeight : 0),
    textSampling: request.textSampling ?? defaultTextSampling,
    studyImages: request.studyImages,
  });
}

export const trainingRunStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export const TrainingRunState = z.enum(trainingRunStates);
export type TrainingRunState = z.infer<typeof TrainingRunState>;

export const TrainingRun = z.object({
  id: z.string(),
  kind: z.literal('pretrain'),
  name: z.string(),
  state: TrainingRunState,
  lastJobId: z.string().nullable(),
  options: PretrainOptions,
  encoder: EncoderConfig,
  dataset: DatasetSplitSummary,
  backend: z.string().nullable(),
  step: z.number().int(),
  totalSteps: z.number().int().nullable(),
  parameterCount: z.number().int().nullable(),
  validation: RetrievalMetrics.nullable(),
  test: RetrievalMetrics.nullable(),
  /** The image-side linear probe per labelled task once a run succeeds; null before, or without labels. */
  imageProbe: z.array(ImageProbeResult).nullable(),
  modelId: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type TrainingRun = z.infer<typeof TrainingRun>;

export const TrainingMetric = z.object({
  runId: z.string(),
  kind: z.enum(['train', 'validation', 'test', 'image-probe']),
  step: z.number().int(),
  values: z.record(z.string(), z.unknown()),
});
export type TrainingMetric = z.infer<typeof TrainingMetric>;

/** What a training bundle for a cluster holds, shown before it is written: report text leaves the machine with it. */
export const TrainingBundleManifest = z.object({
  pairs: z.object({ train: z.number().int(), validation: z.number().int(), test: z.number().int() }),
  patients: z.number().int(),
  /** Each kind of data that leaves with the bundle, in words. */
  leavesTheMachine: z.array(z.string()),
});
export type TrainingBundleManifest = z.infer<typeof TrainingBundleManifest>;

export const EncoderPreset = z.object({
  name: z.enum(encoderPresetNames as [keyof typeof encoderPresets, ...Array<keyof typeof encoderPresets>]),
  summary: z.string(),
  /** The published setting rather than a CPU scale-down. */
  paperSetting: z.boolean(),
  encoder: EncoderConfig,
  /** Epochs and peak learning rate a run of this preset uses unless told otherwise. */
  training: z.object({ epochs, peakLearningRate }),
  parameterCount: z.number().int(),
});
export type EncoderPreset = z.infer<typeof EncoderPreset>;

/** A request the engine can run as asked: word prediction is added to the contrastive objective only. */
const RunnablePretrainRequest = PretrainRequest.refine(
  (request) => request.objective === 'contrastive' || !request.wordPredictionWeight,
  {
    message: 'Word prediction is added to the contrastive objective only: set its weight to 0 with the mr objectives.',
    path: ['wordPredictionWeight'],
  },
);

export const trainingApiMethods = {
  'training.presets': {
    input: NoInput,
    output: z.object({ presets: z.array(EncoderPreset), defaults: PretrainRequest }),
    summary: 'The encoder presets (cpu-fast, balanced, paper) and the default training options.',
  },
  'training.start': {
    input: z.strictObject({
      name: z.string().min(1).max(200).optional(),
      options: RunnablePretrainRequest.default(PretrainRequest.parse({})),
    }),
    output: z.object({ run: TrainingRun, job: Job }),
    summary: "Start pretraining an encoder on the library's image–report pairs (a resumable job).",
  },
  'training.resume': {
    input: RunReference,
    output: z.object({ run: TrainingRun, job: Job }),
    summary: 'Continue a cancelled, failed or interrupted run from its last checkpoint.',
  },
  'training.exportBundle': {
    input: z.strictObject({
      folder: AbsolutePath,
      options: RunnablePretrainRequest.default(PretrainRequest.parse({})),
      /** Continue from this model's weights and tokenizer (its configuration wins over the preset's). */
      modelId: z.string().min(1).max(100).optional(),
      /** Only say what the bundle would hold. */
      dryRun: z.boolean().default(false),
    }),
    /** The job writing the bundle (null for a dry run); its result lists the files written. */
    output: z.object({ manifest: TrainingBundleManifest, job: Job.nullable() }),
    summary:
      "Write the library's pretraining data (tar shards by the desktop's patient split), the encoder and tokenizer, and the PyTorch trainer to a folder, for torchrun on a cluster (a job; a cancelled one leaves the folder empty).",
  },
  'training.runs': {
    input: z.strictObject({ limit: z.number().int().min(1).max(1000).default(100) }),
    output: z.array(TrainingRun),
    summary: 'Training runs, newest first, with their settings and final metrics.',
  },
  'training.run': {
    input: RunReference,
    output: z.object({ run: TrainingRun, metrics: z.array(TrainingMetric) }),
    summary: 'One run with its whole metric history (training curves, validation and test recall).',
  },
} as const;
