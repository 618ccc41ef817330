import * as tf from '@tensorflow/tfjs';
import { generalMatMulIsFast } from '../../backends/batch-matmul-replacement.js';
import type { Initialiser, ParameterStore } from '../parameter-store.js';

/**
 * x·W with its gradient written out (dX = dY·Wᵀ, dW = Xᵀ·dY): tfjs's wasm kernel (XNNPACK) is fast only for plain 2-D
 * products and its own matMul gradient sets transpose flags that miss it (platform.md), so there the transposes are
 * explicit; our GEMM kernels read transposed operands in place, so with them the flags save the copies.
 */
const matMulWithPlainGradient = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [input, weight, save] = inputs as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([input, weight]);
  return {
    value: tf.matMul(input as tf.Tensor2D, weight as tf.Tensor2D),
    gradFunc: (outputGradient: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const gradient = outputGradient as tf.Tensor2D;
      const [savedInput, savedWeight] = saved as [tf.Tensor2D, tf.Tensor2D];
      if (generalMatMulIsFast())
        return [tf.matMul(gradient, savedWeight, false, true), tf.matMul(savedInput, gradient, true, false)];
      return [tf.matMul(gradient, tf.transpose(savedWeight)), tf.matMul(tf.transpose(savedInput), gradient)];
    },
  };
});

/** x·W (+ b) over the last axis of a tensor of any rank. */
export function applyLinear(input: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const inputWidth = input.shape.at(-1)!;
  const outputWidth = weight.shape[1]!;
  const flat = input.rank === 2 ? input : input.reshape([-1, inputWidth]);
  let output = matMulWithPlainGradient(flat, weight);
  if (bias) output = output.add(bias);
  return input.rank === 2 ? output : output.reshape([...input.shape.slice(0, -1), outputWidth]);
}

export interface LinearParameters {
  weight: tf.Variable;
  bias?: tf.Variable;
}

const weightInitialiser = (inputWidth: number): Initialiser => ({
  kind: 'normal',
  standardDeviation: 1 / Math.sqrt(inputWidth),
});

export function createLinear(
  store: ParameterStore,
  name: string,
  inputWidth: number,
  outputWidth: number,
  options: { bias?: boolean; frozen?: boolean } = {},
): LinearParameters {
  const weight = store.create(`${name}.weight`, [inputWidth, outputWidth], weightInitialiser(inputWidth), {
    frozen: options.frozen,
  });
  const bias =
    options.bias === false
      ? undefined
      : store.create(`${name}.bias`, [outputWidth], { kind: 'zeros' }, { frozen: options.frozen });
  return { weight, bias };
}

export function linear(input: tf.Tensor, parameters: LinearParameters): tf.Tensor {
  return applyLinear(input, parameters.weight, parameters.bias);
}
