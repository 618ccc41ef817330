import type { PretrainingItem } from '../../ml/data/pretraining-dataset.js';

/**
 * A hand-made library of 41 studies: a 300-slice CT study (study 1), 20 chest studies with a lateral and a frontal
 * view (2–21), and 20 single films (22–41).
 */
export function multiImageStudies(): PretrainingItem[] {
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
