import { SeededRandom } from './seeded-random.js';

/** One binary prediction: the classifier's score for the positive class and the true label. */
export interface ScoredExample {
  score: number;
  positive: boolean;
  /** Examples sharing a group (a patient's images) are resampled together. */
  group?: string;
}

export interface BinaryMetrics {
  auroc: number;
  accuracy: number;
  /** True-positive rate at the threshold. */
  sensitivity: number;
  /** True-negative rate at the threshold. */
  specificity: number;
  f1: number;
  confusion: { truePositive: number; falsePositive: number; trueNegative: number; falseNegative: number };
}

/**
 * Area under the ROC curve as the probability that a random positive outscores a random negative, ties counting
 * one half (the Mann–Whitney form, equal to the trapezoidal area); NaN without both classes.
 */
export function auroc(examples: readonly ScoredExample[]): number {
  const sorted = [...examples].sort((left, right) => left.score - right.score);
  const positives = sorted.filter((example) => example.positive).length;
  const negatives = sorted.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  let rankSum = 0;
  for (let start = 0; start < sorted.length;) {
    let end = start;
    while (end < sorted.length && sorted[end]!.score === sorted[start]!.score) end += 1;
    const averageRank = (start + 1 + end) / 2;
    for (let index = start; index < end; index++) if (sorted[index]!.positive) rankSum += averageRank;
    start = end;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * The ROC curve's corners from the highest threshold down: (false-positive rate, true-positive rate) per distinct
 * score.
 */
export function rocCurve(
  examples: readonly ScoredExample[],
): Array<{ falsePositiveRate: number; truePositiveRate: number; threshold: number }> {
  const sorted = [...examples].sort((left, right) => right.score - left.score);
  const positives = sorted.filter((example) => example.positive).length;
  const negatives = sorted.length - positives;
  const points = [{ falsePositiveRate: 0, truePositiveRate: 0, threshold: Number.POSITIVE_INFINITY }];
  let truePositives = 0;
  let falsePositives = 0;
  for (let index = 0; index < sorted.length; index++) {
    if (sorted[index]!.positive) truePositives += 1;
    else falsePositives += 1;
    if (index === sorted.length - 1 || sorted[index + 1]!.score !== sorted[index]!.score) {
      points.push({
        falsePositiveRate: negatives ? falsePositives / negatives : 0,
        truePositiveRate: positives ? truePositives / positives : 0,
        threshold: sorted[index]!.score,
      });
    }
  }
  return points;
}

export function binaryMetrics(examples: readonly ScoredExample[], threshold = 0.5): BinaryMetrics {
  const confusion = { truePositive: 0, falsePositive: 0, trueNegative: 0, falseNegative: 0 };
  for (const { score, positive } of examples) {
    const predicted = score >= threshold;
    if (predicted && positive) confusion.truePositive += 1;
    else if (predicted) confusion.falsePositive += 1;
    else if (positive) confusion.falseNegative += 1;
    else confusion.trueNegative += 1;
  }
  const { truePositive, falsePositive, trueNegative, falseNegative } = confusion;
  const ratio = (numerator: number, denominator: number) => (denominator === 0 ? Number.NaN : numerator / denominator);
  return {
    auroc: auroc(examples),
    accuracy: ratio(truePositive + trueNegative, examples.length),
    sensitivity: ratio(truePositive, truePositive + falseNegative),
    specificity: ratio(trueNegative, trueNegative + falsePositive),
    f1: ratio(2 * truePositive, 2 * truePositive + falsePositive + falseNegative),
    confusion,
  };
}

export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

export type MetricName = 'auroc' | 'accuracy' | 'sensitivity' | 'specificity' | 'f1';

/**
 * Seeded draws of `examples` with replacement, each as many groups as there are: whole groups (a patient's images) at
 * a time with `groupOf`, as images of one patient are not independent; groups of one draw exactly as examples do.
 */
export function* bootstrapResamples<T>(
  examples: readonly T[],
  options: { resamples: number; seed: string; groupOf?: (example: T) => string },
): Generator<T[]> {
  const groups: T[][] = [];
  if (options.groupOf) {
    const byKey = new Map<string, T[]>();
    for (const example of examples) {
      const key = options.groupOf(example);
      const members = byKey.get(key);
      if (members) members.push(example);
      else {
        const created = [example];
        byKey.set(key, created);
        groups.push(created);
      }
    }
  } else for (const example of examples) groups.push([example]);
  const random = new SeededRandom(options.seed);
  for (let resample = 0; resample < options.resamples; resample++)
    yield Array.from({ length: groups.length }, () => groups[Math.floor(random.next() * groups.length)]!).flat();
}

/**
 * Each metric with a 95% percentile-bootstrap interval: `resamples` draws with replacement (seeded, by patient with
 * `groupOf`: bootstrapResamples); draws where a metric is undefined (a class missing) are left out of that metric's
 * interval.
 */
export function bootstrapMetrics<T>(
  examples: readonly T[],
  metricsOf: (sample: readonly T[]) => Record<MetricName, number>,
  options: { resamples?: number; seed?: string; groupOf?: (example: T) => string } = {},
): Record<MetricName, Interval> {
  const { resamples = 1000, seed = 'bootstrap', groupOf } = options;
  const names: MetricName[] = ['auroc', 'accuracy', 'sensitivity', 'specificity', 'f1'];
  const point = metricsOf(examples);
  const draws = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<MetricName, number[]>;
  for (const sample of bootstrapResamples(examples, { resamples, seed, groupOf })) {
    const metrics = metricsOf(sample);
    for (const name of names) if (!Number.isNaN(metrics[name])) draws[name].push(metrics[name]);
  }
  const percentile = (sorted: number[], fraction: number) =>
    sorted.length === 0
      ? Number.NaN
      : sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(fraction * (sorted.length - 1))))]!;
  return Object.fromEntries(
    names.map((name) => {
      const sorted = draws[name].sort((left, right) => left - right);
      return [name, { estimate: point[name], lower: percentile(sorted, 0.025), upper: percentile(sorted, 0.975) }];
    }),
  ) as Record<MetricName, Interval>;
}

/** The binary metrics at `threshold`, each with its 95% bootstrap interval. */
export function bootstrapIntervals(
  examples: readonly ScoredExample[],
  options: { resamples?: number; threshold?: number; seed?: string; groupOf?: (example: ScoredExample) => string } = {},
): Record<MetricName, Interval> {
  const { threshold = 0.5, ...rest } = options;
  return bootstrapMetrics(examples, (sample) => binaryMetrics(sample, threshold), rest);
}
