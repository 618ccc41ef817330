import * as tf from '@tensorflow/tfjs';
import type { ParameterStore } from '../parameter-store.js';
import { createLinear, linear, type LinearParameters } from './linear.js';

export interface AttentionParameters {
  query: LinearParameters;
  key: LinearParameters;
  value: LinearParameters;
  output: LinearParameters;
  heads: number;
}

export function createAttention(store: ParameterStore, name: string, width: number, heads: number, options: { frozen?: boolean } = {}): AttentionParameters {
  return {
    query: createLinear(store, `${name}.query`, width, width, options),
    key: createLinear(store, `${name}.key`, width, width, options),
    value: createLinear(store, `${name}.value`, width, width, options),
    output: createLinear(store, `${name}.output`, width, width, options),
    heads,
  };
}

/** [batch, tokens, width] → [batch, heads, tokens, width / heads] (a rank-4 transpose: rank 5 is slow on wasm). */
function splitHeads(input: tf.Tensor, heads: number): tf.Tensor4D {
  const [batch, tokens, width] = input.shape as [number, number, number];
  return input.reshape([batch, tokens, heads, width / heads]).transpose([0, 2, 1, 3]);
}

/**
 * Multi-head self-attention. `keyBias` ([batch, 1, 1, tokens], 0 or a large negative number) keeps padding out of
 * every query's softmax.
 */
export function selfAttention(input: tf.Tensor, parameters: AttentionParameters, keyBias?: tf.Tensor): tf.Tensor {
  const [batch, tokens, width] = input.shape as [number, number, number];
  const headWidth = width / parameters.heads;
  const query = splitHeads(linear(input, parameters.query), parameters.heads).mul(1 / Math.sqrt(headWidth));
  const key = splitHeads(linear(input, parameters.key), parameters.heads);
  const value = splitHeads(linear(input, parameters.value), parameters.heads);
  let scores = tf.matMul(query, key, false, true);
  if (keyBias) scores = scores.add(keyBias);
  const mixed = tf.matMul(tf.softmax(scores), value).transpose([0, 2, 1, 3]).reshape([batch, tokens, width]);
  return linear(mixed, parameters.output);
}
