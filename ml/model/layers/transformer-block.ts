import * as tf from '@tensorflow/tfjs';
import type { ParameterStore } from '../parameter-store.js';
import { gelu } from './gelu.js';
import { createAttention, selfAttention, type AttentionParameters } from './attention.js';
import { createLayerNorm, layerNorm, type LayerNormParameters } from './layer-norm.js';
import { createLinear, linear, type LinearParameters } from './linear.js';

export interface TransformerBlockParameters {
  attentionNorm: LayerNormParameters;
  attention: AttentionParameters;
  mlpNorm: LayerNormParameters;
  mlpIn: LinearParameters;
  mlpOut: LinearParameters;
}

export type BlockPart = 'layerNorms' | 'attention' | 'mlp';

/** Some parts of a block, under `name`: MS-CLIP builds the shared parts once and the rest once per modality. */
export function createBlockParts(
  store: ParameterStore,
  name: string,
  dimensions: { width: number; heads: number; mlpRatio: number },
  parts: Record<BlockPart, boolean>,
  options: { frozen?: boolean } = {},
): Partial<TransformerBlockParameters> {
  const { width, heads, mlpRatio } = dimensions;
  return {
    ...(parts.layerNorms && {
      attentionNorm: createLayerNorm(store, `${name}.attentionNorm`, width, options),
      mlpNorm: createLayerNorm(store, `${name}.mlpNorm`, width, options),
    }),
    ...(parts.attention && { attention: createAttention(store, `${name}.attention`, width, heads, options) }),
    ...(parts.mlp && {
      mlpIn: createLinear(store, `${name}.mlpIn`, width, width * mlpRatio, options),
      mlpOut: createLinear(store, `${name}.mlpOut`, width * mlpRatio, width, options),
    }),
  };
}

export function createTransformerBlock(
  store: ParameterStore,
  name: string,
  width: number,
  heads: number,
  mlpRatio: number,
  options: { frozen?: boolean } = {},
): TransformerBlockParameters {
  const every = { layerNorms: true, attention: true, mlp: true };
  return createBlockParts(store, name, { width, heads, mlpRatio }, every, options) as TransformerBlockParameters;
}

/** Pre-LN block: x + Attention(LN(x)), then + MLP(LN(·)). */
export function transformerBlock(
  input: tf.Tensor,
  parameters: TransformerBlockParameters,
  keyBias?: tf.Tensor,
): tf.Tensor {
  const attended = input.add(selfAttention(layerNorm(input, parameters.attentionNorm), parameters.attention, keyBias));
  return attended.add(
    linear(gelu(linear(layerNorm(attended, parameters.mlpNorm), parameters.mlpIn)), parameters.mlpOut),
  );
}
