export interface TaskContext {
  /** The engine's backend route as selected at start (e.g. wasm-openblas), which tf.getBackend() names only 'wasm'. */
  backend: string;
  reportProgress(done: number, total: number, message?: string | null): void;
  /** Training curves and evaluation results, stored by the core per run and drawn live by the UI. */
  reportMetrics(metrics: Record<string, unknown>): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  isCancelled(): boolean;
  /** Lets queued messages (a cancel) arrive between steps of a long computation. */
  yieldToEvents(): Promise<void>;
}

export type TaskOutcome =
  | { outcome: 'succeeded'; result: Record<string, unknown> }
  | { outcome: 'cancelled'; result: Record<string, unknown> | null };

export type EngineTask = (parameters: Record<string, unknown>, context: TaskContext) => Promise<TaskOutcome>;
