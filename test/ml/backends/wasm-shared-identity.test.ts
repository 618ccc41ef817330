import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmSharedIdentity } from '../../../ml/backends/wasm-shared-identity.js';

beforeAll(async () => {
  registerWasmSharedIdentity();
  await tf.setBackend('wasm');
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('wasm Identity that shares its input', () => {
  it('keeps the values alive after the original is disposed, and frees the buffer with the last reference', () => {
    const before = tf.memory();
    const original = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const copy = tf.clone(original);
    expect(copy.dataId).toBe(original.dataId);
    original.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3, 4]);
    copy.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it('keeps the tensors a gradient saved unchanged when a variable is assigned before the backward pass', () => {
    const weight = tf.variable(tf.tensor1d([2, 3]));
    const input = tf.tensor1d([5, 7]);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => weight.mul(input).sum() as tf.Scalar, [weight]);
    expect(value.dataSync()[0]).toBe(31);
    const replacement = tf.tensor1d([100, 100]);
    weight.assign(replacement);
    replacement.dispose();
    expect(Array.from(grads[weight.name]!.dataSync())).toEqual([5, 7]);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([weight, input]);
  });

  it('leaves string tensors to the original kernel', () => {
    const words = tf.tensor1d(['no', 'effusion'], 'string');
    const copy = tf.clone(words);
    expect(copy.dataId).not.toBe(words.dataId);
    words.dispose();
    expect(copy.dataSync()).toEqual(['no', 'effusion']);
    copy.dispose();
  });
});
