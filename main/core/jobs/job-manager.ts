import { randomUUID } from 'node:crypto';
import { ApiError } from '../../api/api-error.js';
import type { Job, JobKind, JobProgress } from '../../../common/contract/index.js';
import type { EventBus } from '../event-bus.js';
import type { JobStore } from './job-store.js';

export interface ProgressUpdate {
  done: number;
  total: number;
  unit?: string;
  message?: string | null;
}

export interface JobExecutionContext {
  signal: AbortSignal;
  reportProgress(update: ProgressUpdate): void;
}

export type JobOutcome =
  | { outcome: 'succeeded'; result: Record<string, unknown> }
  | { outcome: 'cancelled'; result: Record<string, unknown> | null };

export interface JobExecutor {
  /** Jobs of one lane run one at a time, in order of submission (the engine lane owns every core). */
  lane: string;
  unit: string;
  run(job: Job, context: JobExecutionContext): Promise<JobOutcome>;
  /** A job cancelled before it started never reaches `run`: whatever recorded it as queued hears of it here. */
  cancelledWhileQueued?(job: Job): void;
}

const eventIntervalMilliseconds = 100;
const persistIntervalMilliseconds = 1000;
const unsavedRetryMilliseconds = 5000;

interface RunningJob {
  job: Job;
  controller: AbortController;
  /**
   * The first progress report: the rate counts only what this job did after it, so a resumed run's checkpointed
   * steps (reported done at once) do not inflate it.
   */
  firstProgress: { done: number; at: number } | null;
  lastEventAt: number;
  lastPersistAt: number;
}

export class JobManager {
  private readonly running = new Map<string, RunningJob>();
  private readonly busyLanes = new Set<string>();
  private readonly queue: Job[] = [];
  private readonly waiters = new Map<string, Array<(job: Job) => void>>();
  /** Ends not yet written: what this process answers with (`shown`, saying so) and what is to be saved. */
  private readonly unsaved = new Map<string, { shown: Job; end: Job }>();
  /** Tries again to save the ends in `unsaved` while there are any: space may come back with no other job to run. */
  private unsavedRetry: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: JobStore,
    private readonly events: EventBus,
    private readonly executors: Record<JobKind, JobExecutor>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Marks jobs whose process died as failed; call once when a library is opened. */
  recoverOrphanedJobs(): Job[] {
    const recovered = this.store.failOrphanedJobs(isProcessAlive, new Date(this.now()).toISOString());
    for (const job of recovered) this.publish(job);
    return recovered;
  }

  submit(kind: JobKind, parameters: Record<string, unknown>): Job {
    const job: Job = {
      id: randomUUID(),
      kind,
      state: 'queued',
      parameters,
      progress: {
        done: 0,
        total: 0,
        unit: this.executors[kind].unit,
        ratePerSecond: null,
        etaSeconds: null,
        message: null,
      },
      result: null,
      error: null,
      createdAt: new Date(this.now()).toISOString(),
      startedAt: null,
      finishedAt: null,
    };
    this.store.insert(job);
    this.queue.push(job);
    this.publish(job);
    this.startQueuedJobs();
    return job;
  }

  get(jobId: string): Job {
    const job = this.live(jobId) ?? this.store.get(jobId);
    if (!job) throw new ApiError('not-found', `No job with id ${jobId}.`);
    return structuredClone(job);
  }

  list(limit: number): Job[] {
    return this.store.list(limit).map((stored) => structuredClone(this.live(stored.id) ?? stored));
  }

  /** The job as this process knows it, ahead of the catalog: queued, running, or finished but not yet saved. */
  private live(jobId: string): Job | undefined {
    return this.running.get(jobId)?.job ?? this.queue.find((job) => job.id === jobId) ?? this.unsaved.get(jobId)?.shown;
  }

  cancel(jobId: string): Job {
    const queuedIndex = this.queue.findIndex((job) => job.id === jobId);
    if (queuedIndex >= 0) {
      const [job] = this.queue.splice(queuedIndex, 1);
      this.finish(job!, { state: 'cancelled', result: null, error: null });
      this.executors[job!.kind].cancelledWhileQueued?.(job!);
      return this.get(jobId);
    }
    const running = this.running.get(jobId);
    if (running) {
      running.controller.abort();
      return this.get(jobId);
    }
    const stored = this.get(jobId);
    throw new ApiError('conflict', `Job ${jobId} is already ${stored.state}; nothing to cancel.`);
  }

  /** Resolves with the job once it reaches a final state. */
  waitForJob(jobId: string): Promise<Job> {
    const job = this.get(jobId);
    if (job.state !== 'queued' && job.state !== 'running') return Promise.resolve(job);
    return new Promise((resolve) => {
      const list = this.waiters.get(jobId) ?? [];
      list.push(resolve);
      this.waiters.set(jobId, list);
    });
  }

