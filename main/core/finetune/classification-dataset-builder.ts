import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import type { ClassificationDataset } from '../../../ml/data/classification-dataset.js';
import { manualSource } from '../labels/manual-labels.js';
import { reportRuleSource } from '../labels/weak-labels.js';
import { buildPretrainingDataset } from '../training/pretraining-dataset-builder.js';

/** Values that mean "has the finding" (manifest columns: 1, yes, true; weak labels: positive). */
const positiveValues = /^(1|yes|y|true|positive|pos)$/i;
const negativeValues = /^(0|no|n|false|negative|neg)$/i;

/** More classes than this is a free-text column, not a task. */
const maximumClasses = 20;

/** Sources in order of trust: a label set by hand overrides one from a manifest. */
function sourceRank(source: string): number {
  return source === manualSource ? 0 : 1;
}

/**
 * A task's data for one run: every catalogued image, its study's report, and the study's label for the task from the
 * chosen kind of source. Expert labels (manual, manifest) and weak ones (report rules) are never mixed. Values that
 * all read as yes/no make a binary task; other values are the classes of a multi-class task.
 */
/** Each study's label for a task from one kind of source, one per study: manual over manifest. */
export function studyLabels(
  database: Database.Database,
  task: string,
  labelSource: 'expert' | 'weak',
): Map<number, string> {
  const rows = database
    .prepare('SELECT study_id AS studyId, value, source FROM labels WHERE task = ?')
    .all(task) as Array<{ studyId: number; value: string; source: string }>;
  const chosen = new Map<number, { value: string; rank: number }>();
  for (const row of rows) {
    const isWeak = row.source === reportRuleSource;
    if (isWeak !== (labelSource === 'weak')) continue;
    const rank = sourceRank(row.source);
    const current = chosen.get(row.studyId);
    if (!current || rank < current.rank) chosen.set(row.studyId, { value: row.value.trim(), rank });
  }
  return new Map([...chosen].map(([studyId, { value }]) => [studyId, value]));
}

/** "positive", "negative", or null for a value that is neither. */
export function binaryValue(value: string): 'positive' | 'negative' | null {
  if (positiveValues.test(value)) return 'positive';
  return negativeValues.test(value) ? 'negative' : null;
}

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
