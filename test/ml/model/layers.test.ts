import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedTokens } from '../../../ml/model/layers/token-embedding.js';
import { applyLinear } from '../../../ml/model/layers/linear.js';
import { gelu } from '../../../ml/model/layers/gelu.js';
import { createAttention, selfAttention, type AttentionParameters } from '../../../ml/model/layers/attention.js';
import { createLayerNorm, layerNorm } from '../../../ml/model/layers/layer-norm.js';
import { ParameterStore } from '../../../ml/model/parameter-store.js';

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
      const ours = tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => applyLinear(x, w, b).mul(upstream).sum())([
        input,
        weight,
        bias,
      ]);
      const plain = tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
        tf
          .matMul(x.reshape([10, 3]), w)
          .add(b)
          .reshape([2, 5, 4])
          .mul(upstream)
          .sum(),
      )([input, weight, bias]);
      ours.forEach((gradient, index) => expect(largestDifference(gradient, plain[index]!)).toBeLessThan(1e-5));
      expect(
        largestDifference(
          applyLinear(input, weight, bias),
          tf
            .matMul(input.reshape([10, 3]), weight)
            .add(bias)
            .reshape([2, 5, 4]),
        ),
      ).toBeLessThan(1e-6);
    });
  });

  it('token embedding: the one-hot gradient equals the gather gradient, repeated ids included', () => {
    tf.tidy(() => {
      const table = tf.randomNormal([7, 3], 0, 1, 'float32', 5) as tf.Tensor2D;
      const ids = tf.tensor2d(
        [
          [0, 3, 3],
          [6, 0, 1],
        ],
        undefined,
        'int32',
      );
      const upstream = tf.randomNormal([2, 3, 3], 0, 1, 'float32', 6);
      const ours = tf.grad((weights: tf.Tensor) =>
        embedTokens(weights as tf.Tensor2D, ids)
          .mul(upstream)
          .sum(),
      )(table);
      const plain = tf.grad((weights: tf.Tensor) => tf.gather(weights, ids).mul(upstream).sum())(table);
      expect(largestDifference(ours, plain)).toBeLessThan(1e-6);
      expect(largestDifference(embedTokens(table, ids), tf.gather(table, ids))).toBe(0);
    });
  });

  it('GELU written with a sigmoid equals the tanh form, and so does its gradient', () => {
    tf.tidy(() => {
      const x = tf.linspace(-6, 6, 101);
      const tanhForm = (input: tf.Tensor) =>
        input.mul(0.5).mul(tf.tanh(input.add(input.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1));
      expect(largestDifference(gelu(x), tanhForm(x))).toBeLessThan(1e-5);
      const upstream = tf.randomNormal([101], 0, 1, 'float32', 8);
      const ours = tf.grad((input: tf.Tensor) => gelu(input).mul(upstream).sum())(x);
      const plain = tf.grad((input: tf.Tensor) => tanhForm(input).mul(upstream).sum())(x);
      expect(largestDifference(ours, plain)).toBeLessThan(1e-5);
    });
  });

  it('attention: value and gradients equal batched tfjs attention with autodiff, padding bias included', () => {
    const store = new ParameterStore(7);
    const parameters = createAttention(store, 'attention', 8, 2);
    const plainAttention = (input: tf.Tensor, weights: AttentionParameters, keyBias: tf.Tensor): tf.Tensor => {
      const split = (x: tf.Tensor) => x.reshape([2, 5, 2, 4]).transpose([0, 2, 1, 3]);
      const project = (x: tf.Tensor, layer: AttentionParameters['query']) =>
        tf
          .matMul(x.reshape([10, 8]), layer.weight)
          .add(layer.bias!)
          .reshape([2, 5, 8]);
      const scores = tf
        .matMul(split(project(input, weights.query)), split(project(input, weights.key)), false, true)
        .div(2)
        .add(keyBias);
      const mixed = tf
        .matMul(tf.softmax(scores), split(project(input, weights.value)))
        .transpose([0, 2, 1, 3])
        .reshape([2, 5, 8]);
      return project(mixed, weights.output);
    };
    tf.tidy(() => {
      const input = tf.randomNormal([2, 5, 8], 0, 1, 'float32', 8);
      const keyBias = tf.tensor4d([0, 0, 0, 0, 0, 0, 0, 0, -1e9, -1e9], [2, 1, 1, 5]);
      const upstream = tf.randomNormal([2, 5, 8], 0, 1, 'float32', 9);
      const variables = [...store.trainable().values()];
      const ours = tf.variableGrads(
        () => selfAttention(input, parameters, keyBias).mul(upstream).sum() as tf.Scalar,
        variables,
      );
      const plain = tf.variableGrads(
        () => plainAttention(input, parameters, keyBias).mul(upstream).sum() as tf.Scalar,
        variables,
      );
      expect(Math.abs(ours.value.dataSync()[0]! - plain.value.dataSync()[0]!)).toBeLessThan(1e-4);
      for (const name of Object.keys(plain.grads))
        expect(largestDifference(ours.grads[name]!, plain.grads[name]!)).toBeLessThan(1e-4);
      const inputGradient = tf.grad((x: tf.Tensor) => selfAttention(x, parameters, keyBias).mul(upstream).sum())(input);
      const plainInputGradient = tf.grad((x: tf.Tensor) => plainAttention(x, parameters, keyBias).mul(upstream).sum())(
        input,
      );
      expect(largestDifference(inputGradient, plainInputGradient)).toBeLessThan(1e-4);
      expect(largestDifference(inputGradient, tf.zerosLike(inputGradient))).toBeGreaterThan(1e-3);
    });
    store.dispose();
  });

  it('layer norm: value and gradients equal the tf.moments formulation with autodiff', () => {
    const store = new ParameterStore(11);
    const parameters = createLayerNorm(store, 'norm', 6);
    tf.tidy(() => {
      parameters.gain.assign(tf.randomNormal([6], 1, 0.3, 'float32', 12));
      parameters.shift.assign(tf.randomNormal([6], 0, 0.3, 'float32', 13));
      const input = tf.randomNormal([3, 4, 6], 2, 3, 'float32', 14);
      const upstream = tf.randomNormal([3, 4, 6], 0, 1, 'float32', 15);
      const plainNorm = (x: tf.Tensor, gain: tf.Tensor, shift: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, -1, true);
        return x
          .sub(mean)
          .mul(tf.rsqrt(variance.add(1e-5)))
          .mul(gain)
          .add(shift);
      };
      const ours = tf.grads((x: tf.Tensor, gain: tf.Tensor, shift: tf.Tensor) =>
        layerNorm(x, { gain: gain as tf.Variable, shift: shift as tf.Variable })
          .mul(upstream)
          .sum(),
      )([input, parameters.gain, parameters.shift]);
      const plain = tf.grads((x: tf.Tensor, gain: tf.Tensor, shift: tf.Tensor) =>
        plainNorm(x, gain, shift).mul(upstream).sum(),
      )([input, parameters.gain, parameters.shift]);
      ours.forEach((gradient, index) => expect(largestDifference(gradient, plain[index]!)).toBeLessThan(1e-4));
      expect(
        largestDifference(layerNorm(input, parameters), plainNorm(input, parameters.gain, parameters.shift)),
      ).toBeLessThan(1e-5);
    });
    store.dispose();
  });
});
