import { z } from 'zod';

/** Which studies a list or search keeps; every field optional. */
export const StudyFilter = z.strictObject({
  modality: z.string().max(16).optional(),
  bodyPart: z.string().max(64).optional(),
  /** The radiograph's view (PA, AP, LL…): studies with an image of that view; search keeps only such images. */
  viewPosition: z.string().max(16).optional(),
  dateFrom: z
    .string()
    .regex(/^\d{8}$/)
    .optional(),
  dateTo: z
    .string()
    .regex(/^\d{8}$/)
    .optional(),
  hasReport: z.boolean().optional(),
  labelTask: z.string().max(200).optional(),
  labelValue: z.string().max(200).optional(),
  /**
   * Studies an image of which the classifier of this fine-tuning run scored at least `minimumPredictionScore` (default
   * 0.5).
   */
  predictionRunId: z.string().max(100).optional(),
  minimumPredictionScore: z.number().min(0).max(1).optional(),
  /** Multi-class classifiers: only images it predicted as this class. */
  predictedClass: z.string().max(200).optional(),
});
export type StudyFilter = z.infer<typeof StudyFilter>;
