// Inputs many API methods share.
import { z } from 'zod';

export const NoInput = z.strictObject({});
export const RunReference = z.strictObject({ runId: z.string().min(1).max(100) });

/** A path the caller names on this machine: absolute, since the server's working directory means nothing to them. */
export const AbsolutePath = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^(\/|[A-Za-z]:[\\/]|\\\\)/, 'must be an absolute path');
