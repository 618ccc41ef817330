import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReportWordHead } from '../../../ml/objectives/report-words.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the word-prediction head', () => {
  it('starts at each word’s log-odds and gives the mean logistic loss', () => {
    const head = new ReportWordHead(4, Float32Array.from([0.25, 0.5]), 7);
    try {
      const bias = head.store.variables.get('words.bias')!;
      expect(Array.from(bias.dataSync())).toEqual([expect.closeTo(Math.log(1 / 3), 5), expect.closeTo(0, 5)]);
      const weight = head.store.variables.get('words.weight')!;
      weight.assign(tf.tensor2d([1, 0, 0, 1, 0, 0, 0, 0], [4, 2]));
      const embeddings = tf.tensor2d([1, 0, 0, 0, 0, 1, 0, 0], [2, 4]);
      const targets = tf.tensor2d([1, 0, 0, 1], [2, 2]);
      const loss = head.loss(embeddings, targets);
      // Logits [[1 + b0, b1], [b0, 1 + b1]] against [[1, 0], [0, 1]].
      const [b0, b1] = [Math.log(1 / 3), 0];
      const logistic = (logit: number, target: number) => Math.log1p(Math.exp(-logit)) + (1 - target) * logit;
      const expected = (logistic(1 + b0, 1) + logistic(b1, 0) + logistic(b0, 0) + logistic(1 + b1, 1)) / 4;
      expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
      tf.dispose([embeddings, targets, loss]);
    } finally {
      head.dispose();
    }
  });

  it('stays finite for large logits', () => {
    const head = new ReportWordHead(1, Float32Array.from([0.5]), 1);
    try {
      head.store.variables.get('words.weight')!.assign(tf.tensor2d([1000], [1, 1]));
      const loss = head.loss(tf.tensor2d([1, -1], [2, 1]), tf.tensor2d([0, 1], [2, 1]));
      expect(loss.dataSync()[0]).toBeCloseTo(1000, 0);
      loss.dispose();
    } finally {
      head.dispose();
    }
  });
});
