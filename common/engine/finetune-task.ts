// The fine-tuning task as the core and the engine both know it.
import { z } from 'zod';
import { ClassificationEvaluation, FinetuneRequest, TaskSplitSettings } from '../contract/finetune.js';
import type { EngineTaskDefinition } from './engine-task.js';

/** Files of a fine-tuning run's folder: the core writes the dataset, the engine the predictions the core then reads. */
export const finetuneRunFiles = { dataset: 'dataset.json', predictions: 'predictions.bin' } as const;

export const FinetuneTaskParameters = z.strictObject({
  runDirectory: z.string(),
  datasetFile: z.string(),
  modelFile: z.string(),
  /** Finished TD-Calib encoders, by what they were calibrated from (ml/finetune/td-calib-cache.ts). */
  calibrationDirectory: z.string(),
  split: TaskSplitSettings,
  options: FinetuneRequest,
});
export type FinetuneTaskParameters = z.infer<typeof FinetuneTaskParameters>;

/** What the engine reports when a fine-tuning run starts: the run page shows it as the run's description. */
const FinetuneRunDescription = z.object({
  backend: z.string(),
  task: z.string(),
  classes: z.array(z.string()),
  labelSource: z.string(),
  labelledTrainingImages: z.number().int(),
  budgetImages: z.number().int(),
  budgetPositives: z.number().int(),
  budgetByClass: z.array(z.number().int()),
  /** The images the budget drew, with their labels (the first of them), for the run page. */
  budgetExamples: z.array(z.object({ imageId: z.number().int(), label: z.string() })),
  trainingImages: z.number().int(),
  validationImages: z.number().int(),
  testImages: z.number().int(),
  /**
   * The same in studies, the unit labels belong to and results are judged by (absent from runs recorded before studies
   * were the unit: those were judged by image).
   */
  labelledTrainingStudies: z.number().int().optional(),
  budgetStudies: z.number().int().optional(),
  testStudies: z.number().int().optional(),
  /** TD-Calib: not run, reused from an earlier run with the same encoder and images, or computed by this one. */
  calibration: z.enum(['none', 'reused', 'computed']),
  calibrationSteps: z.number().int(),
  methodSteps: z.number().int(),
});
export type FinetuneRunDescription = z.infer<typeof FinetuneRunDescription>;

const step = z.number().int().nonnegative();

/** One message of a fine-tuning run's metrics stream. */
export const FinetuneMetrics = z.discriminatedUnion('kind', [
  FinetuneRunDescription.extend({ kind: z.literal('run'), step }),
  z
    .object({
      kind: z.literal('train'),
      /** Which stage's curve: TD-Calib, the supervised fine-tuning, or the Adaptor's training. */
      stage: z.enum(['td-calib', 'supervised', 'adaptor']),
      step,
      loss: z.number(),
    })
    // The objective's named parts beside the loss (masked image, image–text matching, GM-Coord's coefficients…).
    .loose(),
  z.object({ kind: z.literal('validation'), step, auroc: z.number().nullable(), accuracy: z.number().nullable() }),
  z.object({ kind: z.literal('test'), step, evaluation: ClassificationEvaluation }),
]);
export type FinetuneMetrics = z.infer<typeof FinetuneMetrics>;

export const FinetuneResult = FinetuneRunDescription.extend({
  parameterCount: z.object({ trainable: z.number().int(), frozen: z.number().int() }),
  /** The Adaptor's own size, for that method. */
  adaptorParameters: z.number().int().optional(),
  validation: ClassificationEvaluation,
  test: ClassificationEvaluation,
  predictionsFile: z.string(),
});
export type FinetuneResult = z.infer<typeof FinetuneResult>;

export const finetuneTask = {
  parameters: FinetuneTaskParameters,
  metrics: FinetuneMetrics,
  result: FinetuneResult,
} satisfies EngineTaskDefinition;
