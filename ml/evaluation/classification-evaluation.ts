import type { ClassificationEvaluation } from '../../main/api/finetune-contract.js';
import { binaryMetrics, bootstrapIntervals, rocCurve, type ScoredExample } from './binary-classification-metrics.js';

const finiteOrNull = (value: number) => (Number.isFinite(value) ? value : null);

/** Enough corners to draw a smooth ROC curve; more only weigh down every stored run. */
const maximumRocPoints = 200;

/**
 * A binary classifier's scores on a split, judged at `threshold` (a probability) with seeded 95% bootstrap intervals;
 * metrics that are undefined on the split (one class missing) are null.
 */
export function evaluateBinaryClassifier(examples: readonly ScoredExample[], positiveClass: string, seed: string, threshold = 0.5): ClassificationEvaluation {
  const intervals = bootstrapIntervals(examples, { threshold, seed: `${seed}:bootstrap` });
  const curve = rocCurve(examples);
  const stride = Math.max(1, Math.ceil(curve.length / maximumRocPoints));
  const roc = curve.filter((_, index) => index % stride === 0 || index === curve.length - 1).map(({ falsePositiveRate, truePositiveRate }) => ({ falsePositiveRate, truePositiveRate }));
  const metrics = Object.fromEntries(
    Object.entries(intervals).map(([name, interval]) => [name, { estimate: finiteOrNull(interval.estimate), lower: finiteOrNull(interval.lower), upper: finiteOrNull(interval.upper) }]),
  ) as ClassificationEvaluation['metrics'];
  return {
    examples: examples.length,
    positives: examples.filter((example) => example.positive).length,
    positiveClass,
    threshold,
    metrics,
    roc,
    confusion: binaryMetrics(examples, threshold).confusion,
  };
}
