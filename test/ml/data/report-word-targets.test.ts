import { describe, expect, it } from 'vitest';
import type { PretrainingItem } from '../../../ml/data/pretraining-dataset.js';
import { ReportWordTargets } from '../../../ml/data/report-word-targets.js';

function item(index: number, reportId: number | null, reportWords: string[]): PretrainingItem {
  return {
    imageId: index + 1,
    studyId: reportId ?? 1000 + index,
    patientKey: `P${index}`,
    imageFile: '/cache/pack',
    imageOffset: 0,
    imageSize: 16,
    reportText: reportWords.join(' '),
    reportId,
    viewPosition: null,
    seriesId: null,
    reportWords,
  };
}

describe('word-prediction targets', () => {
  // 20 reports: "chest" in all, "effusion" in 6 (two of them as "effusions"), "nodule" in 3, "rare" in 1.
  const items = Array.from({ length: 20 }, (_, report) =>
    item(report, report, [
      'chest',
      ...(report < 4 ? ['effusion'] : report < 6 ? ['effusions'] : []),
      ...(report >= 10 && report < 13 ? ['nodule'] : []),
      ...(report === 19 ? ['rare'] : []),
    ]),
  );
  const train = items.map((_, index) => index);

  it('predicts words neither too rare nor in nearly every report, plurals folded into singulars', () => {
    const targets = new ReportWordTargets(items, train, { minimumReports: 3, maximumShare: 0.5, maximumWords: 10 });
    expect(targets.words).toEqual(['effusion', 'nodule']);
    expect(targets.of(items[0]!)).toEqual([0]);
    expect(targets.of(items[5]!)).toEqual([0]);
    expect(targets.of(items[11]!)).toEqual([1]);
    expect(targets.of(items[19]!)).toEqual([]);
    const shares = targets.shares(items, train);
    expect(shares[0]).toBeCloseTo(6 / 20);
    expect(shares[1]).toBeCloseTo(3 / 20);
  });

  it('counts a report once however many images its study has, and only training reports', () => {
    // Three more images of report 10 ("nodule"): still three reports assert it.
    const withViews = [...items, item(20, 10, ['chest', 'nodule']), item(21, 10, ['chest', 'nodule'])];
    const all = withViews.map((_, index) => index);
    expect(
      new ReportWordTargets(withViews, all, { minimumReports: 4, maximumShare: 0.5, maximumWords: 10 }).words,
    ).toEqual(['effusion']);
    // Without reports 0–9 in training, "effusion" is asserted by none.
    expect(
      new ReportWordTargets(items, train.slice(10), { minimumReports: 3, maximumShare: 0.5, maximumWords: 10 }).words,
    ).toEqual(['nodule']);
  });

  it('keeps the most widely asserted words when there are more than it may predict', () => {
    expect(
      new ReportWordTargets(items, train, { minimumReports: 1, maximumShare: 0.5, maximumWords: 2 }).words,
    ).toEqual(['effusion', 'nodule']);
  });
});
