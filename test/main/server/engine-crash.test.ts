import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServeProcess, waitUntil, type ServeProcess } from '../../support/serve-process.js';
import { temporaryLibrary } from '../../support/temporary-library.js';

interface JobReply {
  id: string;
  state: string;
  error: string | null;
  progress: { done: number };
}

// Acceptance: killing the engine during a job fails that job with a reason; the server stays up; the next job runs.
describe('engine process killed during a job', () => {
  const library = temporaryLibrary();
  let server: ServeProcess;

  beforeAll(async () => {
    server = await startServeProcess(library.path);
  });
  afterAll(async () => {
    await server.stop();
    library.remove();
  });

  it('marks the job failed, keeps serving, and runs the next job on a new engine', async () => {
    const started = await server.call<JobReply>('engine.selfcheck', { iterations: 100_000, matrixSize: 128 });
    const jobId = started.body.result!.id;
    await waitUntil(async () =>
      (await server.call<JobReply>('jobs.get', { jobId })).body.result!.progress.done > 5 ? true : null,
    );

    const info = await server.call<{ engine: { processId: number } }>('app.info');
    const enginePid = info.body.result!.engine.processId;
    expect(enginePid).toBeGreaterThan(0);
    process.kill(enginePid, 'SIGKILL');

    const failed = await waitUntil(async () => {
      const job = (await server.call<JobReply>('jobs.get', { jobId })).body.result!;
      return job.state === 'failed' ? job : null;
    });
    expect(failed.error).toMatch(/ML engine process stopped during the job \(killed by SIGKILL\)/);
    expect(server.child.exitCode).toBeNull();
    expect((await server.call('app.info')).status).toBe(200);

    const next = await server.call<JobReply>('engine.selfcheck', { iterations: 3, matrixSize: 32 });
    const finished = await waitUntil(async () => {
      const job = (await server.call<JobReply>('jobs.get', { jobId: next.body.result!.id })).body.result!;
      return job.state === 'succeeded' || job.state === 'failed' ? job : null;
    });
    expect(finished.state).toBe('succeeded');
    const after = await server.call<{ engine: { processId: number; state: string } }>('app.info');
    expect(after.body.result!.engine.processId).not.toBe(enginePid);
  });
});
