import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiEvent, Job } from '../../../../common/contract/index.js';
import { EventBus } from '../../../../main/core/event-bus.js';
import {
  JobManager,
  type JobExecutionContext,
  type JobExecutor,
  type JobOutcome,
} from '../../../../main/core/jobs/job-manager.js';
import { JobStore } from '../../../../main/core/jobs/job-store.js';
import { openCatalogDatabase, type CatalogDatabase } from '../../../../main/core/library/catalog-database.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

/** An executor the test steps by hand: each `advance` reports one more unit of progress. */
class SteppedExecutor implements JobExecutor {
  unit = 'steps';
  constructor(readonly lane: string) {}
  contexts: JobExecutionContext[] = [];
  private finishers: Array<(outcome: JobOutcome) => void> = [];
  private failers: Array<(error: Error) => void> = [];

  run(_job: Job, context: JobExecutionContext): Promise<JobOutcome> {
    this.contexts.push(context);
    return new Promise((resolve, reject) => {
      this.finishers.push(resolve);
      this.failers.push(reject);
      context.signal.addEventListener('abort', () => resolve({ outcome: 'cancelled', result: null }));
    });
  }

  finish(index: number, result: Record<string, unknown>): void {
    this.finishers[index]!({ outcome: 'succeeded', result });
  }

