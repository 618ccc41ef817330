import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../../main/core/event-bus.js';
import { EngineSupervisor } from '../../../../main/core/engine/engine-supervisor.js';
import { forkLauncher } from '../../../../main/core/child-process/fork-launcher.js';
import { engineEntryFile } from '../../../../main/core/install-paths.js';
import type { JobExecutionContext, ProgressUpdate } from '../../../../main/core/jobs/job-manager.js';
import { LogBuffer } from '../../../../main/core/log-buffer.js';

// The real engine process (built by `npm run build`), on the plain-JS backend so the test is quick anywhere.
function createSupervisor(): EngineSupervisor {
  const events = new EventBus();
  return new EngineSupervisor(
    forkLauncher({
      entryFile: engineEntryFile,
      maxHeapMegabytes: 1024,
      environment: { ...process.env, UNISIGHT_BACKEND: 'cpu' },
    }),
    events,
    new LogBuffer(events),
  );
}

function context(
  onProgress: (update: ProgressUpdate) => void = () => undefined,
): JobExecutionContext & { controller: AbortController } {
  const controller = new AbortController();
  return { controller, signal: controller.signal, reportProgress: onProgress };
}

describe('EngineSupervisor with a real engine process', () => {
  let supervisor: EngineSupervisor | null = null;
  afterEach(() => supervisor?.stop());

  it('starts the engine, which reports the backend it chose and why', async () => {
    supervisor = createSupervisor();
    const report = await supervisor.start();
    expect(report.backend).toBe('cpu');
    expect(report.attempts.find((attempt) => attempt.backend === 'wasm')?.reason).toMatch(/UNISIGHT_BACKEND=cpu/);
    expect(supervisor.status).toMatchObject({ state: 'ready', backend: 'cpu', processId: expect.any(Number) });
  });

  it('runs a task with progress, cancels another, and survives the engine being killed mid-task', async () => {
    supervisor = createSupervisor();
    const updates: ProgressUpdate[] = [];
    const outcome = await supervisor.runTask(
      'job-1',
      'selfcheck',
      { iterations: 5, matrixSize: 32 },
      context((update) => updates.push(update)),
    );
    expect(outcome).toMatchObject({ outcome: 'succeeded', result: { leakedTensors: 0, iterations: 5 } });
    expect(updates.map((update) => update.done)).toEqual([1, 2, 3, 4, 5]);

    const cancelled = context();
    const pending = supervisor.runTask('job-2', 'selfcheck', { iterations: 100_000, matrixSize: 64 }, cancelled);
    cancelled.controller.abort();
    expect(await pending).toMatchObject({ outcome: 'cancelled' });

    const firstProcess = supervisor.status.processId!;
    let killed = false;
    const doomed = supervisor.runTask(
      'job-3',
      'selfcheck',
      { iterations: 100_000, matrixSize: 64 },
      context((update) => {
        if (update.done === 3 && !killed) {
          killed = true;
          process.kill(firstProcess, 'SIGKILL');
        }
      }),
    );
    await expect(doomed).rejects.toThrow(/engine process stopped during the job \(killed by SIGKILL\)/);
    expect(supervisor.status).toMatchObject({ state: 'crashed', processId: null, lastExitReason: 'killed by SIGKILL' });

    const after = await supervisor.runTask('job-4', 'selfcheck', { iterations: 2, matrixSize: 16 }, context());
    expect(after.outcome).toBe('succeeded');
    expect(supervisor.status.processId).not.toBe(firstProcess);
  });

  it("refuses parameters outside the task's declaration in the engine, before the task runs", async () => {
    supervisor = createSupervisor();
    const progress: ProgressUpdate[] = [];
    await expect(
      supervisor.runTask(
        'job-5',
        'selfcheck',
        { iterations: 0 },
        context((update) => progress.push(update)),
      ),
    ).rejects.toThrow(/iterations/);
    expect(progress).toEqual([]);
    // The engine is still there for the next task.
    expect((await supervisor.runTask('job-6', 'selfcheck', { iterations: 1, matrixSize: 16 }, context())).outcome).toBe(
      'succeeded',
    );
  });
});
