/** A share as a percentage without needless decimals: 0.01 → "1%", 0.005 → "0.5%", 1 → "100%". */
export function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}
