import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { convolution, depthwiseConvolution, patchMajor } from '../../../../ml/model/layers/convolution.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

const maxDifference = (left: tf.Tensor, right: tf.Tensor) => tf.tidy(() => left.sub(right).abs().max().dataSync()[0]!);

/** [kh, kw, in, out] (tf.conv2d's filter) as the [kh · kw · in, out] matrix our convolution takes: the same order. */
const asMatrix = (filter: tf.Tensor4D) => filter.reshape([-1, filter.shape[3]]) as tf.Tensor2D;

describe('convolution as a gather and a matrix product', () => {
  it.each(['cpu', 'wasm'])(
    'equals tf.conv2d and its autodiff gradients (3 × 3, stride 2, padding 1) on %s, leaving nothing behind',
    async (backend) => {
      await tf.setBackend(backend);
      const input = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const filter = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
      const weights = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 3);
      const before = tf.memory().numTensors;
      const ours = (x: tf.Tensor, w: tf.Tensor) =>
        convolution(x.reshape([-1, 3]) as tf.Tensor2D, { batch: 2, height: 6, width: 6 }, asMatrix(w as tf.Tensor4D), {
          kernel: 3,
          stride: 2,
          padding: 1,
        }).output.reshape([2, 3, 3, 4]);
      // The reference gradients are taken on the cpu backend: wasm has no filter gradient for tf.conv2d.
      await tf.setBackend('cpu');
      const reference = tf.tidy(() => {
        const [x, w] = [tf.tensor(input.arraySync()), tf.tensor(filter.arraySync())] as [tf.Tensor4D, tf.Tensor4D];
        const value = tf.conv2d(x, w, 2, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]);
        const gradients = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf
            .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, [
              [0, 0],
              [1, 1],
              [1, 1],
              [0, 0],
            ])
            .mul(tf.tensor(weights.arraySync()))
            .sum(),
        )([x, w]);
        return [value, ...gradients].map((tensor) => tensor.arraySync());
      });
      await tf.setBackend(backend);
      const [value, inputGradient, filterGradient] = tf.tidy(() => {
        const gradients = tf.grads((a: tf.Tensor, b: tf.Tensor) => ours(a, b).mul(weights).sum())([input, filter]);
        return [ours(input, filter), ...gradients].map((tensor) => tensor.arraySync());
      });
      for (const [actual, expected] of [
        [value, reference[0]],
        [inputGradient, reference[1]],
        [filterGradient, reference[2]],
      ])
        expect(
          tf.tidy(() => maxDifference(tf.tensor(actual as number[]), tf.tensor(expected as number[]))),
        ).toBeLessThan(1e-4);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([input, filter, weights]);
    },
  );

  it('reads images handed over as patches exactly as the same image laid out row by row', async () => {
    await tf.setBackend('cpu');
    const image = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 4);
    // [batch, row of patches, row in patch, column of patches, column in patch] → patch-major order.
    const patches = image.reshape([2, 2, 4, 2, 4]).transpose([0, 1, 3, 2, 4]).reshape([-1, 1]) as tf.Tensor2D;
    const filter = tf.randomNormal([9, 5], 0, 1, 'float32', 5) as tf.Tensor2D;
    const window = { kernel: 3, stride: 2, padding: 1 };
    const shape = { batch: 2, height: 8, width: 8 };
    const fromRows = convolution(image.reshape([-1, 1]) as tf.Tensor2D, shape, filter, window).output;
    const fromPatches = convolution(patches, shape, filter, window, {
      name: 'patches-4',
      rowOf: patchMajor(8, 4),
    }).output;
    expect(maxDifference(fromRows, fromPatches)).toBe(0);
    tf.dispose([image, patches, filter, fromRows, fromPatches]);
  });

  it('depthwise: equals tf.depthwiseConv2d for a 3 × 3 and for a k × k window of stride k', async () => {
    await tf.setBackend('cpu');
    const input = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
    for (const [kernel, stride, padding] of [
      [3, 1, 1],
      [4, 4, 0],
    ] as const) {
      const filter = tf.randomNormal([kernel, kernel, 3, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
      const pad = [
        [0, 0],
        [padding, padding],
        [padding, padding],
        [0, 0],
      ] as [[number, number], [number, number], [number, number], [number, number]];
      const expected = tf.depthwiseConv2d(input, filter, stride, pad);
      const actual = depthwiseConvolution(
        input.reshape([-1, 3]) as tf.Tensor2D,
        { batch: 2, height: 8, width: 8 },
        filter.reshape([kernel * kernel, 3]) as tf.Tensor2D,
        { kernel, stride, padding },
      ).output.reshape(expected.shape);
      expect(maxDifference(actual, expected)).toBeLessThan(1e-5);
      tf.dispose([filter, expected, actual]);
    }
    input.dispose();
  });
});
