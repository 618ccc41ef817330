import { describe, expect, it } from 'vitest';
import {
  confusionMatrix,
  multiClassIntervals,
  multiClassMetrics,
  predictedClass,
} from '../../../ml/evaluation/multiclass-metrics.js';

const example = (probabilities: number[], label: number) => ({ probabilities, label });

describe('multi-class metrics', () => {
  const examples = [
    example([0.7, 0.2, 0.1], 0),
    example([0.6, 0.3, 0.1], 0),
    example([0.2, 0.5, 0.3], 1),
    example([0.5, 0.4, 0.1], 1),
    example([0.1, 0.2, 0.7], 2),
    example([0.2, 0.5, 0.3], 2),
  ];

  it('counts predictions by their most probable class, rows true and columns predicted', () => {
    expect(predictedClass([0.2, 0.5, 0.3])).toBe(1);
    expect(confusionMatrix(examples, 3)).toEqual([
      [2, 0, 0],
      [1, 1, 0],
      [0, 1, 1],
    ]);
  });

  it('gives accuracy and one-vs-rest macro averages equal to hand-computed values', () => {
    const metrics = multiClassMetrics(examples, 3);
    expect(metrics.accuracy).toBeCloseTo(4 / 6, 10);
    // Recall per class 1, 1/2, 1/2; specificity 3/4, 3/4, 1; F1 2·2/(2+3), 2·1/(2+2), 2·1/(2+1).
    expect(metrics.sensitivity).toBeCloseTo((1 + 0.5 + 0.5) / 3, 10);
    expect(metrics.specificity).toBeCloseTo((0.75 + 0.75 + 1) / 3, 10);
    expect(metrics.f1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 10);
    // One-vs-rest AUROC: class 0 ranks its two above all four others (1); class 1: 0.5/0.4 against 0.2,0.3,0.5,0.2 →
    // 6.5/8; class 2: 0.7 and 0.3 against 0.1,0.1,0.3,0.1 → 7.5/8.
    expect(metrics.auroc).toBeCloseTo((1 + 6.5 / 8 + 7.5 / 8) / 3, 10);
  });

  it('brackets each estimate with a seeded bootstrap interval', () => {
    const intervals = multiClassIntervals(examples, 3, { resamples: 200, seed: 's' });
    for (const interval of Object.values(intervals)) {
      expect(interval.lower).toBeLessThanOrEqual(interval.estimate + 1e-12);
      expect(interval.upper).toBeGreaterThanOrEqual(interval.estimate - 1e-12);
    }
    expect(multiClassIntervals(examples, 3, { resamples: 200, seed: 's' })).toEqual(intervals);
  });
});
