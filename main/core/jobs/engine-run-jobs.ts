import { z } from 'zod';
import type { Job, JobKind } from '../../../common/contract/index.js';
import type {
  EngineTaskMetrics,
  EngineTaskName,
  EngineTaskParameters,
  EngineTaskResult,
} from '../../../common/engine/protocol.js';
import type { EngineSupervisor } from '../engine/engine-supervisor.js';
import type { JobExecutor } from './job-manager.js';
import { assertResumable, followRecordedRun } from './recorded-run.js';

/** What a catalog store of runs (pretraining, fine-tuning) offers the jobs that run them. */
export interface EngineRunStore<Run extends { name: string; state: string }> {
  get(runId: string): Run;
  setState(runId: string, state: 'queued' | 'running' | 'cancelled' | 'failed', error?: string | null): void;
  assignJob(runId: string, jobId: string): void;
  runDirectory(runId: string): string;
}

/** What the core gives every kind of engine run: its store, the engine, and the job queue. */
export interface EngineRunServices<Run extends { name: string; state: string }> {
  runs: EngineRunStore<Run>;
  engine: EngineSupervisor;
  submitJob(kind: JobKind, parameters: Record<string, unknown>): Job;
}

/** What differs between kinds of engine run: implemented by each run service. */
export interface EngineRunHandlers<Task extends EngineTaskName> {
  /** Tells the app the run changed (its state, its summary). */
  publishRun(runId: string): void;
  /** Records one message of the engine's metrics stream. */
  recordMetrics(runId: string, metrics: EngineTaskMetrics<Task>): void;
  /** The engine task's parameters for this run; throwing fails the run with the reason. */
  taskParameters(runId: string, runDirectory: string): EngineTaskParameters<Task>;
  /** Records what a finished task produced and says what the job reports beyond the engine's own result. */
  recordSuccess(runId: string, runDirectory: string, engineResult: EngineTaskResult<Task>): Record<string, unknown>;
}

const RunJobParameters = z.strictObject({ runId: z.string() });

/**
 * The life of a run the engine trains, the same for every kind of run: queued as a job, resumable until it succeeds,
 * `running` while the engine works on it, `cancelled` or `failed` (with the reason) when it stops, its results
 * recorded when it finishes, every change published.
 */
export class EngineRunJobs<Run extends { name: string; state: string }, Task extends EngineTaskName> {
  constructor(
    private readonly services: EngineRunServices<Run>,
    private readonly kind: { jobKind: JobKind; engineTask: Task },
    private readonly handlers: EngineRunHandlers<Task>,
  ) {}

  submit(runId: string): { run: Run; job: Job } {
    const { runs } = this.services;
    runs.setState(runId, 'queued');
    const job = this.services.submitJob(this.kind.jobKind, { runId });
    runs.assignJob(runId, job.id);
    return { run: runs.get(runId), job };
  }

  resume(runId: string): { run: Run; job: Job } {
    assertResumable(this.services.runs.get(runId));
    return this.submit(runId);
  }

  readonly executor: JobExecutor = {
    lane: 'engine',
    unit: 'steps',
    run: async (job, context) => {
      const { runId } = RunJobParameters.parse(job.parameters);
      const { runs } = this.services;
      runs.get(runId); // a job whose run was deleted fails here, before anything is recorded against it
      runs.assignJob(runId, job.id);
      const runDirectory = runs.runDirectory(runId);
      const recorded = {
        folder: runDirectory,
        setState: (state: 'running' | 'cancelled' | 'failed', error?: string) =>
          runs.setState(runId, state, error ?? null),
        publish: () => this.handlers.publishRun(runId),
      };
      return followRecordedRun(recorded, context.signal, async () => {
        const parameters = this.handlers.taskParameters(runId, runDirectory);
        const outcome = await this.services.engine.runTask(
          job.id,
          this.kind.engineTask,
          parameters,
          context,
          (metrics) => this.handlers.recordMetrics(runId, metrics),
        );
        if (outcome.outcome === 'cancelled') return { outcome: 'cancelled', result: { runId, ...outcome.result } };
        return {
          outcome: 'succeeded',
          result: { runId, ...this.handlers.recordSuccess(runId, runDirectory, outcome.result), ...outcome.result },
        };
      });
    },
    cancelledWhileQueued: (job) => {
      const { runId } = RunJobParameters.parse(job.parameters);
      this.services.runs.setState(runId, 'cancelled');
      this.handlers.publishRun(runId);
    },
  };
}
