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
  /**
   * The words the image side learned to predict (word prediction, ml/objectives/report-words.ts), in the order of the
   * columns of the `reportWordTensors`; absent where the model was trained without it. Search reads them as evidence.
   */
  reportWords: z.array(z.string()).optional(),
});
export type ModelFileMetadata = z.infer<typeof ModelFileMetadata>;

/** Where a model file keeps its word head: the image embedding times `weight` plus `bias` is each word's logit. */
export const reportWordTensors = { weight: 'words.weight', bias: 'words.bias' } as const;
