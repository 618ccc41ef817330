import { z } from 'zod';
import { PretrainingItem } from './pretraining-dataset.js';

/** One image of the library for a classification task: its study's report and the study's label, if it has one. */
export const ClassificationItem = PretrainingItem.extend({
  /** Index into the dataset's classes; null where the study has no label for the task. */
  label: z.number().int().min(0).nullable(),
});
export type ClassificationItem = z.infer<typeof ClassificationItem>;

/** A snapshot of a task's data for one run; binary tasks list the negative class first. */
export const ClassificationDataset = z.strictObject({
  task: z.string(),
  labelSource: z.string(),
  classes: z.array(z.string()).length(2),
  items: z.array(ClassificationItem),
});
export type ClassificationDataset = z.infer<typeof ClassificationDataset>;
