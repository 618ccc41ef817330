import type { PretrainingItem } from '../../ml/data/pretraining-dataset.js';

/**
 * A hand-made library of 41 studies: a CT study (study 1) of a 300-slice axial series and a one-image scout series
 * after it, 20 chest studies with a lateral and a frontal view in a series each (2–21), and 20 single films (22–41).
 */
export function multiImageStudies(): PretrainingItem[] {
  const items: PretrainingItem[] = [];
  const add = (studyId: number, viewPosition: string | null, seriesId: number) =>
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
      seriesId,
      reportWords: [],
    });
  for (let slice = 0; slice < 300; slice++) add(1, null, 10);
  add(1, null, 11);
  for (let study = 2; study < 22; study++) {
    add(study, 'LL', study * 10);
    add(study, study % 2 === 0 ? 'PA' : 'AP', study * 10 + 1);
  }
  for (let study = 22; study < 42; study++) add(study, 'PA', study * 10);
  return items;
}
