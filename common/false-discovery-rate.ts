// Many hypotheses tested at once (one per word of a model's word head) at a fixed level each let a few through by
// chance; controlling the false discovery rate bounds the share of chance ones among those accepted instead.
import { errorFunction } from 'simple-statistics';

/** P(Z ≥ z) for a standard normal Z: the one-sided p-value of a z statistic. */
export function upperTailProbability(z: number): number {
  // errorFunction's complement is accurate relative to itself (under 1.2 × 10⁻⁷), so small p-values keep their digits.
  return 0.5 * (1 - errorFunction(z / Math.SQRT2));
}

/**
 * Benjamini–Hochberg (1995): which hypotheses to reject so that the expected share of true nulls among the rejected
 * is at most `rate`. A `null` p-value is a hypothesis not tested: neither counted nor rejected.
 */
export function benjaminiHochberg(pValues: readonly (number | null)[], rate: number): boolean[] {
  const tested = pValues
    .flatMap((value, index) => (value === null ? [] : [{ value, index }]))
    .sort((left, right) => left.value - right.value);
  // The largest rank whose p-value is under its step; every hypothesis up to it is rejected, even one above its own.
  let rejectedCount = 0;
  tested.forEach(({ value }, rank) => {
    if (value <= ((rank + 1) / tested.length) * rate) rejectedCount = rank + 1;
  });
  const rejected = pValues.map(() => false);
  for (const { index } of tested.slice(0, rejectedCount)) rejected[index] = true;
  return rejected;
}
