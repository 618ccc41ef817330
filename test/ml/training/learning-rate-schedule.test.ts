import { describe, expect, it } from 'vitest';
import { warmupCosineRate } from '../../../ml/training/learning-rate-schedule.js';

describe('warm-up + cosine learning rate', () => {
  it('rises linearly to the peak over the warm-up, then follows a half cosine to zero at the last step', () => {
    const rates = Array.from({ length: 10 }, (_, step) => warmupCosineRate(step, 10, 2, 1e-3));
    expect(rates[0]).toBeCloseTo(5e-4, 12);
    expect(rates[1]).toBeCloseTo(1e-3, 12);
    expect(rates[2]).toBeCloseTo(1e-3, 12);
    expect(rates[6]).toBeCloseTo(5e-4, 12);
    expect(warmupCosineRate(10, 10, 2, 1e-3)).toBeCloseTo(0, 12);
    for (let step = 3; step < 10; step++) expect(rates[step]!).toBeLessThan(rates[step - 1]!);
  });

  it('starts at the peak without warm-up', () => {
    expect(warmupCosineRate(0, 100, 0, 5e-4)).toBeCloseTo(5e-4, 12);
  });
});
