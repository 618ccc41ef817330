import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmSliceKernels } from '../../../ml/backends/wasm-slice-kernels.js';

beforeAll(async () => {
  registerWasmSliceKernels();
  await tf.setBackend('wasm');
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** Runs `operation` on wasm (with the replaced kernels) and on cpu, on the same data, and returns both results. */
async function onBothBackends(
  shape: number[],
  dtype: 'float32' | 'int32',
  operation: (input: tf.Tensor) => tf.Tensor | tf.Tensor[],
): Promise<[number[][], number[][]]> {
  const values = Array.from({ length: tf.util.sizeFromShape(shape) }, (_, index) =>
    dtype === 'int32' ? index : index * 0.5 - 3,
  );
  const results: number[][][] = [];
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    const input = tf.tensor(values, shape, dtype);
    const output = operation(input);
    const outputs = Array.isArray(output) ? output : [output];
    results.push(outputs.map((tensor) => [...tensor.shape, ...tensor.dataSync()]));
    tf.dispose([input, ...outputs]);
  }
  await tf.setBackend('wasm');
  return [results[0]!, results[1]!];
}

describe('wasm Slice and Unpack read the heap in place', () => {
  it.each([
    { name: 'rank 1', shape: [10], begin: [3], size: [4] },
    { name: 'rank 2, inner block', shape: [5, 6], begin: [1, 2], size: [3, 3] },
    { name: 'rank 3, whole rows (contiguous)', shape: [4, 3, 5], begin: [1, 0, 0], size: [2, 3, 5] },
    { name: 'rank 4, all axes cut', shape: [3, 4, 5, 6], begin: [1, 1, 2, 3], size: [2, 2, 3, 2] },
    { name: 'rank 5', shape: [2, 3, 2, 3, 4], begin: [1, 0, 1, 1, 0], size: [1, 3, 1, 2, 3] },
    { name: 'sizes of -1', shape: [4, 5], begin: [2, 1], size: [-1, -1] },
    { name: 'empty', shape: [4, 5], begin: [1, 1], size: [0, 3] },
  ])('slice: $name equals the cpu backend', async ({ shape, begin, size }) => {
    for (const dtype of ['float32', 'int32'] as const) {
      const [wasm, cpu] = await onBothBackends(shape, dtype, (input) => tf.slice(input, begin, size));
      expect(wasm).toEqual(cpu);
    }
  });

  it.each([0, 1, 2, -1])('unstack along axis %i equals the cpu backend', async (axis) => {
    const [wasm, cpu] = await onBothBackends([3, 4, 5], 'float32', (input) => tf.unstack(input, axis));
    expect(wasm).toEqual(cpu);
    expect(wasm).toHaveLength([3, 4, 5].at(axis)!);
  });

  it('keeps tfjs kernels for strings and leaves no tensor behind', async () => {
    const words = tf.tensor2d([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(tf.slice(words, [1, 0], [1, 2]).dataSync()).toEqual(['c', 'd']);
    expect(tf.unstack(words)[1]!.dataSync()).toEqual(['c', 'd']);
    words.dispose();
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.unstack(tf.ones([8, 3, 4])).map((part) => part.slice([1, 1], [1, 2]));
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
