// The pretraining task as the core and the engine both know it.
import { z } from 'zod';
import { PretrainOptions } from '../contract/training.js';
import { EncoderConfig } from '../encoder-config.js';

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
