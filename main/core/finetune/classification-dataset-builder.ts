import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';
import type { ClassificationDataset } from '../../../ml/data/classification-dataset.js';
import { manualSource } from '../labels/manual-labels.js';
import { reportRuleSource } from '../labels/weak-labels.js';
import { buildPretrainingDataset } from '../training/pretraining-dataset-builder.js';

/** Values that mean "has the finding" (manifest columns: 1, yes, true; weak labels: positive). */
const positiveValues = /^(1|yes|y|true|positive|pos)$/i;
const negativeValues = /^(0|no|n|false|negative|neg)$/i;

/** Sources in order of trust: a label set by hand overrides one from a manifest. */
function sourceRank(source: string): number {
  return source === manualSource ? 0 : 1;
}

/**
 * A task's data for one run: every catalogued image, its study's report, and the study's label for the task from the
 * chosen kind of source. Expert labels (manual, manifest) and weak ones (report rules) are never mixed.
 */
/** Each study's label for a task from one kind of source, one per study: manual over manifest. */
export function studyLabels(database: Database.Database, task: string, labelSource: 'expert' | 'weak'): Map<number, string> {
  const rows = database.prepare('SELECT study_id AS studyId, value, source FROM labels WHERE task = ?').all(task) as Array<{ studyId: number; value: string; source: string }>;
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
 * chosen kind of source. Expert labels (manual, manifest) and weak ones (report rules) are never mixed.
 */
export function buildClassificationDataset(database: Database.Database, libraryPath: string, task: string, labelSource: 'expert' | 'weak'): ClassificationDataset {
  const chosen = studyLabels(database, task, labelSource);
  if (chosen.size === 0) {
    const tasks = (database.prepare('SELECT DISTINCT task FROM labels ORDER BY task').all() as Array<{ task: string }>).map((row) => row.task);
    throw new ApiError('invalid-input', `No ${labelSource} labels for task "${task}". Tasks with labels: ${tasks.join(', ') || 'none'}${labelSource === 'expert' ? '; weak labels from reports need labelSource weak' : ''}.`);
  }
  const unreadable = [...new Set(chosen.values())].filter((value) => binaryValue(value) === null);
  if (unreadable.length > 0) throw new ApiError('invalid-input', `Task "${task}" has values other than yes/no (${unreadable.slice(0, 5).join(', ')}): only binary tasks can be fine-tuned for now.`);
  const { items } = buildPretrainingDataset(database, libraryPath);
  return {
    task,
    labelSource,
    classes: ['negative', 'positive'],
    items: items.map((item) => {
      const label = chosen.get(item.studyId);
      return { ...item, label: label === undefined ? null : binaryValue(label) === 'positive' ? 1 : 0 };
    }),
  };
}
