import { describe, expect, it } from 'vitest';
import type { ClassificationItem } from '../../../ml/data/classification-dataset.js';
import { studyExamples } from '../../../ml/evaluation/study-predictions.js';

function item(imageId: number, studyId: number, label: number): ClassificationItem {
  return {
    imageId,
    studyId,
    patientKey: `P${studyId}`,
    imageFile: '/cache/pack',
    imageOffset: 0,
    imageSize: 16,
    reportText: '',
    reportId: null,
    viewPosition: null,
    seriesId: null,
    reportWords: [],
    label,
  };
}

describe('judging by study', () => {
  it('averages the class probabilities of a study’s images into one example', () => {
    // Study 7: a frontal and a lateral view; study 9: one film; study 8: three slices.
    const items = [item(1, 7, 1), item(2, 9, 0), item(3, 7, 1), item(4, 8, 0), item(5, 8, 0), item(6, 8, 0)];
    const indices = [0, 1, 2, 3, 4, 5];
    const probabilities = Float32Array.from([0.2, 0.8, 0.9, 0.1, 0.6, 0.4, 0.5, 0.5, 0.7, 0.3, 0.9, 0.1]);
    const examples = studyExamples(items, indices, probabilities, 2);
    expect(examples.map((example) => [example.imageId, example.label, example.group])).toEqual([
      [1, 1, 'P7'],
      [2, 0, 'P9'],
      [4, 0, 'P8'],
    ]);
    expect(Array.from(examples[0]!.probabilities)).toEqual([expect.closeTo(0.4), expect.closeTo(0.6)]);
    expect(Array.from(examples[1]!.probabilities)).toEqual([expect.closeTo(0.9), expect.closeTo(0.1)]);
    expect(Array.from(examples[2]!.probabilities)).toEqual([expect.closeTo(0.7), expect.closeTo(0.3)]);
  });

  it('reads probabilities by position in `indices`, whatever the items’ order', () => {
    const items = [item(1, 1, 0), item(2, 2, 1)];
    const examples = studyExamples(items, [1, 0], Float32Array.from([0.1, 0.9, 0.8, 0.2]), 2);
    expect(examples.map((example) => [example.imageId, Array.from(example.probabilities)])).toEqual([
      [2, [expect.closeTo(0.1), expect.closeTo(0.9)]],
      [1, [expect.closeTo(0.8), expect.closeTo(0.2)]],
    ]);
  });
});
