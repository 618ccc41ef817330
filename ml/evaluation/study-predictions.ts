import { byStudy } from '../data/study-sampling.js';
import type { ClassificationItem } from '../data/classification-dataset.js';
import type { ClassProbabilities } from './multiclass-metrics.js';

/**
 * One judged example per study, as a label belongs to a study: the mean of its images' class probabilities (a frontal
 * and a lateral film, or a CT's representative slices, vote equally), its label, its patient for the grouped bootstrap,
 * and its first image to open from a result. `probabilities` holds `classCount` values per entry of `indices`. With one
 * image a study this is the image-level evaluation exactly.
 */
export function studyExamples(
  items: readonly ClassificationItem[],
  indices: readonly number[],
  probabilities: Float32Array,
  classCount: number,
): ClassProbabilities[] {
  const rowOf = new Map(indices.map((index, row) => [index, row]));
  return byStudy(items, indices).map((images) => {
    const mean = new Float32Array(classCount);
    for (const index of images) {
      const row = rowOf.get(index)!;
      for (let value = 0; value < classCount; value++)
        mean[value]! += probabilities[row * classCount + value]! / images.length;
    }
    const first = items[images[0]!]!;
    return { probabilities: mean, label: first.label!, group: first.patientKey, imageId: first.imageId };
  });
}
