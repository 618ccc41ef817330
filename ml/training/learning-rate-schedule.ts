/**
 * Linear warm-up to the peak rate, then cosine decay to `finalFraction` of it at the last step (open_clip's schedule,
 * with a floor so the last steps still move).
 */
export function warmupCosineRate(
  step: number,
  totalSteps: number,
  warmupSteps: number,
  peakRate: number,
  finalFraction = 0,
): number {
  if (step < warmupSteps) return (peakRate * (step + 1)) / warmupSteps;
  const decaySteps = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / decaySteps);
  const floor = peakRate * finalFraction;
  return floor + 0.5 * (peakRate - floor) * (1 + Math.cos(Math.PI * progress));
}