  fail(index: number, message: string): void {
    this.failers[index]!(new Error(message));
  }
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('JobManager', () => {
  const library = temporaryLibrary();
  let catalog: CatalogDatabase;
  let events: EventBus;
  let received: ApiEvent[];
  let executor: SteppedExecutor;
  let importExecutor: SteppedExecutor;
  let pretrainExecutor: SteppedExecutor;
  let clock: number;
  let manager: JobManager;

  beforeEach(() => {
    catalog = openCatalogDatabase(library.path);
    events = new EventBus();
    received = [];
    events.subscribe((event) => received.push(event));
    executor = new SteppedExecutor('engine');
    importExecutor = new SteppedExecutor('import');
    pretrainExecutor = new SteppedExecutor('engine');
    clock = Date.parse('2026-01-01T00:00:00Z');
    manager = new JobManager(
      new JobStore(catalog.database),
      events,
      {
        'engine.selfcheck': executor,
        'library.import': importExecutor,
        'model.pretrain': pretrainExecutor,
        'model.finetune': new SteppedExecutor('engine'),
        'model.embed': new SteppedExecutor('engine'),
        'bundle.export': new SteppedExecutor('export'),
      },
      () => clock,
    );
  });

  afterEach(() => {
    catalog.database.close();
    library.remove();
  });

  it("counts in its rate only what the job did: a resumed run's checkpointed steps do not inflate it", async () => {
    const job = manager.submit('model.pretrain', { runId: 'resumed' });
    await flush();
    clock += 5000; // loading the checkpoint
    pretrainExecutor.contexts[0]!.reportProgress({ done: 600, total: 1000, unit: 'steps' });
    clock += 4000;
    pretrainExecutor.contexts[0]!.reportProgress({ done: 608, total: 1000, unit: 'steps' });
    expect(manager.get(job.id).progress).toMatchObject({ done: 608, ratePerSecond: 2, etaSeconds: 196 });
  });

  it('runs a job to success, with rate and ETA from its progress, and persists every state', async () => {
    const job = manager.submit('engine.selfcheck', { iterations: 10 });
    expect(job.state).toBe('queued');
    await flush();
    expect(manager.get(job.id).state).toBe('running');

    clock += 1000;
    executor.contexts[0]!.reportProgress({ done: 1, total: 10 });
    expect(manager.get(job.id).progress).toMatchObject({ done: 1, ratePerSecond: null, etaSeconds: null });
    clock += 2000;
    executor.contexts[0]!.reportProgress({ done: 5, total: 10 });
    const progressed = manager.get(job.id).progress;
    expect(progressed).toMatchObject({ done: 5, total: 10, ratePerSecond: 2, etaSeconds: 2.5 });

    executor.finish(0, { answer: 42 });
    const finished = await manager.waitForJob(job.id);
    expect(finished).toMatchObject({ state: 'succeeded', result: { answer: 42 }, error: null });

    const stored = new JobStore(catalog.database).get(job.id)!;
    expect(stored).toMatchObject({
      state: 'succeeded',
      result: { answer: 42 },
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
    });
    const states = received.filter((event) => event.name === 'job.updated').map((event) => event.payload.state);
    expect(states[0]).toBe('queued');
    expect(states).toContain('running');
    expect(states.at(-1)).toBe('succeeded');
  });

  it('runs jobs of one lane one at a time, in order', async () => {
    const first = manager.submit('engine.selfcheck', {});
    const second = manager.submit('engine.selfcheck', {});
    await flush();
    expect(manager.get(first.id).state).toBe('running');
    expect(manager.get(second.id).state).toBe('queued');
    executor.finish(0, {});
    await manager.waitForJob(first.id);
    await flush();
    expect(manager.get(second.id).state).toBe('running');
    executor.finish(1, {});
    expect((await manager.waitForJob(second.id)).state).toBe('succeeded');
  });

  it('runs jobs of different lanes side by side', async () => {
    const engineJob = manager.submit('engine.selfcheck', {});
    const importJob = manager.submit('library.import', { folder: '/data' });
    await flush();
    expect([manager.get(engineJob.id).state, manager.get(importJob.id).state]).toEqual(['running', 'running']);
    importExecutor.finish(0, {});
    executor.finish(0, {});
    expect((await manager.waitForJob(importJob.id)).state).toBe('succeeded');
  });

  it('cancels a queued job at once and a running job through its signal', async () => {
    const running = manager.submit('engine.selfcheck', {});
    const queued = manager.submit('engine.selfcheck', {});
    await flush();
    expect(manager.cancel(queued.id).state).toBe('cancelled');
    manager.cancel(running.id);
    expect(executor.contexts[0]!.signal.aborted).toBe(true);
    expect((await manager.waitForJob(running.id)).state).toBe('cancelled');
    expect(executor.contexts).toHaveLength(1);
    expect(() => manager.cancel(running.id)).toThrow(/is already cancelled/);
  });

  it('marks a job failed with the executor’s reason and goes on with the next', async () => {
    const failing = manager.submit('engine.selfcheck', {});
    const next = manager.submit('engine.selfcheck', {});
    await flush();
    executor.fail(0, 'The ML engine process stopped during the job (killed by SIGKILL)');
    expect(await manager.waitForJob(failing.id)).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('SIGKILL'),
    });
    await flush();
    executor.finish(1, {});
    expect((await manager.waitForJob(next.id)).state).toBe('succeeded');
  });

  it('fails jobs left running by a process that died, and only those', () => {
    const store = new JobStore(catalog.database);
    const base = {
      kind: 'engine.selfcheck' as const,
      parameters: {},
      result: null,
      error: null,
      startedAt: null,
      finishedAt: null,
      createdAt: new Date(clock).toISOString(),
    };
    const progress = { done: 3, total: 9, unit: 'steps', ratePerSecond: null, etaSeconds: null, message: null };
    store.insert({ ...base, id: 'orphan', state: 'running', progress });
    catalog.database.prepare("UPDATE jobs SET owner_process_id = 2147483646 WHERE id = 'orphan'").run();
    store.insert({ ...base, id: 'alive', state: 'running', progress });
    catalog.database.prepare("UPDATE jobs SET owner_process_id = 1 WHERE id = 'alive'").run();

    const recovered = manager.recoverOrphanedJobs();
    expect(recovered.map((job) => job.id)).toEqual(['orphan']);
    expect(manager.get('orphan')).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('Interrupted'),
      progress: { done: 3 },
    });
    expect(manager.get('alive').state).toBe('running');
  });

  it('answers not-found for an unknown job', () => {
    expect(() => manager.get('missing')).toThrow(/No job with id missing/);
  });
});
