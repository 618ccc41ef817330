import type Database from 'better-sqlite3';
import { auroc } from '../../../common/binary-classification-metrics.js';
import type { ModelRecord } from '../../../common/contract/index.js';
import { heldOutByHash } from '../../../ml/data/pretraining-dataset.js';
import type { VectorIndex } from './vector-index.js';
import { rowDotProduct } from './vector-scan.js';

/**
 * Shares of report–image pairs allowed at or above the bars: `strict` (of pairs with any other study) when nothing else
 * tells what the query looks like, `floor` (of unrelated pairs) under a bar set by the query's own word matches.
 */
export const unrelatedShares = { strict: 0.01, floor: 0.05 } as const;
/** Reports sampled, and images of other studies compared with each: enough for stable upper percentiles. */
const sampledReports = 400;
const imagesPerReport = 50;
/** Fewer unrelated pairs than this give no bar worth the name. */
const minimumPairs = 200;
/** Of the studies compared with a report, the share whose own report is most like it: studies of the same kind. */
const alikeShare = 0.1;
/** Fewer pairs of like studies the model never trained on than this, and no training lift is measured. */
const minimumHeldOutPairs = 20;

/** The similarity the top `share` of these reach (0.5: the median); sorts them in place. */
function reachedBy(similarities: number[], share: number): number {
  similarities.sort((left, right) => left - right);
  return similarities[Math.min(similarities.length - 1, Math.floor((1 - share) * similarities.length))]!;
}

export interface UnrelatedPairBars {
  /** The similarity only 1% of pairs of a report and an image of another study reach. */
  strict: number;
  /** The similarity 5% of pairs of a report and an image of an unrelated study reach. */
  floor: number;
  /**
   * How much closer a report is to images of like studies (their reports most like it) that the model trained on than
   * to those of patients it never saw: the difference of the medians, never below 0. 0 where too few were held out.
   */
  trainingLift: number;
  /** The images of patients the model's split held out of training. */
  heldOutImages: ReadonlySet<number>;
}

/** Every image of the catalog with its study and its patient's pseudonym (the key patient splits hash). */
export function imagePlacements(
  database: Database.Database,
): Array<{ id: number; studyId: number; patientKey: string }> {
  return database
    .prepare(
      `SELECT images.id AS id, series.study_id AS studyId, patients.pseudonym AS patientKey FROM images
       JOIN series ON series.id = images.series_id JOIN studies ON studies.id = series.study_id
       JOIN patients ON patients.id = studies.patient_id`,
    )
    .all() as Array<{ id: number; studyId: number; patientKey: string }>;
}

/**
 * How similar a report and an image of another study are in this model's space and library, at the upper
 * percentiles: the bars an image found by meaning alone must pass. Similarities are not comparable across models (or
 * calibrated in themselves), so a fixed cut-off would keep everything for one model and nothing for another.
 *
 * `strict` counts every other study: with nothing to tell what a query looks like, an image must beat nearly all of
 * them, so a query that means nothing to the model finds nothing. `floor` asks whether a query's word matches stand
 * out from unrelated images, and another study is often not unrelated: half the films of a chest library are normal,
 * a tenth of a ten-class one is the same class, and a report is as close to those images as to its own. So for the
 * floor, of the studies compared with a report only those whose own report is among the less similar half to it (by
 * the model's text side) count. Null when the library has too few linked reports to tell.
 */
