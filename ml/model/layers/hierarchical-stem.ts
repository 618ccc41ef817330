import * as tf from '@tensorflow/tfjs';
import { hierarchicalStemChannels, hierarchicalStemStages } from '../../../common/convolution-shapes.js';
import type { ParameterStore } from '../parameter-store.js';
import { gelu } from './gelu.js';
import { createLayerNorm, layerNorm, type LayerNormParameters } from './layer-norm.js';
import { applyLinear, createLinear, type LinearParameters } from './linear.js';

/**
 * The hMLP stem (Touvron et al. 2022, "Three things everyone should know about Vision Transformers", §4): in place of
 * the linear patch embedding, convolutions that never overlap and never leave their patch — blocks of a quarter of the
 * patch (4 × 4 pixels for 16-px patches), then 2 × 2 of those twice — each a linear map, then (but the last) a
 * LayerNorm and a GELU. It gives the
 * image side nonlinear local features at scales below a patch (a nodule a few pixels across) at about a linear
 * embedding's cost: only matrix products, no gathers, where MS-CLIP's overlapping stem costs 4× a step here. As no
 * stage looks past its patch, patch masking needs no care. The paper's BatchNorm is a LayerNorm, as in the
 * convolution stages (convolution-stage.ts).
 */
export interface HierarchicalStemParameters {
  stages: Array<{ linear: LinearParameters; norm?: LayerNormParameters }>;
  /** Each stage's block side (4, 2, 2 for 16-px patches) from `hierarchicalStemStages`. */
  sides: number[];
  /** Where each pixel of a row-major patch goes so that every stage's blocks are contiguous. */
  order: Int32Array;
}

/**
 * The permutation that makes each stage's blocks contiguous: pixel (y, x) of a patch is keyed by its block at every
 * stage, the largest first, then its place in its first-stage block, row-major (a Morton-like order).
 */
export function hierarchicalPixelOrder(patchSize: number, sides: readonly number[]): Int32Array {
  const extents = sides.map((_, stage) => sides.slice(0, stage + 1).reduce((product, side) => product * side, 1));
  const keyed = Array.from({ length: patchSize * patchSize }, (_, pixel) => {
    const [y, x] = [Math.floor(pixel / patchSize), pixel % patchSize];
    let key = 0;
    for (let stage = sides.length - 1; stage >= 1; stage--) {
      const within = extents[stage - 1]!;
      const by = Math.floor((y % extents[stage]!) / within);
      const bx = Math.floor((x % extents[stage]!) / within);
      key = key * sides[stage]! ** 2 + by * sides[stage]! + bx;
    }
    return { pixel, key: key * sides[0]! ** 2 + (y % sides[0]!) * sides[0]! + (x % sides[0]!) };
  });
  return Int32Array.from(
    keyed.sort((left, right) => left.key - right.key),
    (entry) => entry.pixel,
  );
}

export function createHierarchicalStem(
  store: ParameterStore,
  name: string,
  width: number,
  contentWidth: number,
  patchSize: number,
): HierarchicalStemParameters {
  const sides = hierarchicalStemStages(patchSize);
  if (!sides) throw new Error(`the hMLP stem needs a patch size that is a multiple of 4, not ${patchSize}`);
  const channels = hierarchicalStemChannels(width, contentWidth, patchSize);
  return {
    stages: sides.map((side, stage) => {
      const inputs = side * side * (stage === 0 ? 1 : channels[stage - 1]!);
      const last = stage === sides.length - 1;
      return {
        linear: createLinear(store, `${name}.${stage}`, inputs, channels[stage]!),
        ...(last ? {} : { norm: createLayerNorm(store, `${name}.${stage}.norm`, channels[stage]!) }),
      };
    }),
    sides,
    order: hierarchicalPixelOrder(patchSize, sides),
  };
}

/** Patches [batch, patches, patchSize²], row-major → one content vector a patch, [batch, patches, content]. */
export function applyHierarchicalStem(patches: tf.Tensor3D, stem: HierarchicalStemParameters): tf.Tensor3D {
  const [batch, patchCount] = patches.shape;
  const order = tf.tensor1d(stem.order, 'int32');
  let blocks: tf.Tensor = tf.gather(patches, order, 2);
  order.dispose();
  for (const stage of stem.stages) {
    // Each run of side² blocks of the stage before (their channels side by side) is one block of this stage.
    blocks = applyLinear(blocks.reshape([-1, stage.linear.weight.shape[0]!]), stage.linear.weight, stage.linear.bias);
    if (stage.norm) blocks = gelu(layerNorm(blocks, stage.norm));
  }
  return blocks.reshape([batch, patchCount, -1]) as tf.Tensor3D;
}
