// Messages between the core (main) and the ML engine process. Both sides validate what they receive: the engine
// may be killed mid-message, and main must never act on a malformed one.
import { z } from 'zod';
import { BackendAttempt, BackendName } from '../contract/app.js';
import { embedLibraryTask } from './embed-library-task.js';
import { encodeTextsTask } from './encode-texts-task.js';
import { finetuneTask } from './finetune-task.js';
import { pretrainTask } from './pretrain-task.js';
import { selfCheckTask } from './selfcheck-task.js';

/** Every task the engine runs, by name: a new task is its file in this folder plus one line here. */
export const engineTasks = {
  selfcheck: selfCheckTask,
  pretrain: pretrainTask,
  finetune: finetuneTask,
  'encode-texts': encodeTextsTask,
  'embed-library': embedLibraryTask,
} as const;

export type EngineTaskName = keyof typeof engineTasks;
export const EngineTaskName = z.enum(Object.keys(engineTasks) as [EngineTaskName, ...EngineTaskName[]]);
/** What the core passes (defaults may be left out). */
export type EngineTaskParameters<Name extends EngineTaskName> = z.input<(typeof engineTasks)[Name]['parameters']>;
/** What the task receives, parsed. */
export type EngineTaskParsedParameters<Name extends EngineTaskName> = z.output<
  (typeof engineTasks)[Name]['parameters']
>;
export type EngineTaskMetrics<Name extends EngineTaskName> = z.output<(typeof engineTasks)[Name]['metrics']>;
export type EngineTaskResult<Name extends EngineTaskName> = z.output<(typeof engineTasks)[Name]['result']>;

export const EngineRequest = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run-task'),
    jobId: z.string(),
    task: EngineTaskName,
    parameters: z.record(z.string(), z.unknown()),
  }),
  z.object({ type: z.literal('cancel-task'), jobId: z.string() }),
  z.object({ type: z.literal('shutdown') }),
]);
export type EngineRequest = z.infer<typeof EngineRequest>;

export const BackendReport = z.object({
  backend: BackendName,
  threads: z.number().int(),
  /** The GPU in use (a WebGPU adapter described); null on the CPU routes. */
  device: z.string().nullable(),
  attempts: z.array(BackendAttempt),
});
export type BackendReport = z.infer<typeof BackendReport>;

export const EngineMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), report: BackendReport }),
  z.object({ type: z.literal('startup-failed'), error: z.string() }),
  z.object({
    type: z.literal('task-progress'),
    jobId: z.string(),
    done: z.number(),
    total: z.number(),
    unit: z.string().optional(),
    message: z.string().nullable().optional(),
  }),
  z.object({ type: z.literal('task-metrics'), jobId: z.string(), metrics: z.record(z.string(), z.unknown()) }),
  z.object({
    type: z.literal('task-log'),
    jobId: z.string().nullable(),
    level: z.enum(['debug', 'info', 'warn', 'error']),
    message: z.string(),
  }),
  z.object({
    type: z.literal('task-finished'),
    jobId: z.string(),
    outcome: z.enum(['succeeded', 'cancelled']),
    result: z.record(z.string(), z.unknown()).nullable(),
  }),
  z.object({ type: z.literal('task-failed'), jobId: z.string(), error: z.string() }),
]);
export type EngineMessage = z.infer<typeof EngineMessage>;
