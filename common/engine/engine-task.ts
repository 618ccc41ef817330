import type { z } from 'zod';
import type { EngineTaskMetrics, EngineTaskName, EngineTaskParsedParameters, EngineTaskResult } from './protocol.js';

/**
 * One task of the engine as both processes know it: what the core gives it, each message of the metrics stream it
 * reports while it runs (curves and evaluations the core stores per run), and what it returns when it succeeds. The
 * engine parses the parameters before the task runs; the core parses metrics and result before it acts on them.
 */
export interface EngineTaskDefinition<
  Parameters extends z.ZodType = z.ZodType,
  Metrics extends z.ZodType = z.ZodType,
  Result extends z.ZodType = z.ZodType,
> {
  parameters: Parameters;
  metrics: Metrics;
  result: Result;
}

// The engine's side: what a task is handed while it runs, and the shape every task function has.

export interface TaskContext<Metrics = never> {
  /** The engine's backend route as selected at start (e.g. wasm-openblas), which tf.getBackend() names only 'wasm'. */
  backend: string;
  reportProgress(done: number, total: number, message?: string | null): void;
  /** Training curves and evaluation results, stored by the core per run and drawn live by the UI. */
  reportMetrics(metrics: Metrics): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  isCancelled(): boolean;
  /** Lets queued messages (a cancel) arrive between steps of a long computation. */
  yieldToEvents(): Promise<void>;
}

/** A cancelled task says how far it got (a step, a stage) for the job's record; a later run resumes from its files. */
export type TaskOutcome<Result> =
  { outcome: 'succeeded'; result: Result } | { outcome: 'cancelled'; result: Record<string, unknown> | null };

/** An engine task as common/engine/<task>-task.ts declares it: parsed parameters in, its metrics and result out. */
export type EngineTask<Name extends EngineTaskName> = (
  parameters: EngineTaskParsedParameters<Name>,
  context: TaskContext<EngineTaskMetrics<Name>>,
) => Promise<TaskOutcome<EngineTaskResult<Name>>>;
