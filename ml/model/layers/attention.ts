import * as tf from '@tensorflow/tfjs';
import { generalMatMulIsFast } from '../../backends/batch-matmul-replacement.js';
import type { ParameterStore } from '../parameter-store.js';
import { createLinear, linear, type LinearParameters } from './linear.js';

export interface AttentionParameters {
  query: LinearParameters;
  key: LinearParameters;
  value: LinearParameters;
  output: LinearParameters;
  heads: number;
}

export function createAttention(
  store: ParameterStore,
  name: string,
  width: number,
  heads: number,
  options: { frozen?: boolean } = {},
): AttentionParameters {
  return {
    query: createLinear(store, `${name}.query`, width, width, options),
    key: createLinear(store, `${name}.key`, width, width, options),
    value: createLinear(store, `${name}.value`, width, width, options),
    output: createLinear(store, `${name}.output`, width, width, options),
    heads,
  };
}

/** [batch, tokens, width] → [batch · heads, tokens, width / heads] (rank-4 transpose: rank 5 is slow on wasm). */
function splitHeads(input: tf.Tensor, heads: number): tf.Tensor3D {
  const [batch, tokens, width] = input.shape as [number, number, number];
  return input
    .reshape([batch, tokens, heads, width / heads])
    .transpose([0, 2, 1, 3])
    .reshape([batch * heads, tokens, width / heads]);
}

function swapLastAxes(input: tf.Tensor3D): tf.Tensor3D {
  return tf.transpose(input, [0, 2, 1]);
}

/**
 * op(left[i]) · op(right[i]) for every i: one batched matMul with transpose flags where a GEMM kernel of ours reads
 * them in place, else separate plain 2-D products on explicitly transposed slices (tfjs's wasm kernel runs batched or
 * transposed products in a scalar loop, 10-40× slower than its GEMM; platform.md).
 */
function productsPerSlice(
  left: tf.Tensor3D,
  right: tf.Tensor3D,
  transposeLeft = false,
  transposeRight = false,
): tf.Tensor3D {
  if (generalMatMulIsFast()) return tf.matMul(left, right, transposeLeft, transposeRight);
  const lefts = tf.unstack(transposeLeft ? swapLastAxes(left) : left);
  const rights = tf.unstack(transposeRight ? swapLastAxes(right) : right);
  return tf.stack(
    lefts.map((slice, index) => tf.matMul(slice as tf.Tensor2D, rights[index] as tf.Tensor2D)),
  ) as tf.Tensor3D;
}

/**
 * softmax(Q·Kᵀ + bias)·V per (batch, head) with the backward pass written out:
 *   dV = Pᵀ·dO,  dP = dO·Vᵀ,  dS = P ⊙ (dP − rowsum(dP ⊙ P)),  dQ = dS·K,  dK = dSᵀ·Q.
 * Every product goes through productsPerSlice, which picks the formulation the backend's matMul kernel runs fast.
 * `bias` ([batch · heads, 1, tokens]) is a constant (padding mask) and gets no gradient.
 */
function attentionCore(
  query: tf.Tensor3D,
  key: tf.Tensor3D,
  value: tf.Tensor3D,
  bias: tf.Tensor3D | undefined,
): tf.Tensor3D {
  const core = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [queries, keys, values, save] = inputs as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
    const [mixed, probabilities] = tf.tidy(() => {
      const scores = productsPerSlice(queries, keys, false, true);
      const weights = tf.softmax(bias ? scores.add(bias) : scores) as tf.Tensor3D;
      return [productsPerSlice(weights, values), weights];
    });
    save([queries, keys, values, probabilities]);
    return {
      value: mixed,
      gradFunc: (outputGradient: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const gradient = outputGradient as tf.Tensor3D;
          const [savedQueries, savedKeys, savedValues, savedWeights] = saved as tf.Tensor3D[];
          const valueGradient = productsPerSlice(savedWeights!, gradient, true, false);
          const weightGradient = productsPerSlice(gradient, savedValues!, false, true);
          const scoreGradient = savedWeights!.mul(
            weightGradient.sub(weightGradient.mul(savedWeights!).sum(-1, true)),
          ) as tf.Tensor3D;
          const queryGradient = productsPerSlice(scoreGradient, savedKeys!);
          const keyGradient = productsPerSlice(scoreGradient, savedQueries!, true, false);
          return [queryGradient, keyGradient, valueGradient];
        }),
    };
  });
  return core(query, key, value) as tf.Tensor3D;
}

/**
 * Multi-head self-attention. `keyBias` ([batch, 1, 1, tokens], 0 or a large negative number) keeps padding out of
 * every query's softmax.
 */
export function selfAttention(input: tf.Tensor, parameters: AttentionParameters, keyBias?: tf.Tensor): tf.Tensor {
  const [batch, tokens, width] = input.shape as [number, number, number];
  const heads = parameters.heads;
  const headWidth = width / heads;
  const query = splitHeads(linear(input, parameters.query), heads).mul(1 / Math.sqrt(headWidth)) as tf.Tensor3D;
  const key = splitHeads(linear(input, parameters.key), heads);
  const value = splitHeads(linear(input, parameters.value), heads);
  const bias = keyBias
    ? (tf.tile(keyBias, [1, heads, 1, 1]).reshape([batch * heads, 1, tokens]) as tf.Tensor3D)
    : undefined;
  const mixed = attentionCore(query, key, value, bias);
  return linear(
    mixed.reshape([batch, heads, tokens, headWidth]).transpose([0, 2, 1, 3]).reshape([batch, tokens, width]),
    parameters.output,
  );
}
