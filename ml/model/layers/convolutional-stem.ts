import * as tf from '@tensorflow/tfjs';
import { stemChannels } from '../../../common/convolution-shapes.js';
import type { ParameterStore } from '../parameter-store.js';
import { patchMajor } from './convolution.js';
import { applyConvolutionStage, createConvolutionStage, type ConvolutionStage } from './convolution-stage.js';
import { applyLinear } from './linear.js';

/**
 * MS-CLIP's early convolution (EARLY_CONV, after Xiao et al. 2021): in place of the linear patch embedding, stride-2
 * 3 × 3 convolutions halve the image until one position is one patch, the channels doubling up to the width
 * (width/16 … width for ViT-B/32's five stages), then a 1 × 1 convolution to the content width. Convolutional stems
 * are the known remedy for ViTs that learn slowly on little data.
 */
export interface ConvolutionalStemParameters {
  stages: ConvolutionStage[];
  /** The closing 1 × 1 convolution, [width, contentWidth], no bias (positions are added next). */
  projection: tf.Variable;
}

export function createConvolutionalStem(
  store: ParameterStore,
  name: string,
  width: number,
  contentWidth: number,
  patchSize: number,
): ConvolutionalStemParameters {
  const channels = stemChannels(width, patchSize);
  return {
    stages: channels.map((outChannels, stage) =>
      createConvolutionStage(store, `${name}.${stage}`, stage === 0 ? 1 : channels[stage - 1]!, outChannels, {
        kernel: 3,
        stride: 2,
        padding: 1,
      }),
    ),
    projection: store.create(`${name}.projection`, [width, contentWidth], {
      kind: 'normal',
      standardDeviation: 1 / Math.sqrt(width),
    }),
  };
}

/** Patches [batch, patches, patchSize²] → one content vector a patch, [batch, patches, content]. */
export function applyConvolutionalStem(
  patches: tf.Tensor3D,
  stem: ConvolutionalStemParameters,
  imageSize: number,
  patchSize: number,
): tf.Tensor3D {
  const [batch, patchCount] = patches.shape;
  let map = patches.reshape([-1, 1]) as tf.Tensor2D;
  let shape = { batch, height: imageSize, width: imageSize };
  stem.stages.forEach((stage, index) => {
    const layout = index === 0 ? { name: `patches-${patchSize}`, rowOf: patchMajor(imageSize, patchSize) } : undefined;
    ({ output: map, shape } = applyConvolutionStage(map, shape, stage, layout));
  });
  return applyLinear(map, stem.projection).reshape([batch, patchCount, -1]) as tf.Tensor3D;
}
