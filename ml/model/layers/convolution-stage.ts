import * as tf from '@tensorflow/tfjs';
import type { ParameterStore } from '../parameter-store.js';
import { convolution, type MapShape, type RowOf, type Window } from './convolution.js';
import { createLayerNorm, layerNorm, type LayerNormParameters } from './layer-norm.js';

/**
 * Convolution, normalisation, ReLU: MS-CLIP's conv-BN-ReLU with a LayerNorm over each position's channels in place of
 * BatchNorm. Batch statistics would make an image's embedding depend on the batch it was encoded in (a search query
 * is encoded alone) and couple the contrastive batch's negatives; per-position normalisation does neither.
 */
export interface ConvolutionStage {
  /** [kernel² · inChannels, outChannels], no bias (the norm's shift is one). */
  weight: tf.Variable;
  norm: LayerNormParameters;
  window: Window;
}

export function createConvolutionStage(
  store: ParameterStore,
  name: string,
  inChannels: number,
  outChannels: number,
  window: Window,
): ConvolutionStage {
  const fanIn = window.kernel * window.kernel * inChannels;
  return {
    // He initialisation: the stage ends in a ReLU.
    weight: store.create(`${name}.weight`, [fanIn, outChannels], {
      kind: 'normal',
      standardDeviation: Math.sqrt(2 / fanIn),
    }),
    norm: createLayerNorm(store, `${name}.norm`, outChannels),
    window,
  };
}

export function applyConvolutionStage(
  source: tf.Tensor2D,
  shape: MapShape,
  stage: ConvolutionStage,
  layout?: { name: string; rowOf: RowOf },
): { output: tf.Tensor2D; shape: MapShape } {
  const convolved = convolution(source, shape, stage.weight as tf.Tensor2D, stage.window, layout);
  return { output: tf.relu(layerNorm(convolved.output, stage.norm)) as tf.Tensor2D, shape: convolved.shape };
}
