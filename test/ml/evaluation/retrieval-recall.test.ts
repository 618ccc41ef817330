import { describe, expect, it } from 'vitest';
import { retrievalRecall } from '../../../ml/evaluation/retrieval-recall.js';

// Unit vectors in 2-D at the given angles (degrees), flattened row by row.
const atAngles = (...degrees: number[]) =>
  new Float32Array(degrees.flatMap((angle) => [Math.cos((angle * Math.PI) / 180), Math.sin((angle * Math.PI) / 180)]));

describe('retrieval recall', () => {
  it('counts hits at K in both directions and prints chance as K / N', () => {
    // Image 0 and 1 each find their own text first; image 2's nearest text is text 1, its own is second.
    const images = atAngles(0, 90, 60);
    const texts = atAngles(0, 80, 10);
    const metrics = retrievalRecall(images, texts, 2);
    expect(metrics.pairs).toBe(3);
    expect(metrics.imageToText.recall['1']).toBeCloseTo(2 / 3, 6);
    expect(metrics.imageToText.recall['5']).toBe(1);
    // Text 2 (10°) is nearest image 0 (0°); texts 0 and 1 find their own images.
    expect(metrics.textToImage.recall['1']).toBeCloseTo(2 / 3, 6);
    expect(metrics.textToImage.chance).toEqual({ '1': 1 / 3, '5': 1, '10': 1 });
  });

  it('counts a tie against the query, so identical embeddings score no better than chance allows', () => {
    const same = atAngles(30, 30, 30, 30);
    const metrics = retrievalRecall(same, same, 2);
    expect(metrics.imageToText.recall['1']).toBe(0);
    expect(metrics.textToImage.recall['1']).toBe(0);
  });
});
