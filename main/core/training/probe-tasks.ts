import type Database from 'better-sqlite3';
import type { PretrainingItem, ProbeTask } from '../../../ml/data/pretraining-dataset.js';
import { binaryValue, studyLabels } from '../labels/study-labels.js';

/** A task with more values than this is a free-text column, not classes to probe one by one. */
const maximumProbedClasses = 20;

/**
 * The library's expert-labelled tasks (manifest tables, labels set by hand) as the image probe after pretraining reads
 * them: a yes/no task as it is, a task of a few classes as one class against the rest each (`task = value`). Weak
 * labels from reports are left out: the probe asks what the images alone carry, and reports made those labels.
 */
export function probeTasks(database: Database.Database, items: readonly PretrainingItem[]): ProbeTask[] {
  const tasks = (
    database.prepare('SELECT DISTINCT task FROM labels ORDER BY task').all() as Array<{ task: string }>
  ).map((row) => row.task);
  return tasks.flatMap((task): ProbeTask[] => {
    const byStudy = studyLabels(database, task, 'expert');
    if (byStudy.size === 0) return [];
    const values = [...new Set(byStudy.values())].sort((left, right) => left.localeCompare(right));
    // Each item's label by its study's value: 1 where `isPositive`, 0 otherwise, null where the study has none.
    const labelled = (isPositive: (value: string) => boolean) =>
      items.map((item) => {
        const value = byStudy.get(item.studyId);
        return value === undefined ? null : isPositive(value) ? (1 as const) : (0 as const);
      });
    if (values.every((value) => binaryValue(value) !== null))
      return [{ task, labels: labelled((value) => binaryValue(value) === 'positive') }];
    if (values.length > maximumProbedClasses) return [];
    return values.map((positive) => ({
      task: `${task} = ${positive}`,
      labels: labelled((value) => value === positive),
    }));
  });
}