  /** Cancels everything and waits for running jobs to stop, so their final state is on disk. */
  async shutdown(): Promise<void> {
    for (const job of [...this.queue]) this.cancel(job.id);
    const stopping = [...this.running.keys()].map((jobId) => this.waitForJob(jobId));
    for (const running of this.running.values()) running.controller.abort();
    await Promise.all(stopping);
    this.saveUnsaved();
    if (this.unsavedRetry) clearInterval(this.unsavedRetry);
    this.unsavedRetry = null;
  }

  private startQueuedJobs(): void {
    for (const job of [...this.queue]) {
      const executor = this.executors[job.kind];
      if (this.busyLanes.has(executor.lane)) continue;
      this.queue.splice(this.queue.indexOf(job), 1);
      this.busyLanes.add(executor.lane);
      void this.execute(job, executor);
    }
  }

  private async execute(job: Job, executor: JobExecutor): Promise<void> {
    const startedAt = this.now();
    const running: RunningJob = {
      job: { ...job, state: 'running', startedAt: new Date(startedAt).toISOString() },
      controller: new AbortController(),
      firstProgress: null,
      lastEventAt: 0,
      lastPersistAt: startedAt,
    };
    this.running.set(job.id, running);
    try {
      this.store.saveState(running.job);
      this.publish(running.job);
      const outcome = await executor.run(running.job, {
        signal: running.controller.signal,
        reportProgress: (update) => this.onProgress(running, update),
      });
      this.finish(running.job, { state: outcome.outcome, result: outcome.result, error: null });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (running.controller.signal.aborted)
        this.finish(running.job, { state: 'cancelled', result: null, error: null });
      else this.finish(running.job, { state: 'failed', result: null, error: message });
    } finally {
      this.running.delete(job.id);
      this.busyLanes.delete(executor.lane);
      this.startQueuedJobs();
    }
  }

  private onProgress(running: RunningJob, update: ProgressUpdate): void {
    const now = this.now();
    running.firstProgress ??= { done: update.done, at: now };
    const elapsedSeconds = (now - running.firstProgress.at) / 1000;
    const doneHere = update.done - running.firstProgress.done;
    const ratePerSecond = elapsedSeconds > 0 && doneHere > 0 ? doneHere / elapsedSeconds : null;
    const remaining = Math.max(0, update.total - update.done);
    const progress: JobProgress = {
      done: update.done,
      total: update.total,
      unit: update.unit ?? running.job.progress.unit,
      ratePerSecond,
      etaSeconds: ratePerSecond ? remaining / ratePerSecond : null,
      message: update.message ?? running.job.progress.message,
    };
    running.job = { ...running.job, progress };
    const complete = update.done >= update.total;
    if (complete || now - running.lastPersistAt >= persistIntervalMilliseconds) {
      running.lastPersistAt = now;
      // Progress on disk is for a restart's sake: a failed write (a full disk) must not fail the job; a later one
      // retries.
      try {
        this.store.saveProgress(running.job.id, progress);
      } catch {
        // Kept in memory and published below; the next interval writes it again.
      }
    }
    if (complete || now - running.lastEventAt >= eventIntervalMilliseconds) {
      running.lastEventAt = now;
      this.publish(running.job);
    }
  }

  private finish(job: Job, end: Pick<Job, 'state' | 'result' | 'error'>): void {
    const finished: Job = {
      ...job,
      ...end,
      progress: { ...job.progress, etaSeconds: end.state === 'succeeded' ? 0 : null },
      finishedAt: new Date(this.now()).toISOString(),
    };
    // A job whose end cannot be written (a full disk) still ends here, and says so; this process answers with its end
    // and writes it with the next one that can be saved, and a restart before that reads the job as interrupted.
    const failure = this.trySave(finished);
    if (failure) {
      const end = structuredClone(finished);
      const reason = `its end could not be saved: ${failure}`;
      finished.error = finished.error ? `${finished.error} (${reason})` : `The job ${finished.state}, but ${reason}`;
      this.unsaved.set(finished.id, { shown: finished, end });
      this.unsavedRetry ??= setInterval(() => this.saveUnsaved(), unsavedRetryMilliseconds).unref();
    } else {
      this.saveUnsaved();
    }
    this.publish(finished);
    for (const resolve of this.waiters.get(job.id) ?? []) resolve(structuredClone(finished));
    this.waiters.delete(job.id);
  }

  private saveUnsaved(): void {
    for (const [jobId, { end }] of this.unsaved) {
      if (this.trySave(end)) continue;
      this.unsaved.delete(jobId);
      this.publish(end);
    }
    if (this.unsaved.size === 0 && this.unsavedRetry) {
      clearInterval(this.unsavedRetry);
      this.unsavedRetry = null;
    }
  }

  /** Null once written; else why the catalog would not take it (a full disk). */
  private trySave(job: Job): string | null {
    try {
      this.store.saveState(job);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  private publish(job: Job): void {
    this.events.publish({ name: 'job.updated', payload: structuredClone(job) });
  }
}

// Called before this process has submitted anything, so a record naming our own pid is from an earlier process.
function isProcessAlive(processId: number): boolean {
  if (processId === process.pid) return false;
  try {
    process.kill(processId, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
