import * as tf from '@tensorflow/tfjs';
import type { ParameterStore } from '../parameter-store.js';

export interface LayerNormParameters {
  gain: tf.Variable;
  shift: tf.Variable;
}

export function createLayerNorm(
  store: ParameterStore,
  name: string,
  width: number,
  options: { frozen?: boolean } = {},
): LayerNormParameters {
  return {
    gain: store.create(`${name}.gain`, [width], { kind: 'ones' }, options),
    shift: store.create(`${name}.shift`, [width], { kind: 'zeros' }, options),
  };
}

const epsilon = 1e-5;

/**
 * Normalisation of the last axis with its gradient written out (x̂ = (x − μ)·r, r = 1/√(σ² + ε)):
 *   dx = r · (g·dy − mean(g·dy) − x̂ · mean(g·dy · x̂)),  dg = Σ dy·x̂,  db = Σ dy.
 * Autodiff through tf.moments builds about twice as many kernels, which dominate on wasm (platform.md).
 */
const normaliseLastAxis = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [input, gain, shift, save] = inputs as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
  const [normalised, reciprocalDeviation] = tf.tidy(() => {
    const { mean, variance } = tf.moments(input, -1, true);
    const reciprocal = tf.rsqrt(variance.add(epsilon));
    return [input.sub(mean).mul(reciprocal), reciprocal];
  });
  save([normalised, reciprocalDeviation, gain]);
  return {
    value: normalised.mul(gain).add(shift),
    gradFunc: (outputGradient: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const gradient = outputGradient as tf.Tensor;
        const [savedNormalised, savedReciprocal, savedGain] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const width = gradient.shape.at(-1)!;
        const scaled = gradient.mul(savedGain);
        const inputGradient = savedReciprocal.mul(
          scaled.sub(scaled.mean(-1, true)).sub(savedNormalised.mul(scaled.mul(savedNormalised).mean(-1, true))),
        );
        const gainGradient = gradient.mul(savedNormalised).reshape([-1, width]).sum(0);
        const shiftGradient = gradient.reshape([-1, width]).sum(0);
        return [inputGradient, gainGradient, shiftGradient];
      }),
  };
});

/** Normalises the last axis (ε = 1e-5, as PyTorch's LayerNorm). */
export function layerNorm(input: tf.Tensor, parameters: LayerNormParameters): tf.Tensor {
  return normaliseLastAxis(input, parameters.gain, parameters.shift);
}
