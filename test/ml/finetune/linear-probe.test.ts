import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../common/seeded-random.js';
import { auroc } from '../../../common/binary-classification-metrics.js';
import { scoreLinearProbe, trainLinearProbe } from '../../../ml/finetune/linear-probe.js';

/** Rows whose label depends on two of eight features through a known direction, plus noise. */
function dataset(rows: number, seed: string): { features: Float32Array; labels: number[] } {
  const random = new SeededRandom(seed);
  const features = new Float32Array(rows * 8);
  const labels: number[] = [];
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < 8; column++) features[row * 8 + column] = random.normal() * (column + 1) + 5;
    labels.push(2 * (features[row * 8]! - 5) - (features[row * 8 + 3]! - 5) / 4 + random.normal() * 0.5 > 0 ? 1 : 0);
  }
  return { features, labels };
}

describe('linear probe', () => {
  it('learns a separable direction from a few hundred rows and generalises to new ones', () => {
    const train = dataset(300, 'train');
    const test = dataset(1000, 'test');
    const probe = trainLinearProbe(train.features, 8, train.labels);
    const scores = scoreLinearProbe(probe, test.features);
    expect(
      auroc(test.labels.map((label, index) => ({ score: scores[index]!, positive: label === 1 }))),
    ).toBeGreaterThan(0.95);
    expect(Math.abs(probe.weight[0]!)).toBeGreaterThan(Math.abs(probe.weight[5]!) * 3);
  });

  it('stays sensible with ten labels (a 1% budget), shrinking the weights under a stronger penalty', () => {
    const train = dataset(10, 'tiny');
    const loose = trainLinearProbe(train.features, 8, train.labels, {
      inverseRegularisation: 100,
      iterations: 300,
      learningRate: 0.05,
    });
    const tight = trainLinearProbe(train.features, 8, train.labels, {
      inverseRegularisation: 0.01,
      iterations: 300,
      learningRate: 0.05,
    });
    const norm = (weight: Float64Array) => Math.hypot(...weight);
    expect(norm(tight.weight)).toBeLessThan(norm(loose.weight));
    for (const score of scoreLinearProbe(tight, dataset(50, 'other').features))
      expect(Number.isFinite(score)).toBe(true);
  });

  it("weakens its penalty as rows grow (sklearn's C): each row four times fits as C four times larger", () => {
    const train = dataset(40, 'repeat');
    const repeated = new Float32Array(train.features.length * 4);
    for (let copy = 0; copy < 4; copy++) repeated.set(train.features, copy * train.features.length);
    const options = { inverseRegularisation: 0.05, iterations: 400, learningRate: 0.05 };
    const onRepeated = trainLinearProbe(
      repeated,
      8,
      [...train.labels, ...train.labels, ...train.labels, ...train.labels],
      options,
    );
    const withLargerC = trainLinearProbe(train.features, 8, train.labels, { ...options, inverseRegularisation: 0.2 });
    const once = trainLinearProbe(train.features, 8, train.labels, options);
    for (let column = 0; column < 8; column++)
      expect(onRepeated.weight[column]!).toBeCloseTo(withLargerC.weight[column]!, 6);
    expect(Math.hypot(...onRepeated.weight)).toBeGreaterThan(Math.hypot(...once.weight) * 1.2);
  });

  it('is deterministic and refuses one-class training data', () => {
    const train = dataset(100, 'train');
    expect(Array.from(trainLinearProbe(train.features, 8, train.labels).weight)).toEqual(
      Array.from(trainLinearProbe(train.features, 8, train.labels).weight),
    );
    expect(() =>
      trainLinearProbe(
        train.features,
        8,
        train.labels.map(() => 0),
      ),
    ).toThrow(/both classes/);
  });
});
