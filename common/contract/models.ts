// Models: trained and imported encoders, their files and metrics.
import { z } from 'zod';
import { AbsolutePath, NoInput } from './inputs.js';
import { Job } from './jobs.js';
import { DatasetSplitSummary, ImageProbeResult, RetrievalMetrics } from './evaluation.js';
import { EncoderConfig } from '../encoder-config.js';

export const ModelRecord = z.object({
  id: z.string(),
  name: z.string(),
  origin: z.enum(['trained', 'imported']),
  runId: z.string().nullable(),
  architecture: z.enum(['shared', 'separate']),
  config: EncoderConfig,
  tokenizerFingerprint: z.string(),
  split: DatasetSplitSummary,
  metrics: z.object({
    validation: RetrievalMetrics.nullable(),
    test: RetrievalMetrics.nullable(),
    imageProbe: z.array(ImageProbeResult).nullable(),
  }),
  weightsFile: z.string(),
  weightsBytes: z.number().int(),
  embeddingsFile: z.string().nullable(),
  embeddedImages: z.number().int(),
  embeddedReports: z.number().int(),
  createdAt: z.string(),
});
export type ModelRecord = z.infer<typeof ModelRecord>;

export const modelApiMethods = {
  'models.list': {
    input: NoInput,
    output: z.array(ModelRecord),
    summary: 'Trained and imported models, newest first.',
  },
  'models.export': {
    input: z.strictObject({
      modelId: z.string().min(1).max(100),
      file: AbsolutePath,
      /** Replace a file already there (never one inside the library). */
      overwrite: z.boolean().default(false),
    }),
    output: z.object({ file: z.string(), bytes: z.number().int() }),
    summary:
      'Write a model (config, tokenizer, metrics and weights) to one file outside the library; an existing file only with overwrite.',
  },
  'models.importCheckpoint': {
    input: z.strictObject({ file: AbsolutePath, name: z.string().min(1).max(200).optional() }),
    output: z.object({ model: ModelRecord, job: Job }),
    summary:
      "Add a model trained by the scale-out trainer (its model.unisight-tensors); the job that follows embeds the library and judges the model on this library's test split.",
  },
  'models.import': {
    input: z.strictObject({ file: AbsolutePath, name: z.string().min(1).max(200).optional() }),
    output: ModelRecord,
    summary: 'Add a model exported by Unisight to this library.',
  },
} as const;
