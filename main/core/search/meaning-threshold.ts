import type Database from 'better-sqlite3';
import type { VectorIndex } from './vector-index.js';

/** The share of unrelated report–image pairs that may reach the threshold. */
export const unrelatedShareAbove = 0.01;
/** Reports sampled, and images of other studies compared with each: enough for a stable 99th percentile. */
const sampledReports = 400;
const imagesPerReport = 25;
/** Fewer unrelated pairs than this give no threshold worth the name. */
const minimumPairs = 200;

/**
 * The similarity an image needs to be found by meaning alone: the one only 1% of pairs of a report and an image of
 * another study reach, in this model's own space and library. Similarities are not comparable across models (or
 * calibrated in themselves), so a fixed cut-off would keep everything for one model and nothing for another. Null
 * when the library has too few linked reports to tell.
 */
export function unrelatedPairThreshold(
  database: Database.Database,
  index: VectorIndex,
  modelId: string,
): number | null {
  const images = index.vectors(modelId, 'image');
  const reports = index.vectors(modelId, 'report');
  if (!images || !reports || images.ids.length < 2 || reports.ids.length === 0) return null;
  const studyOfImage = new Map(
    (
      database
        .prepare(
          'SELECT images.id AS id, series.study_id AS studyId FROM images JOIN series ON series.id = images.series_id',
        )
        .all() as Array<{ id: number; studyId: number }>
    ).map((row) => [row.id, row.studyId]),
  );
  const studyOfReport = new Map(
    (
      database.prepare('SELECT id, study_id AS studyId FROM reports WHERE study_id IS NOT NULL').all() as Array<{
        id: number;
        studyId: number;
      }>
    ).map((row) => [row.id, row.studyId]),
  );
  const linked = [...reports.ids.keys()].filter((row) => studyOfReport.has(reports.ids[row]!));
  const step = Math.max(1, Math.floor(linked.length / sampledReports));
  const { dimension } = images;
  const similarities: number[] = [];
  for (let sample = 0; sample < linked.length; sample += step) {
    const reportRow = linked[sample]!;
    const study = studyOfReport.get(reports.ids[reportRow]!);
    const report = reports.vectors.subarray(reportRow * dimension, (reportRow + 1) * dimension);
    // A fixed stride through the images from a place that moves with the report: spread, and the same every time.
    const stride = Math.max(1, Math.floor(images.ids.length / imagesPerReport));
    for (let taken = 0, imageRow = (sample * 7919) % images.ids.length; taken < imagesPerReport; taken++) {
      imageRow = (imageRow + stride) % images.ids.length;
      if (studyOfImage.get(images.ids[imageRow]!) === study) continue;
      let dot = 0;
      for (let component = 0; component < dimension; component++)
        dot += report[component]! * images.vectors[imageRow * dimension + component]!;
      similarities.push(dot);
    }
  }
  if (similarities.length < minimumPairs) return null;
  similarities.sort((left, right) => left - right);
  return similarities[Math.min(similarities.length - 1, Math.floor((1 - unrelatedShareAbove) * similarities.length))]!;
}
