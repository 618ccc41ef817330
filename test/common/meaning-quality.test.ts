import { describe, expect, it } from 'vitest';
import type { ModelRecord } from '../../common/contract/index.js';
import { meaningQuality } from '../../common/meaning-quality.js';

/** A model record as the catalog keeps it, with the test split's text→image recall at 10 and its chance. */
function modelWithTest(recall: number, chance: number, pairs: number): ModelRecord {
  const atK = (ten: number) => ({ '1': ten / 10, '5': ten / 2, '10': ten });
  return {
    name: 'cpu-fast run',
    metrics: {
      validation: null,
      test: {
        pairs,
        textToImage: { recall: atK(recall), chance: atK(chance) },
        imageToText: { recall: atK(recall), chance: atK(chance) },
      },
      imageProbe: null,
    },
  } as ModelRecord;
}

describe('meaningQuality', () => {
  it('says plainly that a model at chance has learned nothing (the issue: R@10 0.29 against 0.22)', () => {
    const quality = meaningQuality(modelWithTest(0.29, 0.22, 219));
    expect(quality.trusted).toBe(false);
    expect(quality.statement).toMatch(/has not learned to match text to images/);
    expect(quality.statement).toMatch(/0\.29 against chance 0\.22 \(1\.3×, 219 held-out pairs\)/);
  });

  it('trusts a model clearly above chance, and not one above chance by luck on a handful of pairs', () => {
    expect(meaningQuality(modelWithTest(0.248, 0.044, 219)).trusted).toBe(true);
    // 3 of 10 pairs at chance 0.1: three times chance, but well within what luck gives on 10 pairs.
    expect(meaningQuality(modelWithTest(0.3, 0.1, 10)).trusted).toBe(false);
  });

  it('does not trust a model never measured on held-out pairs', () => {
    const quality = meaningQuality({
      ...modelWithTest(0, 0, 0),
      metrics: { validation: null, test: null, imageProbe: null },
    });
    expect(quality).toMatchObject({ trusted: false, recallAt10: null, testPairs: 0 });
  });
});
