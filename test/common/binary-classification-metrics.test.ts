import { describe, expect, it } from 'vitest';
import {
  auroc,
  binaryMetrics,
  bootstrapIntervals,
  rocCurve,
  type ScoredExample,
} from '../../common/binary-classification-metrics.js';

const example = (score: number, positive: boolean): ScoredExample => ({ score, positive });

describe('binary classification metrics', () => {
  // Positives 0.9, 0.6, 0.4; negatives 0.6, 0.3, 0.1. Pairs won by the positive: 0.9 beats 3, 0.6 beats 2 and ties 1,
  // 0.4 beats 2 → (3 + 2.5 + 2) / 9.
  const examples = [
    example(0.9, true),
    example(0.6, true),
    example(0.4, true),
    example(0.6, false),
    example(0.3, false),
    example(0.1, false),
  ];

  it('computes AUROC by hand, ties counting one half, and equal to the area under its ROC curve', () => {
    expect(auroc(examples)).toBeCloseTo(7.5 / 9, 10);
    const curve = rocCurve(examples);
    expect(curve.map((point) => [point.falsePositiveRate, point.truePositiveRate])).toEqual([
      [0, 0],
      [0, 1 / 3],
      [1 / 3, 2 / 3],
      [1 / 3, 1],
      [2 / 3, 1],
      [1, 1],
    ]);
    const area = curve
      .slice(1)
      .reduce(
        (sum, point, index) =>
          sum +
          ((point.falsePositiveRate - curve[index]!.falsePositiveRate) *
            (point.truePositiveRate + curve[index]!.truePositiveRate)) /
            2,
        0,
      );
    expect(area).toBeCloseTo(auroc(examples), 10);
    expect(auroc([example(0.2, true), example(0.8, false)])).toBe(0);
    expect(auroc([example(0.2, true)])).toBeNaN();
  });

  it('counts the confusion matrix at the threshold and derives accuracy, sensitivity, specificity and F1', () => {
    const metrics = binaryMetrics(examples, 0.5);
    expect(metrics.confusion).toEqual({ truePositive: 2, falsePositive: 1, trueNegative: 2, falseNegative: 1 });
    expect(metrics.accuracy).toBeCloseTo(4 / 6, 10);
    expect(metrics.sensitivity).toBeCloseTo(2 / 3, 10);
    expect(metrics.specificity).toBeCloseTo(2 / 3, 10);
    expect(metrics.f1).toBeCloseTo(4 / 6, 10);
  });

  it('gives 95% bootstrap intervals that hold the estimate, narrow with more data, and repeat with the seed', () => {
    const noisy = (count: number) =>
      Array.from({ length: count }, (_, index) =>
        example(((index * 7919) % 1000) / 1000 + (index % 2 ? 0.3 : 0), index % 2 === 1),
      );
    const small = bootstrapIntervals(noisy(60), { seed: 's' });
    const large = bootstrapIntervals(noisy(2000), { seed: 's' });
    for (const interval of [small.auroc, small.accuracy, large.auroc]) {
      expect(interval.lower).toBeLessThanOrEqual(interval.estimate);
      expect(interval.upper).toBeGreaterThanOrEqual(interval.estimate);
    }
    expect(large.auroc.upper - large.auroc.lower).toBeLessThan((small.auroc.upper - small.auroc.lower) / 2);
    expect(bootstrapIntervals(noisy(60), { seed: 's' })).toEqual(small);
    const perfect = bootstrapIntervals(
      [example(0.9, true), example(0.8, true), example(0.2, false), example(0.1, false)],
      { seed: 's' },
    );
    expect(perfect.auroc).toEqual({ estimate: 1, lower: 1, upper: 1 });
  });
});

describe('bootstrap by patient', () => {
  const single = Array.from({ length: 40 }, (_, index) => ({
    score: ((index * 37) % 41) / 41,
    positive: index % 3 === 0,
  }));

  it('draws exactly as the example bootstrap when every patient has one image', () => {
    const grouped = single.map((example, index) => ({ ...example, group: `patient-${index}` }));
    expect(bootstrapIntervals(grouped, { seed: 's', resamples: 300, groupOf: (example) => example.group! })).toEqual(
      bootstrapIntervals(single, { seed: 's', resamples: 300 }),
    );
  });

  it("resamples a patient's images together: two identical images per patient give the one-image intervals", () => {
    const doubled = single.flatMap((example, index) => [
      { ...example, group: `patient-${index}` },
      { ...example, group: `patient-${index}` },
    ]);
    const byPatient = bootstrapIntervals(doubled, { seed: 's', resamples: 300, groupOf: (example) => example.group! });
    const byImage = bootstrapIntervals(doubled, { seed: 's', resamples: 300 });
    const reference = bootstrapIntervals(single, { seed: 's', resamples: 300 });
    for (const name of ['auroc', 'accuracy', 'sensitivity', 'specificity', 'f1'] as const) {
      expect(byPatient[name].lower).toBeCloseTo(reference[name].lower, 10);
      expect(byPatient[name].upper).toBeCloseTo(reference[name].upper, 10);
    }
    // Counting each image as independent pretends to twice the evidence: narrower intervals.
    expect(byImage.auroc.upper - byImage.auroc.lower).toBeLessThan(byPatient.auroc.upper - byPatient.auroc.lower);
  });
});
