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
