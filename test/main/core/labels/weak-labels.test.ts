import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chestRadiographRules } from '../../../../common/contract/report-label-rules.js';
import {
  reportRuleSource,
  weakLabelAgreement,
  writeReportRuleLabels,
} from '../../../../main/core/labels/weak-labels.js';
import { demoExport, runCli } from '../../../support/demo-export.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

describe('weak labels on an imported library', () => {
  const workspace = temporaryLibrary();
  const library = path.join(workspace.path, 'library');
  let database: Database.Database;

  beforeAll(() => {
    const imported = runCli(['import', demoExport(60), '--library', library, '--json']);
    expect(imported.status, imported.stderr).toBe(0);
    database = new Database(path.join(library, 'catalog.sqlite'));
  }, 300_000);
  afterAll(() => {
    database?.close();
    workspace.remove();
  });

  const count = (sql: string, ...parameters: unknown[]) =>
    (database.prepare(sql).get(...parameters) as { count: number }).count;

  it('labels every study with a report, apart from the manifest labels, and agrees with them on at least 95% of studies', () => {
    const manifestLabels = count('SELECT count(*) AS count FROM labels WHERE source <> ?', reportRuleSource);
    expect(manifestLabels).toBeGreaterThan(0);
    const studiesWithReports = count(
      'SELECT count(DISTINCT study_id) AS count FROM reports WHERE study_id IS NOT NULL',
    );
    const summary = writeReportRuleLabels(database, chestRadiographRules);
    expect(summary.studiesLabelled).toBe(studiesWithReports);
    expect(summary.labelsWritten).toBe(studiesWithReports * 6);
    expect(summary.positivesByTask.abnormal).toBeGreaterThan(0);
    expect(count('SELECT count(*) AS count FROM labels WHERE source <> ?', reportRuleSource)).toBe(manifestLabels);

    const agreement = weakLabelAgreement(database);
    expect(agreement.tasks.map((task) => task.task)).toEqual([
      'abnormal',
      'cardiomegaly',
      'consolidation',
      'effusion',
      'nodule',
      'pneumothorax',
    ]);
    expect(agreement.studiesCompared).toBe(studiesWithReports);
    expect(agreement.studiesAgreeingOnEveryTask / agreement.studiesCompared).toBeGreaterThanOrEqual(0.95);
  });

  it('replaces its own labels when run again and notices a disagreement', () => {
    writeReportRuleLabels(database, chestRadiographRules);
    const before = count('SELECT count(*) AS count FROM labels WHERE source = ?', reportRuleSource);
    writeReportRuleLabels(database, chestRadiographRules);
    expect(count('SELECT count(*) AS count FROM labels WHERE source = ?', reportRuleSource)).toBe(before);

    const study = database
      .prepare("SELECT study_id AS studyId FROM labels WHERE source = ? AND task = 'abnormal' LIMIT 1")
      .get(reportRuleSource) as { studyId: number };
    database
      .prepare(
        "UPDATE labels SET value = CASE value WHEN 'positive' THEN 'negative' ELSE 'positive' END WHERE source = ? AND task = 'abnormal' AND study_id = ?",
      )
      .run(reportRuleSource, study.studyId);
    const abnormal = weakLabelAgreement(database).tasks.find((task) => task.task === 'abnormal')!;
    expect(abnormal.studiesCompared - abnormal.agreeing).toBeGreaterThanOrEqual(1);
  });

  it('runs from the CLI, and refuses a rule file that is not a rule set without touching the labels', () => {
    const run = runCli(['weak-labels', '--library', library, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const { written, agreement } = run.json() as {
      written: { studiesLabelled: number };
      agreement: { studiesCompared: number; studiesAgreeingOnEveryTask: number };
    };
    expect(agreement.studiesAgreeingOnEveryTask).toBe(agreement.studiesCompared);
    expect(written.studiesLabelled).toBe(agreement.studiesCompared);

    const before = count('SELECT count(*) AS count FROM labels');
    const badRules = path.join(workspace.path, 'rules.json');
    fs.writeFileSync(badRules, JSON.stringify({ findings: [{ task: 'effusion', terms: [] }], negationCues: ['no'] }));
    const refused = runCli(['weak-labels', '--library', library, '--rules', badRules]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/not a rule set: findings\.0\.terms/);
    expect(count('SELECT count(*) AS count FROM labels')).toBe(before);
  });
});
