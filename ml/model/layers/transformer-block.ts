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

export function createTransformerBlock(
  store: ParameterStore,
  name: string,
  width: number,
  heads: number,
  mlpRatio: number,
  options: { frozen?: boolean } = {},
): TransformerBlockParameters {
  return {
    attentionNorm: createLayerNorm(store, `${name}.attentionNorm`, width, options),
    attention: createAttention(store, `${name}.attention`, width, heads, options),
    mlpNorm: createLayerNorm(store, `${name}.mlpNorm`, width, options),
    mlpIn: createLinear(store, `${name}.mlpIn`, width, width * mlpRatio, options),
    mlpOut: createLinear(store, `${name}.mlpOut`, width * mlpRatio, width, options),
  };
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
