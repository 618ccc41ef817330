import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { gatherRows } from '../../../../ml/model/layers/gather-rows.js';

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('gatherRows', () => {
  it.each(['cpu', 'wasm'])(
    'gathers rows and sums the gradient of repeated rows on %s, leaving nothing behind',
    async (backend) => {
      await tf.setBackend(backend);
      const source = tf.tensor2d([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      const indices = Int32Array.from([2, 0, 2, 2]);
      const weights = tf.tensor2d([
        [1, 10],
        [2, 20],
        [3, 30],
        [4, 40],
      ]);
      const before = tf.memory().numTensors;
      const gathered = gatherRows(source, indices);
      expect(Array.from(gathered.dataSync())).toEqual([5, 6, 1, 2, 5, 6, 5, 6]);
      gathered.dispose();
      const gradient = tf.grad((matrix: tf.Tensor) =>
        gatherRows(matrix as tf.Tensor2D, indices)
          .mul(weights)
          .sum(),
      )(source);
      // Row 2 is taken three times: its gradient is the sum of those three weight rows; row 1 is never taken.
      expect(Array.from(gradient.dataSync())).toEqual([2, 20, 0, 0, 8, 80]);
      gradient.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([source, weights]);
    },
  );
});
