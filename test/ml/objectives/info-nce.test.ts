import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { clampLogitScale, symmetricInfoNce } from '../../../ml/objectives/info-nce.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('symmetric InfoNCE', () => {
  it('equals the hand-computed value of a 2×2 batch', () => {
    // scale 10: logits [[10, 6], [0, 8]]. Rows (image→text): log(1+e⁻⁴), log(1+e⁻⁸); columns (text→image): log(1+e⁻¹⁰),
    // log(1+e⁻²).
    const expected =
      ((Math.log1p(Math.exp(-4)) + Math.log1p(Math.exp(-8))) / 2 +
        (Math.log1p(Math.exp(-10)) + Math.log1p(Math.exp(-2))) / 2) /
      2;
    const loss = tf.tidy(
      () =>
        symmetricInfoNce(
          tf.tensor2d([
            [1, 0],
            [0, 1],
          ]),
          tf.tensor2d([
            [1, 0],
            [0.6, 0.8],
          ]),
          tf.scalar(Math.log(10)),
        ).dataSync()[0]!,
    );
    expect(loss).toBeCloseTo(expected, 6);
    expect(expected).toBeCloseTo(0.0363645, 6);
  });

  it('is log N for embeddings that carry no information, whatever the scale', () => {
    const same = tf.tidy(
      () =>
        symmetricInfoNce(
          tf.ones([4, 3]).div(Math.sqrt(3)) as tf.Tensor2D,
          tf.ones([4, 3]).div(Math.sqrt(3)) as tf.Tensor2D,
          tf.scalar(Math.log(1 / 0.07)),
        ).dataSync()[0]!,
    );
    expect(same).toBeCloseTo(Math.log(4), 5);
  });

  it('has the analytic gradient with respect to the log scale', () => {
    const images = tf.tensor2d([
      [1, 0],
      [0.8, 0.6],
    ]);
    const texts = tf.tensor2d([
      [0.6, 0.8],
      [0, 1],
    ]);
    const at = (logScale: number) => tf.tidy(() => symmetricInfoNce(images, texts, tf.scalar(logScale)).dataSync()[0]!);
    const gradient = tf.tidy(
      () =>
        tf
          .grad((logScale: tf.Tensor) => symmetricInfoNce(images, texts, logScale))(tf.scalar(1.3))
          .dataSync()[0]!,
    );
    expect(gradient).toBeCloseTo((at(1.3 + 1e-3) - at(1.3 - 1e-3)) / 2e-3, 3);
    tf.dispose([images, texts]);
  });

  it('keeps the logit scale between 1 and 100 (log 0 and log 100)', () => {
    const logScale = tf.variable(tf.scalar(7));
    clampLogitScale(logScale, 100);
    expect(logScale.dataSync()[0]).toBeCloseTo(Math.log(100), 6);
    logScale.assign(tf.scalar(-2));
    clampLogitScale(logScale, 100);
    expect(logScale.dataSync()[0]).toBe(0);
    logScale.dispose();
  });
});
