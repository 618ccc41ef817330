import { z } from 'zod';
import { DatasetSplitSummary } from '../../common/contract/evaluation.js';
import { TokenizerData } from '../tokenizer/bpe-tokenizer.js';
import { EncoderConfig } from '../../common/encoder-config.js';

/** The header of an exported model: everything needed to rebuild it and to judge it, beside its weights. */
export const ModelFileMetadata = z.object({
  format: z.literal('unisight-model'),
  formatVersion: z.literal(1),
  config: EncoderConfig,
  tokenizer: TokenizerData,
  options: z.record(z.string(), z.unknown()),
  split: DatasetSplitSummary,
  metrics: z.object({ validation: z.unknown(), test: z.unknown(), imageProbe: z.unknown().optional() }),
  parameterCount: z.number().int().positive(),
});
export type ModelFileMetadata = z.infer<typeof ModelFileMetadata>;
