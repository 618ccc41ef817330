// Embedding a library's images and reports with a model, as the core and the engine both know it.
import { z } from 'zod';
import type { EngineTaskDefinition } from './engine-task.js';

export const embedLibraryTask = {
  parameters: z.strictObject({
    modelFile: z.string(),
    /** The library's image–report items, written by the core. */
    datasetFile: z.string(),
    /** Read for what is embedded already, then replaced. */
    embeddingsFile: z.string(),
  }),
  metrics: z.never(),
  result: z.object({
    updatedImages: z.number().int(),
    updatedReports: z.number().int(),
    removedImages: z.number().int(),
    removedReports: z.number().int(),
    embeddedImages: z.number().int(),
    embeddedReports: z.number().int(),
  }),
} satisfies EngineTaskDefinition;
