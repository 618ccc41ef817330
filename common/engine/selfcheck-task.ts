// The engine self-check as the core and the engine both know it.
import { z } from 'zod';
import { SelfCheckParameters } from '../contract/app.js';
import type { EngineTaskDefinition } from './engine-task.js';

export const selfCheckTask = {
  parameters: SelfCheckParameters,
  metrics: z.never(),
  result: z.object({
    backend: z.string(),
    matrixSize: z.number().int(),
    iterations: z.number().int(),
    largestErrorAgainstReference: z.number(),
    medianMillisecondsPerMatMul: z.number(),
    gigaflopsPerSecond: z.number(),
    leakedTensors: z.number().int(),
  }),
} satisfies EngineTaskDefinition;
