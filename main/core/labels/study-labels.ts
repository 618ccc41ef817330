import type Database from 'better-sqlite3';
import { manualSource } from './manual-labels.js';
import { reportRuleSource } from './weak-labels.js';

/** Values that mean "has the finding" (manifest columns: 1, yes, true; weak labels: positive). */
const positiveValues = /^(1|yes|y|true|positive|pos)$/i;
const negativeValues = /^(0|no|n|false|negative|neg)$/i;

/** Sources in order of trust: a label set by hand overrides one from a manifest. */
function sourceRank(source: string): number {
  return source === manualSource ? 0 : 1;
}

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
