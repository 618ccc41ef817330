import * as tf from '@tensorflow/tfjs';
import type { ParameterStore } from '../parameter-store.js';

export interface LayerNormParameters {
  gain: tf.Variable;
  shift: tf.Variable;
}

export function createLayerNorm(store: ParameterStore, name: string, width: number, options: { frozen?: boolean } = {}): LayerNormParameters {
  return {
    gain: store.create(`${name}.gain`, [width], { kind: 'ones' }, options),
    shift: store.create(`${name}.shift`, [width], { kind: 'zeros' }, options),
  };
}

/** Normalises the last axis (ε = 1e-5, as PyTorch's LayerNorm). */
export function layerNorm(input: tf.Tensor, parameters: LayerNormParameters): tf.Tensor {
  const { mean, variance } = tf.moments(input, -1, true);
  return input.sub(mean).mul(tf.rsqrt(variance.add(1e-5))).mul(parameters.gain).add(parameters.shift);
}
