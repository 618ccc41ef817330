import type { ClassificationEvaluation } from '../../common/contract/finetune.js';
import {
  binaryMetrics,
  bootstrapIntervals,
  rocCurve,
  type ScoredExample,
} from '../../common/binary-classification-metrics.js';
import { confusionMatrix, multiClassIntervals, type ClassProbabilities } from './multiclass-metrics.js';

const finiteOrNull = (value: number) => (Number.isFinite(value) ? value : null);

/** Enough corners to draw a smooth ROC curve; more only weigh down every stored run. */
const maximumRocPoints = 200;
/** Judged images kept with a binary evaluation (for a movable threshold and opening a matrix cell's images). */
const maximumKeptExamples = 20_000;

/**
 * A classifier's class probabilities on a split, judged with seeded 95% bootstrap intervals (drawn by patient when
 * every example names its `group`): a binary task at
 * `threshold` on the probability of its second class (the positive one), with its ROC curve; a multi-class task by
 * its most probable class. Metrics undefined on the split (a class missing) are null.
 */
export function evaluateClassifier(
  examples: readonly ClassProbabilities[],
  classes: readonly string[],
  seed: string,
  threshold = 0.5,
): ClassificationEvaluation {
  const classCounts = classes.map((_, index) => examples.filter((example) => example.label === index).length);
  const binary = classes.length === 2;
  const scored = examples.map((example) => ({
    score: example.probabilities[1]!,
    positive: example.label === 1,
    group: example.group,
  }));
  const grouped = examples.every((example) => example.group !== undefined);
  const intervals = binary
    ? bootstrapIntervals(scored, {
        threshold,
        seed: `${seed}:bootstrap`,
        ...(grouped ? { groupOf: (example: ScoredExample) => example.group! } : {}),
      })
    : multiClassIntervals(examples, classes.length, {
        seed: `${seed}:bootstrap`,
        ...(grouped ? { groupOf: (example: ClassProbabilities) => example.group! } : {}),
      });
  const metrics = Object.fromEntries(
    Object.entries(intervals).map(([name, interval]) => [
      name,
      {
        estimate: finiteOrNull(interval.estimate),
        lower: finiteOrNull(interval.lower),
        upper: finiteOrNull(interval.upper),
      },
    ]),
  ) as ClassificationEvaluation['metrics'];
  const base = { examples: examples.length, classes: [...classes], classCounts, metrics };
  if (!binary) return { ...base, confusionMatrix: confusionMatrix(examples, classes.length), binary: null };
  const confusion = binaryMetrics(scored, threshold).confusion;
  const curve = rocCurve(scored);
  const stride = Math.max(1, Math.ceil(curve.length / maximumRocPoints));
  const roc = curve
    .filter((_, index) => index % stride === 0 || index === curve.length - 1)
    .map(({ falsePositiveRate, truePositiveRate }) => ({ falsePositiveRate, truePositiveRate }));
  return {
    ...base,
    // At the threshold, not by the larger probability: rows and columns negative then positive, as `classes`.
    confusionMatrix: [
      [confusion.trueNegative, confusion.falsePositive],
      [confusion.falseNegative, confusion.truePositive],
    ],
    binary: {
      positiveClass: classes[1]!,
      positives: classCounts[1]!,
      threshold,
      roc,
      confusion,
      ...(examples.length <= maximumKeptExamples && examples.every((example) => example.imageId !== undefined)
        ? {
            examples: examples.map((example) => ({
              imageId: example.imageId!,
              score: example.probabilities[1]!,
              positive: example.label === 1,
            })),
          }
        : {}),
    },
  };
}
