// The pretraining task as the core and the engine both know it.
import { z } from 'zod';
import { ImageProbeResult, RetrievalMetrics } from '../contract/evaluation.js';
import { PretrainOptions } from '../contract/training.js';
import { EncoderConfig } from '../encoder-config.js';
import type { EngineTaskDefinition } from './engine-task.js';

/**
 * Files of a pretraining run, all inside its folder so a run can be resumed, inspected or deleted as one: the core
 * writes the dataset, the engine the rest.
 */
export const pretrainRunFiles = {
  dataset: 'dataset.json',
  tokenizer: 'tokenizer.json',
  checkpoint: 'checkpoint.bin',
  model: 'model.unisight',
  embeddings: 'embeddings.bin',
} as const;

/** What the core hands the engine: the resolved options and where the run keeps its files. */
export const PretrainTaskParameters = z.strictObject({
  runDirectory: z.string(),
  datasetFile: z.string(),
  encoder: EncoderConfig,
  options: PretrainOptions,
});
export type PretrainTaskParameters = z.infer<typeof PretrainTaskParameters>;

/** What the engine reports when a run starts (or resumes), and again in its result. */
const PretrainRunDescription = z.object({
  backend: z.string(),
  parameterCount: z.number().int(),
  trainablePairs: z.number().int(),
  validationPairs: z.number().int(),
  testPairs: z.number().int(),
  stepsPerEpoch: z.number().int(),
  totalSteps: z.number().int(),
  vocabularySize: z.number().int(),
  tokenizerFingerprint: z.string(),
  /** Words the image side learns to predict, where word prediction is on. */
  predictedWords: z.number().int().optional(),
});

const step = z.number().int().nonnegative();

/** One message of a pretraining run's metrics stream. */
export const PretrainMetrics = z.discriminatedUnion('kind', [
  PretrainRunDescription.extend({ kind: z.literal('run'), step, config: EncoderConfig }),
  z
    .object({
      kind: z.literal('train'),
      step,
      epoch: z.number(),
      /** Mean over the steps since the last message. */
      loss: z.number(),
      learningRate: z.number(),
      temperature: z.number(),
      samplesPerSecond: z.number(),
      etaSeconds: z.number(),
      tensorCount: z.number().int(),
    })
    // The objective's named parts beside the loss (masked image, image–text matching, GM-Coord's coefficients…).
    .loose(),
  z.object({ kind: z.literal('validation'), step, epoch: z.number(), retrieval: RetrievalMetrics }),
  z.object({ kind: z.literal('test'), step, retrieval: RetrievalMetrics }),
  z.object({ kind: z.literal('image-probe'), step, imageProbe: z.array(ImageProbeResult) }),
]);
export type PretrainMetrics = z.infer<typeof PretrainMetrics>;

export const PretrainResult = PretrainRunDescription.extend({
  step,
  validation: RetrievalMetrics,
  test: RetrievalMetrics,
  imageProbe: z.array(ImageProbeResult),
  modelFile: z.string(),
  embeddingsFile: z.string(),
  embeddedImages: z.number().int(),
  embeddedReports: z.number().int(),
  config: EncoderConfig,
});
export type PretrainResult = z.infer<typeof PretrainResult>;

export const pretrainTask = {
  parameters: PretrainTaskParameters,
  metrics: PretrainMetrics,
  result: PretrainResult,
} satisfies EngineTaskDefinition;
