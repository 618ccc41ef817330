import {
  finetuneMethodName,
  finetuneMethodNames,
  parseFinetuneMethodName,
  type FinetuneMethod,
} from '../../common/finetune-method-name.js';
import type { ClassificationEvaluation, ClassifierRun } from '../../common/contract/finetune.js';
import { CliUsageError } from './cli-command.js';

/** A `--method` value, or a usage error naming the choices. */
export function parseMethod(value: string): { method: FinetuneMethod; tdCalib: boolean } {
  const parsed = parseFinetuneMethodName(value);
  if (!parsed) throw new CliUsageError(`--method is one of ${finetuneMethodNames.join(', ')}; got "${value}".`);
  return parsed;
}

const percent = (value: number | null) => (value === null ? 'n/a' : value.toFixed(3));

/** "0.912 [0.870, 0.947]" for each metric, then the confusion matrix. */
export function describeEvaluation(
  name: string,
  evaluation: ClassificationEvaluation | null,
  unit: 'studies' | 'images' = 'studies',
): string[] {
  if (!evaluation) return [`  ${name}: not evaluated`];
  const { metrics, binary } = evaluation;
  const counts = evaluation.classes.map((label, index) => `${evaluation.classCounts[index]} ${label}`).join(', ');
  const macro = binary ? '' : ' (one-vs-rest, macro)';
  return [
    `  ${name}: ${evaluation.examples} ${unit} (${counts})${binary ? `, threshold ${binary.threshold} on ${binary.positiveClass}` : ''}`,
    ...(['auroc', 'accuracy', 'sensitivity', 'specificity', 'f1'] as const).map(
      (metric) =>
        `    ${metric.padEnd(11)} ${percent(metrics[metric].estimate)} [${percent(metrics[metric].lower)}, ${percent(metrics[metric].upper)}]${metric === 'accuracy' ? '' : macro}`,
    ),
    binary
      ? `    confusion   TP ${binary.confusion.truePositive}  FP ${binary.confusion.falsePositive}  TN ${binary.confusion.trueNegative}  FN ${binary.confusion.falseNegative}`
      : `    confusion (rows true, columns predicted): ${evaluation.confusionMatrix.map((row, index) => `${evaluation.classes[index]} [${row.join(' ')}]`).join('; ')}`,
  ];
}

export function describeClassifierRun(run: ClassifierRun): string {
  const description = run.description ?? {};
  // Runs recorded before studies were the unit were judged by image.
  const unit = description.testStudies === undefined ? 'images' : 'studies';
  return [
    `Run ${run.id} (${run.name}): ${run.state}`,
    `  task ${run.task}, method ${finetuneMethodName(run)}, encoder ${run.modelId ?? 'deleted'}`,
    description.budgetStudies === undefined
      ? `  labels: ${String(description.budgetImages ?? '?')} of ${String(description.labelledTrainingImages ?? '?')} labelled training images (${String(description.budgetPositives ?? '?')} positive); split by patient, seed ${run.split.seed}`
      : `  labels: ${String(description.budgetStudies)} of ${String(description.labelledTrainingStudies)} labelled training studies (${String(description.budgetImages)} images; ${String(description.budgetPositives)} positive studies); split by patient, seed ${run.split.seed}`,
    ...(run.parameterCount
      ? [
          `  parameters: ${run.parameterCount.trainable.toLocaleString('en')} trained, ${run.parameterCount.frozen.toLocaleString('en')} frozen`,
        ]
      : []),
    ...describeEvaluation('validation', run.validation, unit),
    ...describeEvaluation('test', run.test, unit),
    ...(run.predictions > 0 ? [`  predictions stored for ${run.predictions} images`] : []),
    ...(run.error ? [`  error: ${run.error}`] : []),
  ].join('\n');
}
