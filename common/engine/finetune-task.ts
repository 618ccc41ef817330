// The fine-tuning task as the core and the engine both know it.
import { z } from 'zod';
import { FinetuneRequest, TaskSplitSettings } from '../contract/finetune.js';

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
