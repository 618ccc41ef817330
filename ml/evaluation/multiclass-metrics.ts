import { auroc, bootstrapMetrics, type Interval, type MetricName } from '../../common/binary-classification-metrics.js';

/** One prediction of a C-class classifier: its probability for each class and the true class. */
export interface ClassProbabilities {
  probabilities: ArrayLike<number>;
  label: number;
  /** Examples sharing a group (a patient's images) are resampled together. */
  group?: string;
  /** The image judged, when the caller knows it: kept with a binary evaluation's examples. */
  imageId?: number;
}

export function predictedClass(probabilities: ArrayLike<number>): number {
  let best = 0;
  for (let index = 1; index < probabilities.length; index++)
    if (probabilities[index]! > probabilities[best]!) best = index;
  return best;
}

/** Rows: true class; columns: predicted class (the most probable). */
export function confusionMatrix(examples: readonly ClassProbabilities[], classes: number): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (const example of examples) matrix[example.label]![predictedClass(example.probabilities)]! += 1;
  return matrix;
}

/**
 * Accuracy and one-vs-rest macro averages: AUROC of each class's probability against the rest, and each class's
 * sensitivity, specificity and F1 from the confusion matrix, averaged over the classes present (NaN-free).
 */
export function multiClassMetrics(
  examples: readonly ClassProbabilities[],
  classes: number,
): Record<MetricName, number> {
  const matrix = confusionMatrix(examples, classes);
  const total = examples.length;
  const perClass = Array.from({ length: classes }, (_, index) => {
    const truePositive = matrix[index]![index]!;
    const actual = matrix[index]!.reduce((sum, count) => sum + count, 0);
    const predicted = matrix.reduce((sum, row) => sum + row[index]!, 0);
    const negatives = total - actual;
    return {
      present: actual > 0 && negatives > 0,
      auroc: auroc(
        examples.map((example) => ({ score: example.probabilities[index]!, positive: example.label === index })),
      ),
      sensitivity: actual > 0 ? truePositive / actual : Number.NaN,
      specificity: negatives > 0 ? (negatives - (predicted - truePositive)) / negatives : Number.NaN,
      f1: actual + predicted > 0 ? (2 * truePositive) / (actual + predicted) : Number.NaN,
    };
  });
  const macro = (key: 'auroc' | 'sensitivity' | 'specificity' | 'f1') => {
    const values = perClass
      .filter((entry) => entry.present)
      .map((entry) => entry[key])
      .filter((value) => !Number.isNaN(value));
    return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
  };
  const correct = matrix.reduce((sum, row, index) => sum + row[index]!, 0);
  return {
    auroc: macro('auroc'),
    accuracy: total > 0 ? correct / total : Number.NaN,
    sensitivity: macro('sensitivity'),
    specificity: macro('specificity'),
    f1: macro('f1'),
  };
}

/** Each metric with a seeded 95% percentile-bootstrap interval over the examples. */
export function multiClassIntervals(
  examples: readonly ClassProbabilities[],
  classes: number,
  options: { resamples?: number; seed?: string; groupOf?: (example: ClassProbabilities) => string } = {},
): Record<MetricName, Interval> {
  return bootstrapMetrics(examples, (sample) => multiClassMetrics(sample, classes), options);
}
