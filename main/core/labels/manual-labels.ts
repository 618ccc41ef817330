import type Database from 'better-sqlite3';
import { ApiError } from '../../api/api-error.js';

/** Labels set by hand in the app carry this source; they outrank manifest labels of the same task. */
export const manualSource = 'manual';

export interface LabellingItem {
  studyId: number;
  imageId: number | null;
  reportText: string;
  /** The label already set by hand, if any ("positive", "negative"). */
  manualValue: string | null;
}

/**
 * Studies to label by hand for a task, those without a manual label first, then by id; each with its first image and
 * its report. Other labels (manifest, weak) are not shown, so they cannot steer the reader.
 */
export function labellingQueue(
  database: Database.Database,
  task: string,
  offset: number,
  limit: number,
): { total: number; unlabelled: number; items: LabellingItem[] } {
  const total = (database.prepare('SELECT count(*) AS count FROM studies').get() as { count: number }).count;
  const labelled = (
    database.prepare('SELECT count(*) AS count FROM labels WHERE task = ? AND source = ?').get(task, manualSource) as {
      count: number;
    }
  ).count;
  const items = database
    .prepare(
      `SELECT studies.id AS studyId,
         (SELECT min(images.id) FROM images JOIN series ON series.id = images.series_id WHERE series.study_id = studies.id) AS imageId,
         coalesce((SELECT group_concat(text, char(10)) FROM reports WHERE reports.study_id = studies.id), '') AS reportText,
         manual.value AS manualValue
       FROM studies LEFT JOIN labels AS manual ON manual.study_id = studies.id AND manual.task = @task AND manual.source = @source
       ORDER BY manual.value IS NOT NULL, studies.id LIMIT @limit OFFSET @offset`,
    )
    .all({ task, source: manualSource, limit, offset }) as LabellingItem[];
  return { total, unlabelled: total - labelled, items };
}

/** Sets (or with `null` removes) a study's manual label for a task. */
export function setManualLabel(
  database: Database.Database,
  studyId: number,
  task: string,
  value: 'positive' | 'negative' | null,
): void {
  if (!database.prepare('SELECT 1 FROM studies WHERE id = ?').get(studyId))
    throw new ApiError('not-found', `No study with id ${studyId}.`);
  if (value === null) {
    database
      .prepare('DELETE FROM labels WHERE study_id = ? AND task = ? AND source = ?')
      .run(studyId, task, manualSource);
    return;
  }
  database
    .prepare(
      'INSERT INTO labels (study_id, task, value, source) VALUES (?, ?, ?, ?) ON CONFLICT (study_id, task, source) DO UPDATE SET value = excluded.value',
    )
    .run(studyId, task, value, manualSource);
}
