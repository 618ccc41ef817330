// Encoding texts (search queries) with a model's text side, as the core and the engine both know it.
import { z } from 'zod';
import type { EngineTaskDefinition } from './engine-task.js';

export const encodeTextsTask = {
  parameters: z.strictObject({
    modelFile: z.string(),
    texts: z.array(z.string().max(100_000)).min(1).max(256),
  }),
  metrics: z.never(),
  /** One L2-normalised vector per text, in order. */
  result: z.object({ vectors: z.array(z.array(z.number())) }),
} satisfies EngineTaskDefinition;
