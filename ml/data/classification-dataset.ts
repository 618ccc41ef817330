import { z } from 'zod';
import type { LabelBudget } from './label-budget.js';
import { type DatasetSplit, PretrainingItem, splitByPatient } from './pretraining-dataset.js';
import { sampleStudyLabelBudget } from './study-sampling.js';

/** One image of the library for a classification task: its study's report and the study's label, if it has one. */
export const ClassificationItem = PretrainingItem.extend({
  /** Index into the dataset's classes; null where the study has no label for the task. */
  label: z.number().int().min(0).nullable(),
});
export type ClassificationItem = z.infer<typeof ClassificationItem>;

/**
 * A snapshot of a task's data for one run; binary tasks are ['negative', 'positive'], multi-class ones their values.
 */
export const ClassificationDataset = z.strictObject({
  task: z.string(),
  labelSource: z.string(),
  classes: z.array(z.string()).min(2),
  items: z.array(ClassificationItem),
});
export type ClassificationDataset = z.infer<typeof ClassificationDataset>;

export interface TaskSplit {
  split: DatasetSplit;
  labelledTraining: number[];
  /** The label budget: a stratified sample of the labelled training studies, with all their images. */
  budget: number[];
  validation: number[];
  test: number[];
}

/**
 * The images a run trains, checks and judges on: the patient split of `settings` (the encoder's own) over every
 * image, then the stratified label budget drawn by study from the labelled training studies; unlabelled images take
 * part in TD-Calib and the Adaptor only.
 */
export function taskSplit(
  items: readonly ClassificationItem[],
  classes: readonly string[],
  settings: { seed: string; validationFraction: number; testFraction: number },
  budget: LabelBudget,
  budgetSeed: string,
): TaskSplit {
  const split = splitByPatient(
    items,
    { validation: settings.validationFraction, test: settings.testFraction },
    settings.seed,
    { includeImagesWithoutReports: true },
  );
  const labelled = (indices: readonly number[]) => indices.filter((index) => items[index]!.label !== null);
  const labelledTraining = labelled(split.train);
  return {
    split,
    labelledTraining,
    budget: sampleStudyLabelBudget(
      items,
      labelledTraining,
      (index) => classes[items[index]!.label!]!,
      budget,
      budgetSeed,
    ),
    validation: labelled(split.validation),
    test: labelled(split.test),
  };
}
