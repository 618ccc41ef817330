import { createHash } from 'node:crypto';
import { z } from 'zod';
import { numericSeed } from '../../common/seeded-random.js';
import type { DatasetSplitSummary } from '../../common/contract/evaluation.js';

/** One image of the library with its study's report: what the core hands the engine to pretrain on. */
/** A labelled task as the probe reads it: each dataset item's label, null where its study has none. */
export const ProbeTask = z.strictObject({
  task: z.string().min(1),
  labels: z.array(z.union([z.literal(0), z.literal(1)]).nullable()),
});
export type ProbeTask = z.infer<typeof ProbeTask>;

export const PretrainingItem = z.strictObject({
  imageId: z.number().int(),
  studyId: z.number().int(),
  /** The catalog's pseudonym: splits group by it so no patient is in two splits. */
  patientKey: z.string(),
  /**
   * The cached model image: `imageSize`² bytes, 8-bit grey, letterboxed, at `imageOffset` of this file (absolute path).
   */
  imageFile: z.string(),
  /** 0 for a file of its own; the place in a pack (datasets saved before packs have no offset). */
  imageOffset: z.number().int().nonnegative().default(0),
  imageSize: z.number().int().positive(),
  /** Empty when the study has no report: such images are embedded for search but not trained on. */
  reportText: z.string(),
  reportId: z.number().int().nullable(),
  /** DICOM ViewPosition (PA, AP, LL…), for the `frontal` pairing policy; null where the file has none. */
  viewPosition: z.string().nullable().default(null),
  /** The image's series, for the `series` pairing policy; null in datasets saved before it (a series per image). */
  seriesId: z.number().int().nullable().default(null),
  /**
   * The words its report asserts (outside negations, lowercased), for the word-prediction objective; empty in
   * datasets saved before it.
   */
  reportWords: z.array(z.string()).default([]),
});
export type PretrainingItem = z.infer<typeof PretrainingItem>;

export const PretrainingDataset = z.strictObject({
  items: z.array(PretrainingItem),
  /** The library's labelled tasks, read by the image probe after pretraining (datasets of older runs have none). */
  probeTasks: z.array(ProbeTask).default([]),
});
export type PretrainingDataset = z.infer<typeof PretrainingDataset>;

export interface SplitFractions {
  validation: number;
  test: number;
}

export interface DatasetSplit {
  train: number[];
  validation: number[];
  test: number[];
}

/** A patient's position in [0, 1), fixed by the seed: the same patient always lands in the same split. */
function patientPosition(patientKey: string, seed: string): number {
  return createHash('sha256').update(`${seed}\u0000${patientKey}`).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Whether the seeded hash places a patient in the validation or test split, so that a model trained with these
 * settings never saw its pairs (splitByPatient's top-up, for libraries too small to fill those splits, aside).
 */
export function heldOutByHash(
  patientKey: string,
  settings: { seed: string; validationFraction: number; testFraction: number },
): boolean {
  return patientPosition(patientKey, settings.seed) < settings.testFraction + settings.validationFraction;
}

/** Fewest pairs the validation and test splits get when the library has them: recall on fewer says nothing. */
export const minimumEvaluationPairs = 2;

/**
 * Train/validation/test by patient, never by image: every image of a patient goes to one split, so a model cannot be
 * rewarded for recognising a patient it trained on. Only items with a report take part, unless
 * `includeImagesWithoutReports` (classification, where an image alone can be labelled). A patient's split is fixed by
 * the seeded hash of its pseudonym; only where that leaves the test or validation split under `minimumEvaluationPairs`
 * (a small library) do the patients next in hash order join it, so large libraries keep hash-stable splits.
 */
export function splitByPatient(
  items: readonly PretrainingItem[],
  fractions: SplitFractions,
  seed: string,
  options: { includeImagesWithoutReports?: boolean } = {},
): DatasetSplit {
  const patients = new Map<string, { position: number; indices: number[] }>();
  items.forEach((item, index) => {
    if (!item.reportText && !options.includeImagesWithoutReports) return;
    const patient = patients.get(item.patientKey) ?? { position: patientPosition(item.patientKey, seed), indices: [] };
    patient.indices.push(index);
    patients.set(item.patientKey, patient);
  });
  const ordered = [...patients.values()].sort((left, right) => left.position - right.position);
  const splitOf = ordered.map(({ position }): keyof DatasetSplit =>
    position < fractions.test ? 'test' : position < fractions.test + fractions.validation ? 'validation' : 'train',
  );
  const topUp = (target: keyof DatasetSplit, donors: readonly (keyof DatasetSplit)[]) => {
    let pairs = ordered.reduce(
      (sum, patient, rank) => sum + (splitOf[rank] === target ? patient.indices.length : 0),
      0,
    );
    for (let rank = 0; rank < ordered.length && pairs < minimumEvaluationPairs; rank++) {
      if (!donors.includes(splitOf[rank]!)) continue;
      splitOf[rank] = target;
      pairs += ordered[rank]!.indices.length;
    }
  };
  topUp('test', ['validation', 'train']);
  topUp('validation', ['train']);
  const split: DatasetSplit = { train: [], validation: [], test: [] };
  ordered.forEach((patient, rank) => split[splitOf[rank]!].push(...patient.indices));
  for (const indices of [split.train, split.validation, split.test]) indices.sort((left, right) => left - right);
  return split;
}

/** A seeded subset of the training split, nested across sizes: a smaller training set is part of every larger one. */
export function trainingSubset(train: readonly number[], limit: number | undefined, seed: string): number[] {
  if (limit === undefined || limit >= train.length) return [...train];
  const keyed = train.map((index) => ({ index, key: numericSeed(`${seed}:subset:${index}`) }));
  keyed.sort((left, right) => left.key - right.key || left.index - right.index);
  return keyed
    .slice(0, limit)
    .map((entry) => entry.index)
    .sort((left, right) => left - right);
}

export interface SplitSettings {
  validationFraction: number;
  testFraction: number;
  trainingImagesLimit?: number | undefined;
  seed: string;
}

export function summariseSplit(items: readonly PretrainingItem[], settings: SplitSettings): DatasetSplitSummary {
  const split = splitByPatient(
    items,
    { validation: settings.validationFraction, test: settings.testFraction },
    settings.seed,
  );
  return {
    seed: settings.seed,
    validationFraction: settings.validationFraction,
    testFraction: settings.testFraction,
    images: items.length,
    pairs: split.train.length + split.validation.length + split.test.length,
    trainingPairs: trainingSubset(split.train, settings.trainingImagesLimit, settings.seed).length,
    validationPairs: split.validation.length,
    testPairs: split.test.length,
  };
}
