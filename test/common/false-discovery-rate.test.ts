import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, upperTailProbability } from '../../common/false-discovery-rate.js';

describe('false discovery rate', () => {
  it('gives the standard normal upper tail, small p-values included', () => {
    // Reference values: R's pnorm(z, lower.tail = FALSE).
    expect(upperTailProbability(0)).toBeCloseTo(0.5, 7);
    expect(upperTailProbability(1.959964)).toBeCloseTo(0.025, 6);
    expect(upperTailProbability(2.326348)).toBeCloseTo(0.01, 6);
    expect(upperTailProbability(-1.644854)).toBeCloseTo(0.95, 6);
    const tiny = upperTailProbability(6);
    expect(Math.abs(tiny - 9.865876e-10) / 9.865876e-10).toBeLessThan(1e-5);
  });

  it("rejects as R's p.adjust(p, 'BH') <= rate does, the step-up included, untested hypotheses aside", () => {
    // p.adjust(c(0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216), "BH"):
    // 0.010 0.040 0.084 0.084 0.084 0.100 0.106 0.216 0.216 0.216
    const pValues = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216];
    // Rejected: the smallest p-values, as many as have an adjusted value at or under the rate.
    const firstOnly = (count: number) => pValues.map((_, index) => index < count);
    expect(benjaminiHochberg(pValues, 0.05)).toEqual(firstOnly(2));
    // The step-up: 0.039 and 0.041 are over their own steps (0.027, 0.036) but under the fifth's (0.045).
    expect(benjaminiHochberg(pValues, 0.09)).toEqual(firstOnly(5));
    // Each p-value at 0.01 alone would take the first two; the rate over ten takes only the first.
    expect(benjaminiHochberg(pValues, 0.01)).toEqual(firstOnly(1));
    // Untested hypotheses do not enlarge the count the steps divide by, and are never rejected.
    expect(benjaminiHochberg([null, 0.02, null, 0.04], 0.04)).toEqual([false, true, false, true]);
    expect(benjaminiHochberg([0.02, 0.04, 0.5, 0.5], 0.04)).toEqual([false, false, false, false]);
    expect(benjaminiHochberg([], 0.05)).toEqual([]);
  });
});
