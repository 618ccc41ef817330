// Jobs: every long piece of work (import, training, fine-tuning, embedding) runs as one, with progress.
import { z } from 'zod';

export const jobKinds = [
  'engine.selfcheck',
  'library.import',
  'model.pretrain',
  'model.finetune',
  'model.embed',
  'bundle.export',
] as const;
export const JobKind = z.enum(jobKinds);
export type JobKind = z.infer<typeof JobKind>;

export const jobStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const JobState = z.enum(jobStates);
export type JobState = z.infer<typeof JobState>;

export const JobProgress = z.object({
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
  unit: z.string(),
  ratePerSecond: z.number().nonnegative().nullable(),
  etaSeconds: z.number().nonnegative().nullable(),
  message: z.string().nullable(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const Job = z.object({
  id: z.string(),
  kind: JobKind,
  state: JobState,
  parameters: z.record(z.string(), z.unknown()),
  progress: JobProgress,
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Job = z.infer<typeof Job>;

const JobReference = z.strictObject({ jobId: z.string().min(1).max(100) });

export const jobApiMethods = {
  'jobs.list': {
    input: z.strictObject({ limit: z.number().int().min(1).max(1000).default(100) }),
    output: z.array(Job),
    summary: 'Recent jobs, newest first, with their state and progress.',
  },
  'jobs.get': { input: JobReference, output: Job, summary: 'One job by id.' },
  'jobs.cancel': {
    input: JobReference,
    output: Job,
    summary: 'Cancel a queued or running job; work done so far is kept.',
  },
} as const;
