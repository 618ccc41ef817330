import { numericSeed } from '../../common/seeded-random.js';
import { BpeTokenizer } from '../tokenizer/bpe-tokenizer.js';
import { loadModelTensors } from './model-tensors.js';
import { ContrastiveEncoder } from './contrastive-encoder.js';
import { type EncoderConfig } from '../../common/encoder-config.js';
import { ModelFileMetadata } from './model-file.js';
import { readTensorBundle } from './tensor-bundle.js';

export interface LoadedModel {
  encoder: ContrastiveEncoder;
  tokenizer: BpeTokenizer;
  metadata: ModelFileMetadata;
}

/** A model export as a ready encoder and its tokenizer; `overrides` change what training may touch (frozen layers). */
export function loadModelFile(
  file: string,
  overrides: Partial<Pick<EncoderConfig, 'frozenSharedLayers'>> = {},
): LoadedModel {
  const bundle = readTensorBundle(file);
  const metadata = ModelFileMetadata.parse(bundle.metadata);
  const encoder = new ContrastiveEncoder({ ...metadata.config, ...overrides }, numericSeed(file));
  loadModelTensors(encoder, bundle, file);
  return { encoder, tokenizer: new BpeTokenizer(metadata.tokenizer), metadata };
}
