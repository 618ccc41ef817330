// What a pretraining run measures and records: its data split, retrieval recall with chance, the image-side probe.
import { z } from 'zod';

/** How many image–report pairs went to each split, and how they were drawn. */
export const DatasetSplitSummary = z.object({
  seed: z.string(),
  validationFraction: z.number(),
  testFraction: z.number(),
  images: z.number().int(),
  pairs: z.number().int(),
  trainingPairs: z.number().int(),
  validationPairs: z.number().int(),
  testPairs: z.number().int(),
});
export type DatasetSplitSummary = z.infer<typeof DatasetSplitSummary>;

const perCutoff = z.object({ '1': z.number(), '5': z.number(), '10': z.number() });

export const RecallAtK = z.object({
  /** Hit rate: the share of queries whose own pair is among the K nearest (mmlearn's retrieval recall). */
  recall: perCutoff,
  /** What a random ranking scores: K / N, printed beside every recall. */
  chance: perCutoff,
});
export type RecallAtK = z.infer<typeof RecallAtK>;

/**
 * Text → image recall of the reports of one finding's studies (a labelled task's positives, or `no finding`: negative
 * on every task), against every image of the split. A report of a film with no finding is as close to every other
 * normal film as to its own, so those interchangeable studies hold the overall recall down; this shows where.
 */
export const RecallByFinding = z.object({
  finding: z.string(),
  studies: z.number().int(),
  recall: perCutoff,
  chance: perCutoff,
});
export type RecallByFinding = z.infer<typeof RecallByFinding>;

export const RetrievalMetrics = z.object({
  pairs: z.number().int(),
  imageToText: RecallAtK,
  textToImage: RecallAtK,
  /** Absent from runs judged before it was measured, and where the library has no labelled task. */
  textToImageByFinding: z.array(RecallByFinding).optional(),
});
export type RetrievalMetrics = z.infer<typeof RetrievalMetrics>;

const AurocInterval = z.object({ estimate: z.number(), lower: z.number(), upper: z.number() });

export const ImageProbeResult = z.object({
  task: z.string(),
  testImages: z.number().int(),
  /** Test studies, each judged once on its images' mean score (absent from runs that judged each image). */
  testStudies: z.number().int().optional(),
  /** Positive test studies (images, where testStudies is absent). */
  testPositives: z.number().int(),
  results: z.array(
    z.object({
      /** Share of the labelled training studies the probe was fitted on (all their images). */
      labelFraction: z.number(),
      labelledImages: z.number().int(),
      labelledStudies: z.number().int().optional(),
      /** Independent label draws averaged (one at 100%: there is only one). */
      draws: z.number().int(),
      /**
       * AUROC on the test split: the mean over draws, and a 95% interval pooling a patient-level bootstrap of every
       * draw, so it holds both the test set's and the label sample's variation.
       */
      auroc: AurocInterval,
    }),
  ),
});
export type ImageProbeResult = z.infer<typeof ImageProbeResult>;
