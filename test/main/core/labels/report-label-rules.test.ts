import { describe, expect, it } from 'vitest';
import { findingNames, sampleFindings } from '../../../../main/demo/findings.js';
import { writeReport } from '../../../../main/demo/report-writer.js';
import { SeededRandom } from '../../../../common/seeded-random.js';
import { labelReport } from '../../../../main/core/labels/report-label-rules.js';
import { chestRadiographRules, ReportLabelRules } from '../../../../common/contract/report-label-rules.js';

describe('weak labels from report rules', () => {
  it('reads negations before and after a finding, within their scope', () => {
    const effusion = (text: string) => labelReport(text, chestRadiographRules).effusion;
    expect(effusion('No pleural effusion.')).toBe('negative');
    expect(effusion('No evidence of pleural effusions.')).toBe('negative');
    expect(effusion('Small left pleural effusion with blunting of the costophrenic angle.')).toBe('positive');
    expect(effusion('Pleural effusion is not seen.')).toBe('negative');
    expect(effusion('No pneumothorax but a moderate right pleural effusion.')).toBe('positive');
    expect(
      effusion('No focal consolidation, nodule, mass or lymph node enlargement, small right pleural effusion.'),
    ).toBe('positive');
    expect(effusion('No consolidation. Right pleural effusion.')).toBe('positive');
    expect(effusion('Costophrenic angles are clear.')).toBe('negative');
  });

  it('matches whole words and phrases across line breaks, whatever the case', () => {
    const labels = labelReport('FINDINGS: The heart is\nenlarged. IMPRESSION: CARDIOMEGALY.', chestRadiographRules);
    expect(labels.cardiomegaly).toBe('positive');
    expect(labelReport('Massive improvement.', chestRadiographRules).nodule).toBe('negative');
    expect(labelReport('Normal study.', chestRadiographRules)).toEqual({
      nodule: 'negative',
      consolidation: 'negative',
      effusion: 'negative',
      cardiomegaly: 'negative',
      pneumothorax: 'negative',
      abnormal: 'negative',
    });
  });

  it('derives a combined task from its findings', () => {
    expect(labelReport('Small right apical pneumothorax.', chestRadiographRules).abnormal).toBe('positive');
  });

  it('agrees with the demo generator on at least 95% of 2,000 studies, every task at once, negations included', () => {
    const random = new SeededRandom('weak-labels');
    let agreeing = 0;
    let negatedMentions = 0;
    const studies = 2000;
    for (let study = 0; study < studies; study++) {
      const findings = sampleFindings(random);
      const report = writeReport(random, findings, random.pick(['PA', 'AP']));
      const labels = labelReport(report, chestRadiographRules);
      const present = new Set<string>(findings.map((finding) => finding.name));
      const truth = Object.fromEntries([
        ...findingNames.map((name) => [name, present.has(name) ? 'positive' : 'negative']),
        ['abnormal', present.size > 0 ? 'positive' : 'negative'],
      ]);
      if (JSON.stringify(labels) === JSON.stringify({ ...labels, ...truth })) agreeing += 1;
      if (/\bno\b/i.test(report)) negatedMentions += 1;
    }
    expect(negatedMentions).toBeGreaterThan(studies / 2);
    expect(agreeing / studies).toBeGreaterThanOrEqual(0.95);
  });

  it('refuses rules that cannot work', () => {
    expect(ReportLabelRules.safeParse({ findings: [], negationCues: ['no'] }).success).toBe(false);
    expect(
      ReportLabelRules.safeParse({ findings: [{ task: 'effusion', terms: [''] }], negationCues: ['no'] }).success,
    ).toBe(false);
  });
});