export function unrelatedPairBars(
  database: Database.Database,
  index: VectorIndex,
  model: Pick<ModelRecord, 'id' | 'split'>,
): UnrelatedPairBars | null {
  const images = index.vectors(model.id, 'image');
  const reports = index.vectors(model.id, 'report');
  if (!images || !reports || images.ids.length < 2 || reports.ids.length === 0) return null;
  const placed = imagePlacements(database);
  const studyOfImage = new Map(placed.map((row) => [row.id, row.studyId]));
  // One hash a patient, not one an image: a CT series brings hundreds of images of one patient.
  const heldOutPatients = new Map<string, boolean>();
  const heldOut = (patientKey: string) => {
    if (!heldOutPatients.has(patientKey)) heldOutPatients.set(patientKey, heldOutByHash(patientKey, model.split));
    return heldOutPatients.get(patientKey)!;
  };
  const heldOutImages = new Set(placed.filter((row) => heldOut(row.patientKey)).map((row) => row.id));
  const studyOfReport = new Map(
    (
      database.prepare('SELECT id, study_id AS studyId FROM reports WHERE study_id IS NOT NULL').all() as Array<{
        id: number;
        studyId: number;
      }>
    ).map((row) => [row.id, row.studyId]),
  );
  const linked = [...reports.ids.keys()].filter((row) => studyOfReport.has(reports.ids[row]!));
  const reportRowOfStudy = new Map(linked.map((row) => [studyOfReport.get(reports.ids[row]!)!, row]));
  const step = Math.max(1, Math.floor(linked.length / sampledReports));
  const { dimension } = images;
  const otherStudies: number[] = [];
  const unrelated: number[] = [];
  const alike = { trained: [] as number[], heldOut: [] as number[] };
  for (let sample = 0; sample < linked.length; sample += step) {
    const reportRow = linked[sample]!;
    const study = studyOfReport.get(reports.ids[reportRow]!);
    const report = reports.vectors.subarray(reportRow * dimension, (reportRow + 1) * dimension);
    const reported: Array<{ image: number; reports: number; heldOut: boolean }> = [];
    // A fixed stride through the images from a place that moves with the report: spread, and the same every time.
    const stride = Math.max(1, Math.floor(images.ids.length / imagesPerReport));
    for (let taken = 0, imageRow = (sample * 7919) % images.ids.length; taken < imagesPerReport; taken++) {
      imageRow = (imageRow + stride) % images.ids.length;
      const imageStudy = studyOfImage.get(images.ids[imageRow]!);
      if (imageStudy === study) continue;
      const image = rowDotProduct(images.vectors, imageRow, dimension, report);
      otherStudies.push(image);
      const otherReport = imageStudy === undefined ? undefined : reportRowOfStudy.get(imageStudy);
      if (otherReport !== undefined)
        reported.push({
          image,
          reports: rowDotProduct(reports.vectors, otherReport, dimension, report),
          heldOut: heldOutImages.has(images.ids[imageRow]!),
        });
    }
    reported.sort((left, right) => left.reports - right.reports);
    for (const pair of reported.slice(0, Math.ceil(reported.length / 2))) unrelated.push(pair.image);
    for (const pair of reported.slice(reported.length - Math.ceil(reported.length * alikeShare)))
      (pair.heldOut ? alike.heldOut : alike.trained).push(pair.image);
  }
  if (otherStudies.length < minimumPairs || unrelated.length < minimumPairs / 2) return null;
  const measured = alike.heldOut.length >= minimumHeldOutPairs && alike.trained.length >= minimumHeldOutPairs;
  return {
    strict: reachedBy(otherStudies, unrelatedShares.strict),
    floor: reachedBy(unrelated, unrelatedShares.floor),
    trainingLift: measured ? Math.max(0, reachedBy(alike.trained, 0.5) - reachedBy(alike.heldOut, 0.5)) : 0,
    heldOutImages,
  };
}

/**
 * The similarity an image found by meaning alone needs for this query. With word matches, the query shows what it
 * looks like: an image must be as close to it as the median image whose report matched the words, and those matches
 * must themselves stand out from unrelated pairs (their median above what 5% of those reach), or meaning adds nothing
 * (null). Most matches are images the model trained on with their reports, which it pulled closer to such text than
 * images it never saw; as the bar is for unseen images, each trained match counts `trainingLift` lower (the bar never
 * below the floor). Without word matches (a query no report matches, or meaning alone) only the strict bar stands.
 */
export function meaningBar(
  bars: UnrelatedPairBars,
  wordMatches: ReadonlyArray<{ imageId: number; similarity: number }>,
): number | null {
  if (wordMatches.length < 5) return bars.strict;
  const median = reachedBy(
    wordMatches.map((match) => match.similarity),
    0.5,
  );
  if (median < bars.floor) return null;
  const asIfUnseen = wordMatches.map(
    (match) => match.similarity - (bars.heldOutImages.has(match.imageId) ? 0 : bars.trainingLift),
  );
  return Math.max(bars.floor, reachedBy(asIfUnseen, 0.5));
}

/** How well meaning must agree with a query's report words before it adds images of its own. */
export const minimumWordAgreement = 0.8;

/**
 * Whether meaning reads the query as its words do: the AUROC with which the query's vector ranks the images whose
 * reports matched the words above the images whose reports did not. A query the model cannot read ("big heart" when
 * "big" is no word it learned) scores near 0.5, and then nothing it finds alone is worth adding.
 */
export function wordAgreement(wordMatchSimilarities: readonly number[], otherSimilarities: readonly number[]): number {
  return auroc([
    ...wordMatchSimilarities.map((score) => ({ score, positive: true })),
    ...otherSimilarities.map((score) => ({ score, positive: false })),
  ]);
}
