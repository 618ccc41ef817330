import { describe, expect, it } from 'vitest';
import {
  minimumEvaluationPairs,
  type PretrainingItem,
  splitByPatient,
  trainingSubset,
} from '../../../ml/data/pretraining-dataset.js';

function library(patients: number, imagesPerPatient: number, prefix = 'patient'): PretrainingItem[] {
  const items: PretrainingItem[] = [];
  for (let patient = 0; patient < patients; patient++) {
    for (let image = 0; image < imagesPerPatient; image++) {
      items.push({
        imageId: items.length + 1,
        studyId: patient * 10 + image,
        patientKey: `${prefix}-${patient}`,
        imageFile: `/cache/${items.length}.u8`,
        imageOffset: 0,
        imageSize: 16,
        reportText: `report ${patient} ${image}`,
        reportId: items.length + 1,
        viewPosition: null,
        seriesId: null,
        reportWords: [],
      });
    }
  }
  return items;
}

function splitOfPatients(items: readonly PretrainingItem[], indices: readonly number[]): Set<string> {
  return new Set(indices.map((index) => items[index]!.patientKey));
}

describe('splitByPatient', () => {
  it('puts every image of a patient in one split and every reported image in some split', () => {
    const items = library(400, 3);
    const split = splitByPatient(items, { validation: 0.1, test: 0.1 }, 'seed-a');
    const [train, validation, test] = [split.train, split.validation, split.test].map((indices) =>
      splitOfPatients(items, indices),
    );
    for (const patient of test!) expect(train!.has(patient) || validation!.has(patient)).toBe(false);
    for (const patient of validation!) expect(train!.has(patient)).toBe(false);
    expect(split.train.length + split.validation.length + split.test.length).toBe(items.length);
    expect(split.test.length / items.length).toBeGreaterThan(0.05);
    expect(split.test.length / items.length).toBeLessThan(0.15);
  });

  it('leaves images without a report out of every split', () => {
    const items = library(50, 2).map((item, index) => (index % 2 ? { ...item, reportText: '', reportId: null } : item));
    const split = splitByPatient(items, { validation: 0.2, test: 0.2 }, 'seed-a');
    const all = [...split.train, ...split.validation, ...split.test];
    expect(all).toHaveLength(50);
    for (const index of all) expect(items[index]!.reportText).not.toBe('');
  });

  it('is fixed by the seed and keeps a patient in its split when the library grows', () => {
    const small = library(300, 1);
    const grown = [...small, ...library(300, 1, 'newcomer')];
    const before = splitByPatient(small, { validation: 0.1, test: 0.1 }, 'seed-a');
    const after = splitByPatient(grown, { validation: 0.1, test: 0.1 }, 'seed-a');
    expect(splitByPatient(small, { validation: 0.1, test: 0.1 }, 'seed-a')).toEqual(before);
    expect(after.test.filter((index) => index < small.length)).toEqual(before.test);
    expect(after.validation.filter((index) => index < small.length)).toEqual(before.validation);
    expect(splitByPatient(small, { validation: 0.1, test: 0.1 }, 'seed-b').test).not.toEqual(before.test);
  });

  it('gives a small library at least the minimum validation and test pairs whatever the seed', () => {
    for (let seed = 0; seed < 200; seed++) {
      const items = library(12, 1);
      const split = splitByPatient(items, { validation: 0.1, test: 0.1 }, `seed-${seed}`);
      expect(split.test.length).toBeGreaterThanOrEqual(minimumEvaluationPairs);
      expect(split.validation.length).toBeGreaterThanOrEqual(minimumEvaluationPairs);
      expect(split.train.length + split.validation.length + split.test.length).toBe(12);
    }
  });
});

describe('trainingSubset', () => {
  it('nests smaller subsets inside larger ones', () => {
    const train = Array.from({ length: 100 }, (_, index) => index * 2);
    const small = trainingSubset(train, 20, 'seed-a');
    const large = trainingSubset(train, 50, 'seed-a');
    expect(small).toHaveLength(20);
    for (const index of small) expect(large).toContain(index);
    expect(trainingSubset(train, undefined, 'seed-a')).toEqual(train);
  });
});
