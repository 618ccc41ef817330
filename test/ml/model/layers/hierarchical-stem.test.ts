import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { hierarchicalStemStages } from '../../../../common/convolution-shapes.js';
import {
  applyHierarchicalStem,
  createHierarchicalStem,
  hierarchicalPixelOrder,
} from '../../../../ml/model/layers/hierarchical-stem.js';
import { gelu } from '../../../../ml/model/layers/gelu.js';
import { layerNorm } from '../../../../ml/model/layers/layer-norm.js';
import { ParameterStore } from '../../../../ml/model/parameter-store.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the hMLP stem', () => {
  it('has three stages, a quarter of the patch and then halves, for patch sizes that are multiples of 4', () => {
    expect(hierarchicalStemStages(16)).toEqual([4, 2, 2]);
    expect(hierarchicalStemStages(32)).toEqual([8, 2, 2]);
    expect(hierarchicalStemStages(8)).toEqual([2, 2, 2]);
    expect(hierarchicalStemStages(12)).toEqual([3, 2, 2]);
    expect(hierarchicalStemStages(10)).toBeNull();
  });

  it('orders a patch’s pixels so that every stage’s blocks are contiguous', () => {
    // 8-px patch, blocks of 2 × 2, then 4 × 4, then the patch: the first block is the top-left 2 × 2, row-major.
    const order = Array.from(hierarchicalPixelOrder(8, [2, 2, 2]));
    expect(order.slice(0, 4)).toEqual([0, 1, 8, 9]);
    expect(order.slice(4, 16)).toEqual([2, 3, 10, 11, 16, 17, 24, 25, 18, 19, 26, 27]);
    expect(order.slice(16, 20)).toEqual([4, 5, 12, 13]);
    expect(new Set(order).size).toBe(64);
  });

  it('equals non-overlapping tf.conv2d stages over the assembled image, with norm and GELU between', () => {
    const [patchSize, imageSize, width, content] = [8, 16, 32, 12];
    const store = new ParameterStore(5);
    const stem = createHierarchicalStem(store, 'stem', width, content, patchSize);
    for (const [, variable] of store.variables)
      variable.assign(variable.add(tf.randomNormal(variable.shape, 0, 0.3, 'float32', 9)));
    const grid = imageSize / patchSize;
    const image = tf.randomUniform([2, imageSize, imageSize, 1], -1, 1, 'float32', 4) as tf.Tensor4D;
    // Row-major patches, patch by patch in row order, as the batches make them.
    const patches = image
      .reshape([2, grid, patchSize, grid, patchSize])
      .transpose([0, 1, 3, 2, 4])
      .reshape([2, grid * grid, patchSize * patchSize]) as tf.Tensor3D;
    const ours = applyHierarchicalStem(patches, stem);
    let map: tf.Tensor4D = image;
    stem.stages.forEach((stage, index) => {
      const side = stem.sides[index]!;
      const inChannels = map.shape[3];
      const filter = stage.linear.weight.reshape([side, side, inChannels, -1]) as tf.Tensor4D;
      map = tf.conv2d(map, filter, side, 'valid').add(stage.linear.bias!) as tf.Tensor4D;
      if (stage.norm) map = gelu(layerNorm(map, stage.norm)) as tf.Tensor4D;
    });
    const reference = map.reshape([2, grid * grid, content]);
    expect(ours.shape).toEqual([2, grid * grid, content]);
    const largest = tf.max(tf.abs(ours.sub(reference))).dataSync()[0]!;
    expect(largest).toBeLessThan(1e-4);
    tf.dispose([image, patches, ours, map, reference]);
    store.dispose();
  });
});
