import { describe, expect, it } from 'vitest';
import type { PretrainingItem } from '../../../ml/data/pretraining-dataset.js';
import { epochOrder, pairsPerEpoch, studyGroups } from '../../../ml/data/study-sampling.js';

/** A hand-made library: a 300-slice CT study, chest studies with a frontal and a lateral view, single films. */
function library(): PretrainingItem[] {
  const items: PretrainingItem[] = [];
  const add = (studyId: number, viewPosition: string | null) =>
    items.push({
      imageId: items.length + 1,
      studyId,
      patientKey: `P${studyId}`,
      imageFile: '/cache/pack',
      imageOffset: 0,
      imageSize: 16,
      reportText: `report of study ${studyId}`,
      reportId: studyId,
      viewPosition,
    });
  for (let slice = 0; slice < 300; slice++) add(1, null);
  for (let study = 2; study < 22; study++) {
    add(study, 'LL');
    add(study, study % 2 === 0 ? 'PA' : 'AP');
  }
  for (let study = 22; study < 42; study++) add(study, 'PA');
  return items;
}

describe('sampling by study', () => {
  const items = library();
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
});
