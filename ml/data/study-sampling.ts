import { SeededRandom } from '../../common/seeded-random.js';
import type { StudyImages } from '../../common/contract/training.js';
import { type LabelBudget, sampleLabelBudget } from './label-budget.js';
import type { PretrainingItem } from './pretraining-dataset.js';

/** Frontal chest views (ViewPosition): what `frontal` draws from where a study has any. */
const frontalViews = new Set(['PA', 'AP']);

/** The images of `indices` by study, studies in the order their first image comes. */
export function byStudy(
  items: ReadonlyArray<Pick<PretrainingItem, 'studyId'>>,
  indices: readonly number[],
): number[][] {
  const groups = new Map<number, number[]>();
  for (const index of indices) {
    const studyId = items[index]!.studyId;
    const group = groups.get(studyId);
    if (group) group.push(index);
    else groups.set(studyId, [index]);
  }
  return [...groups.values()];
}

/** One image of each study of `indices` (its first), studies in the order their first image comes: one per label. */
export function firstImagePerStudy(
  items: ReadonlyArray<Pick<PretrainingItem, 'studyId'>>,
  indices: readonly number[],
): number[] {
  return byStudy(items, indices).map((images) => images[0]!);
}

/**
 * The images of `indices` with their study as a number (0 … S−1, in the order studies first come) and, per study, the
 * item whose report stands for it: what retrieval by study reads.
 */
export function studyGroups(
  items: readonly PretrainingItem[],
  indices: readonly number[],
): { imageStudies: Int32Array; studyItems: number[] } {
  const studies = byStudy(items, indices);
  const studyOf = new Map(studies.flatMap((images, study) => images.map((index) => [index, study] as const)));
  return {
    imageStudies: Int32Array.from(indices, (index) => studyOf.get(index)!),
    studyItems: studies.map((images) => images[0]!),
  };
}

/** The seeded shuffle an epoch's order starts from: the same for pretraining and for fine-tuning's images. */
export function epochShuffle(indices: readonly number[], epoch: number, seed: string): number[] {
  return new SeededRandom(`${seed}:order:${epoch}`).shuffle([...indices]);
}

/** Training pairs one epoch has: its images under `every`, else its studies. */
export function pairsPerEpoch(
  items: readonly PretrainingItem[],
  indices: readonly number[],
  policy: StudyImages,
): number {
  return policy === 'every' ? indices.length : byStudy(items, indices).length;
}

/**
 * `series`: one image per series (its first in the shuffle, so uniform within the series), then per study the first of
 * those in a second shuffle of their own, so each of a study's series is drawn with equal chance whatever its size.
 */
function oneSeriesAStudy(
  items: readonly PretrainingItem[],
  shuffled: readonly number[],
  epoch: number,
  seed: string,
): number[] {
  const perSeries = new Map<string, number>();
  for (const index of shuffled) {
    // Datasets saved before series were recorded count each image as a series of its own.
    const series = items[index]!.seriesId === null ? `image ${index}` : `series ${items[index]!.seriesId}`;
    if (!perSeries.has(series)) perSeries.set(series, index);
  }
  const chosen = new Map<number, number>();
  for (const index of new SeededRandom(`${seed}:series:${epoch}`).shuffle([...perSeries.values()])) {
    const { studyId } = items[index]!;
    if (!chosen.has(studyId)) chosen.set(studyId, index);
  }
  return [...chosen.values()];
}

/**
 * The training order of one epoch. `every`: a seeded shuffle of the images. Otherwise one image per study: the first of
 * its images in that same shuffle (under `frontal` its first frontal view, where it has any; under `series` see
 * oneSeriesAStudy), so each epoch draws a study's image anew and uniformly, and studies come in the order their first
 * image does (a library of one image a study trains exactly as under `every`). A study of 300 slices weighs as much as
 * a single film, and no batch holds two images of one study, which would be each other's negatives under one report.
 */
export function epochOrder(
  items: readonly PretrainingItem[],
  indices: readonly number[],
  epoch: number,
  policy: StudyImages,
  seed: string,
): number[] {
  const shuffled = epochShuffle(indices, epoch, seed);
  if (policy === 'every') return shuffled;
  if (policy === 'series') return oneSeriesAStudy(items, shuffled, epoch, seed);
  const chosen = new Map<number, number>();
  const frontalChosen = new Set<number>();
  for (const index of shuffled) {
    const { studyId, viewPosition } = items[index]!;
    const frontal = policy === 'frontal' && frontalViews.has(viewPosition ?? '');
    if (!chosen.has(studyId) || (frontal && !frontalChosen.has(studyId))) chosen.set(studyId, index);
    if (frontal) frontalChosen.add(studyId);
  }
  return [...chosen.values()];
}

/**
 * A label budget drawn by study, not by image: the study is what carries the label, so 1% of the labels is 1% of the
 * labelled studies (stratified and nested as sampleLabelBudget), and a drawn study brings every one of its images.
 * With one image a study this is exactly the image-level draw.
 */
export function sampleStudyLabelBudget(
  items: ReadonlyArray<Pick<PretrainingItem, 'studyId'>>,
  indices: readonly number[],
  labelOf: (index: number) => string,
  budget: LabelBudget,
  seed: string,
): number[] {
  // Studies numbered in the order of their first image, so that with one image a study the draw is the image-level one.
  const studies = byStudy(
    items,
    [...indices].sort((left, right) => left - right),
  );
  const chosen = sampleLabelBudget(
    studies.map((images, study) => ({ index: study, label: labelOf(images[0]!) })),
    budget,
    seed,
  );
  return chosen.flatMap((study) => studies[study]!).sort((left, right) => left - right);
}
