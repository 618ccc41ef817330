import type Database from 'better-sqlite3';
import { saveLibraryLabelRules } from './library-label-rules.js';
import { reportLabeller } from './report-label-rules.js';
import type { ReportLabelRules } from '../../../common/contract/report-label-rules.js';

/** Labels written from report text carry this source, so they are never mistaken for expert labels. */
export const reportRuleSource = 'report-rules';

export interface WeakLabelSummary {
  studiesLabelled: number;
  labelsWritten: number;
  positivesByTask: Record<string, number>;
}

/**
 * Labels every study that has a report from its reports' text (all of a study's reports read as one), replacing the
 * labels an earlier run of the rules wrote; labels from any other source are left alone. The rules become the
 * library's, which search reads queries and reports with.
 */
export function writeReportRuleLabels(database: Database.Database, rules: ReportLabelRules): WeakLabelSummary {
  const studies = database
    .prepare(
      `SELECT study_id AS studyId, group_concat(text, char(10)) AS text FROM reports WHERE study_id IS NOT NULL GROUP BY study_id ORDER BY study_id`,
    )
    .all() as Array<{ studyId: number; text: string }>;
  const insert = database.prepare('INSERT INTO labels (study_id, task, value, source) VALUES (?, ?, ?, ?)');
  const label = reportLabeller(rules);
  const summary: WeakLabelSummary = { studiesLabelled: studies.length, labelsWritten: 0, positivesByTask: {} };
  database.transaction(() => {
    database.prepare('DELETE FROM labels WHERE source = ?').run(reportRuleSource);
    saveLibraryLabelRules(database, rules);
    for (const study of studies) {
      for (const [task, value] of Object.entries(label(study.text))) {
        insert.run(study.studyId, task, value, reportRuleSource);
        summary.labelsWritten += 1;
        summary.positivesByTask[task] = (summary.positivesByTask[task] ?? 0) + (value === 'positive' ? 1 : 0);
      }
    }
  })();
  return summary;
}

export interface LabelAgreement {
  task: string;
  /** Studies that have both a weak label and a label from another source (expert, manifest) for the task. */
  studiesCompared: number;
  agreeing: number;
}

/** Values that mean "has the finding" in manifest columns (1, yes, true, positive) against everything else. */
function isPositive(value: string): boolean {
  return /^(1|yes|y|true|positive|pos)$/i.test(value.trim());
}

export interface WeakLabelAgreement {
  tasks: LabelAgreement[];
  /** Studies with at least one task labelled both ways, and those whose every such task agrees. */
  studiesCompared: number;
  studiesAgreeingOnEveryTask: number;
}

/** How often the weak labels agree with the library's other labels, per task and per study. */
export function weakLabelAgreement(database: Database.Database): WeakLabelAgreement {
  const pairs = database
    .prepare(
      `SELECT weak.study_id AS studyId, weak.task AS task, weak.value AS weakValue, other.value AS otherValue
       FROM labels AS weak JOIN labels AS other ON other.study_id = weak.study_id AND other.task = weak.task AND other.source <> weak.source
       WHERE weak.source = ?`,
    )
    .all(reportRuleSource) as Array<{ studyId: number; task: string; weakValue: string; otherValue: string }>;
  const byTask = new Map<string, LabelAgreement>();
  const studyAgrees = new Map<number, boolean>();
  for (const pair of pairs) {
    const agreement = byTask.get(pair.task) ?? { task: pair.task, studiesCompared: 0, agreeing: 0 };
    const agrees = (pair.weakValue === 'positive') === isPositive(pair.otherValue);
    agreement.studiesCompared += 1;
    if (agrees) agreement.agreeing += 1;
    byTask.set(pair.task, agreement);
    studyAgrees.set(pair.studyId, (studyAgrees.get(pair.studyId) ?? true) && agrees);
  }
  return {
    tasks: [...byTask.values()].sort((left, right) => left.task.localeCompare(right.task)),
    studiesCompared: studyAgrees.size,
    studiesAgreeingOnEveryTask: [...studyAgrees.values()].filter(Boolean).length,
  };
}
