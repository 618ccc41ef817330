import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import type { ClassificationDataset } from '../../../ml/data/classification-dataset.js';
import { binaryValue, studyLabels } from '../labels/study-labels.js';
import { buildPretrainingDataset } from '../training/pretraining-dataset-builder.js';

/** More classes than this is a free-text column, not a task. */
const maximumClasses = 20;

/**
 * A task's data for one run: every catalogued image, its study's report, and the study's label for the task from the
 * chosen kind of source. Expert labels (manual, manifest) and weak ones (report rules) are never mixed. Values that
 * all read as yes/no make a binary task; other values are the classes of a multi-class task.
 */
export function buildClassificationDataset(
  database: Database.Database,
  libraryPath: string,
  task: string,
  labelSource: 'expert' | 'weak',
): ClassificationDataset {
  const chosen = studyLabels(database, task, labelSource);
  if (chosen.size === 0) {
    const tasks = (
      database.prepare('SELECT DISTINCT task FROM labels ORDER BY task').all() as Array<{ task: string }>
    ).map((row) => row.task);
    throw new ApiError(
      'invalid-input',
      `No ${labelSource} labels for task "${task}". Tasks with labels: ${tasks.join(', ') || 'none'}${labelSource === 'expert' ? '; weak labels from reports need labelSource weak' : ''}.`,
    );
  }
  const values = [...new Set(chosen.values())].sort((left, right) => left.localeCompare(right));
  const binary = values.every((value) => binaryValue(value) !== null);
  if (!binary && values.length > maximumClasses)
    throw new ApiError(
      'invalid-input',
      `Task "${task}" has ${values.length} different values (${values.slice(0, 5).join(', ')}…): a classifier takes at most ${maximumClasses} classes.`,
    );
  if (values.length < 2 && !binary)
    throw new ApiError(
      'invalid-input',
      `Task "${task}" has one value only (${values[0]}): a classifier needs at least two classes.`,
    );
  const classes = binary ? ['negative', 'positive'] : values;
  const { items } = buildPretrainingDataset(database, libraryPath);
  return {
    task,
    labelSource,
    classes,
    items: items.map((item) => {
      const label = chosen.get(item.studyId);
      if (label === undefined) return { ...item, label: null };
      return { ...item, label: binary ? (binaryValue(label) === 'positive' ? 1 : 0) : classes.indexOf(label) };
    }),
  };
}
