import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  coordinationCoefficients,
  modalityScores,
  modulateGradient,
  type SplitHead,
} from '../../../ml/finetune/gm-coord.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('GM-Coord', () => {
  // Toy head over [text (1) ‖ image (1)] → 2 classes. By hand: out_text = [1, 0] and [0, 1], out_image = [1, 1] and
  // [2, 1]; with labels 0 and 1, score_text = 2e/(e + 1) = 1.462117, score_image = 0.5 + 1/(e + 1) = 0.768941.
  const head = (): SplitHead => ({
    weight: tf.tensor2d([
      [1, -1],
      [2, 0],
    ]),
    bias: tf.tensor1d([0, 2]),
    textWidth: 1,
  });

  it('scores each modality through its half of the split head (Eq. 10–11), leaving no tensor behind', async () => {
    const inputs = { text: tf.tensor2d([[1], [0]]), image: tf.tensor2d([[0.5], [1]]), head: head() };
    const before = tf.memory().numTensors;
    const scores = await modalityScores(inputs.text, inputs.image, inputs.head, [0, 1]);
    expect(tf.memory().numTensors).toBe(before);
    expect(scores.text).toBeCloseTo(1.4621172, 5);
    expect(scores.image).toBeCloseTo(0.7689414, 5);
    tf.dispose([inputs.text, inputs.image, inputs.head.weight, inputs.head.bias]);
  });

  it('slows the modality that is ahead by 1 − tanh(β·ρ) and leaves the other at 1 (Eq. 12)', () => {
    const textAhead = coordinationCoefficients({ text: 1.4621172, image: 0.7689414 });
    expect(textAhead.ratio).toBeCloseTo(1.9014675, 5);
    expect(textAhead.text).toBeCloseTo(0.8121122, 5);
    expect(textAhead.image).toBe(1);
    const imageAhead = coordinationCoefficients({ text: 0.7689414, image: 1.4621172 });
    expect(imageAhead.image).toBeCloseTo(0.8121122, 5);
    expect(imageAhead.text).toBe(1);
    expect(coordinationCoefficients({ text: 2, image: 1 }, 0.5).text).toBeCloseTo(1 - Math.tanh(1), 10);
  });

  it("scales a gradient and adds noise with the gradient's own (unbiased) spread (Eq. 13), leaving no tensor behind", () => {
    const gradient = tf.tensor1d(Array.from({ length: 20_000 }, (_, index) => (index % 2 ? 3 : -1)));
    const before = tf.memory().numTensors;
    const modulated = modulateGradient(gradient, 0.5, 7);
    expect(tf.memory().numTensors).toBe(before + 1);
    const noise = tf.tidy(() => modulated.sub(gradient.mul(0.5)));
    const { mean, variance } = tf.moments(noise);
    // The gradient's spread is 2 (values −1 and 3), so the noise is N(0, 2²).
    expect(mean.dataSync()[0]).toBeCloseTo(0, 1);
    expect(Math.sqrt(variance.dataSync()[0]!)).toBeCloseTo(2, 1);
    const again = modulateGradient(gradient, 0.5, 7);
    expect(Array.from(again.dataSync())).toEqual(Array.from(modulated.dataSync()));
    tf.dispose([gradient, modulated, noise, mean, variance, again]);
  });
});
