import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedTokens } from '../../../ml/model/layers/token-embedding.js';
import { applyLinear } from '../../../ml/model/layers/linear.js';
import { gelu } from '../../../ml/model/layers/transformer-block.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function largestDifference(left: tf.Tensor, right: tf.Tensor): number {
  return tf.tidy(() => left.sub(right).abs().max().dataSync()[0]!);
}

describe('layers with their own gradients', () => {
  it('linear: value and gradients equal plain tfjs matMul on a rank-3 input', () => {
    tf.tidy(() => {
      const input = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 1);
      const weight = tf.randomNormal([3, 4], 0, 1, 'float32', 2);
      const bias = tf.randomNormal([4], 0, 1, 'float32', 3);
      const upstream = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 4);
      const ours = tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => applyLinear(x, w, b).mul(upstream).sum())([input, weight, bias]);
      const plain = tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.matMul(x.reshape([10, 3]), w).add(b).reshape([2, 5, 4]).mul(upstream).sum())([input, weight, bias]);
      ours.forEach((gradient, index) => expect(largestDifference(gradient, plain[index]!)).toBeLessThan(1e-5));
      expect(largestDifference(applyLinear(input, weight, bias), tf.matMul(input.reshape([10, 3]), weight).add(bias).reshape([2, 5, 4]))).toBeLessThan(1e-6);
    });
  });

  it('token embedding: the one-hot gradient equals the gather gradient, repeated ids included', () => {
    tf.tidy(() => {
      const table = tf.randomNormal([7, 3], 0, 1, 'float32', 5) as tf.Tensor2D;
      const ids = tf.tensor2d([[0, 3, 3], [6, 0, 1]], undefined, 'int32');
      const upstream = tf.randomNormal([2, 3, 3], 0, 1, 'float32', 6);
      const ours = tf.grad((weights: tf.Tensor) => embedTokens(weights as tf.Tensor2D, ids).mul(upstream).sum())(table);
      const plain = tf.grad((weights: tf.Tensor) => tf.gather(weights, ids).mul(upstream).sum())(table);
      expect(largestDifference(ours, plain)).toBeLessThan(1e-6);
      expect(largestDifference(embedTokens(table, ids), tf.gather(table, ids))).toBe(0);
    });
  });

  it('GELU written with a sigmoid equals the tanh form', () => {
    tf.tidy(() => {
      const x = tf.linspace(-6, 6, 101);
      const tanhForm = x.mul(0.5).mul(tf.tanh(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1));
      expect(largestDifference(gelu(x), tanhForm)).toBeLessThan(1e-5);
    });
  });
});
