import { describe, expect, it } from 'vitest';
import { sampleLabelBudget } from '../../../ml/data/label-budget.js';
import {
  byStudy,
  epochOrder,
  pairsPerEpoch,
  sampleStudyLabelBudget,
  studyGroups,
} from '../../../ml/data/study-sampling.js';
import { multiImageStudies } from '../../support/multi-image-studies.js';

describe('sampling by study', () => {
  const items = multiImageStudies();
  const all = items.map((_, index) => index);

  it('gives each study one image per epoch, so a batch never holds two images of one study', () => {
    expect(pairsPerEpoch(items, all, 'one')).toBe(41);
    expect(pairsPerEpoch(items, all, 'every')).toBe(items.length);
    for (let epoch = 0; epoch < 5; epoch++) {
      const order = epochOrder(items, all, epoch, 'one', 'seed');
      expect(order).toHaveLength(41);
      expect(new Set(order.map((index) => items[index]!.studyId)).size).toBe(41);
      for (let first = 0; first + 8 <= order.length; first += 8) {
        const batch = order.slice(first, first + 8).map((index) => items[index]!.studyId);
        expect(new Set(batch).size).toBe(8);
      }
    }
  });

  it('draws a study’s image anew each epoch, repeatably for a seed', () => {
    const ctSlice = (epoch: number) =>
      epochOrder(items, all, epoch, 'one', 'seed').find((index) => items[index]!.studyId === 1)!;
    const slices = new Set(Array.from({ length: 20 }, (_, epoch) => ctSlice(epoch)));
    expect(slices.size).toBeGreaterThan(10);
    expect(epochOrder(items, all, 3, 'one', 'seed')).toEqual(epochOrder(items, all, 3, 'one', 'seed'));
    expect(epochOrder(items, all, 3, 'one', 'other')).not.toEqual(epochOrder(items, all, 3, 'one', 'seed'));
  });

  it('takes a frontal view where the study has one, under frontal', () => {
    for (let epoch = 0; epoch < 5; epoch++) {
      const order = epochOrder(items, all, epoch, 'frontal', 'seed');
      for (const index of order) {
        const { studyId, viewPosition } = items[index]!;
        if (studyId >= 2) expect(['PA', 'AP']).toContain(viewPosition);
      }
      expect(order.some((index) => items[index]!.studyId === 1)).toBe(true);
    }
  });

  it('draws each of a study’s series with equal chance under series, one image a study all the same', () => {
    const scout = items.findIndex((item) => item.seriesId === 11);
    let scoutDrawn = 0;
    let scoutDrawnUnderOne = 0;
    for (let epoch = 0; epoch < 200; epoch++) {
      const order = epochOrder(items, all, epoch, 'series', 'seed');
      expect(order).toHaveLength(41);
      expect(new Set(order.map((index) => items[index]!.studyId)).size).toBe(41);
      if (order.includes(scout)) scoutDrawn++;
      if (epochOrder(items, all, epoch, 'one', 'seed').includes(scout)) scoutDrawnUnderOne++;
    }
    // The scout is one series of two (about half the epochs), but one image of 301 under `one`.
    expect(scoutDrawn).toBeGreaterThan(70);
    expect(scoutDrawn).toBeLessThan(130);
    expect(scoutDrawnUnderOne).toBeLessThan(10);
    // A study's two views are two series: each drawn about as often.
    const lateral = Array.from({ length: 200 }, (_, epoch) => epochOrder(items, all, epoch, 'series', 'seed')).filter(
      (order) => order.some((index) => items[index]!.studyId === 2 && items[index]!.viewPosition === 'LL'),
    ).length;
    expect(lateral).toBeGreaterThan(70);
    expect(lateral).toBeLessThan(130);
  });

  it('keeps every image a pair under every, as runs recorded before studies were the unit', () => {
    const order = epochOrder(items, all, 0, 'every', 'seed');
    expect([...order].sort((a, b) => a - b)).toEqual(all);
  });

  it('groups a split’s images by study for retrieval, one report standing for each study', () => {
    const { imageStudies, studyItems } = studyGroups(items, all);
    expect(imageStudies).toHaveLength(items.length);
    expect(studyItems).toHaveLength(41);
    expect(new Set(imageStudies.slice(0, 300))).toEqual(new Set([0]));
    studyItems.forEach((index, study) =>
      expect(items[index]!.studyId).toBe(items[all[imageStudies.indexOf(study)]!]!.studyId),
    );
  });

  it('draws a label budget by study: a drawn study brings all its images, the CT counts once', () => {
    // Studies 1–21 positive (the CT and the two-view studies), 22–41 negative.
    const labelOf = (index: number) => (items[index]!.studyId < 22 ? 'positive' : 'negative');
    const all100 = sampleStudyLabelBudget(items, all, labelOf, { fraction: 1 }, 'seed');
    expect(all100).toEqual(all);
    const tenth = sampleStudyLabelBudget(items, all, labelOf, { fraction: 0.1 }, 'seed');
    const studies = byStudy(items, tenth);
    // 10% of 21 positive and of 20 negative studies, rounded: 2 + 2.
    expect(studies).toHaveLength(4);
    for (const images of studies) {
      const studyId = items[images[0]!]!.studyId;
      expect(images).toHaveLength(items.filter((item) => item.studyId === studyId).length);
    }
    // Nested, as label-efficiency curves need: 10% ⊂ 50%.
    const half = new Set(sampleStudyLabelBudget(items, all, labelOf, { fraction: 0.5 }, 'seed'));
    expect(tenth.every((index) => half.has(index))).toBe(true);
  });

  it('is the image-level draw exactly where every study has one image', () => {
    const singles = items.filter((item) => item.studyId >= 22);
    const indices = singles.map((_, index) => index);
    const labelOf = (index: number) => (index % 3 === 0 ? 'positive' : 'negative');
    expect(sampleStudyLabelBudget(singles, indices, labelOf, { fraction: 0.2 }, 'seed')).toEqual(
      sampleLabelBudget(
        indices.map((index) => ({ index, label: labelOf(index) })),
        { fraction: 0.2 },
        'seed',
      ),
    );
  });
});
