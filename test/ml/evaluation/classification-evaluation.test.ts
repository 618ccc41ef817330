import { describe, expect, it } from 'vitest';
import { evaluateClassifier } from '../../../ml/evaluation/classification-evaluation.js';

const examples = [0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.9, 0.6].map((score, index) => ({
  probabilities: [1 - score, score],
  label: index % 2,
  group: `patient ${index}`,
  imageId: 100 + index,
}));

describe('evaluateClassifier', () => {
  it('keeps every judged image of a binary task with its score and truth, matching the confusion at the threshold', () => {
    const evaluation = evaluateClassifier(examples, ['negative', 'positive'], 'test', 0.5);
    const kept = evaluation.binary!.examples!;
    expect(kept).toHaveLength(examples.length);
    expect(kept[3]).toEqual({ imageId: 103, score: 0.8, positive: true });
    const predictedPositive = kept.filter((example) => example.score >= 0.5);
    expect(predictedPositive.filter((example) => example.positive)).toHaveLength(
      evaluation.binary!.confusion.truePositive,
    );
    expect(predictedPositive.filter((example) => !example.positive)).toHaveLength(
      evaluation.binary!.confusion.falsePositive,
    );
  });

  it('keeps no examples when the images are not named', () => {
    const anonymous = examples.map(({ imageId: _imageId, ...example }) => example);
    expect(evaluateClassifier(anonymous, ['negative', 'positive'], 'test').binary!.examples).toBeUndefined();
  });
});
