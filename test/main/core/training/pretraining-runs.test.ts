import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, ModelRecord, TrainingMetric, TrainingRun } from '../../../../common/contract/index.js';
import { pseudonymKeyFile } from '../../../../main/core/library/pseudonymiser.js';
import { demoExport, runCli } from '../../../support/demo-export.js';
import {
  callOk,
  jobFinished,
  startServeProcess,
  waitUntil,
  type ServeProcess,
} from '../../../support/serve-process.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

// A small model so the run takes seconds; everything else (split, tokenizer, engine process, checkpoints) is real.
const options = {
  encoder: { width: 32, sharedLayers: 2, imageSize: 32 },
  epochs: 6,
  batchSize: 8,
  checkpointEverySteps: 3,
  metricsEverySteps: 1,
};

describe('pretraining runs through the core API', () => {
  const workspace = temporaryLibrary();
  const library = path.join(workspace.path, 'library');
  let server: ServeProcess;

  const call = <T>(method: string, input: Record<string, unknown> = {}) => callOk<T>(server, method, input);
  const finished = (jobId: string) => jobFinished(server, jobId);

  beforeAll(async () => {
    // Splits go by the keyed hash of each patient's pseudonym: a fixed key gives this small library the same test
    // split on every run, so the image probe always finds both classes of `abnormal` there.
    fs.mkdirSync(library, { recursive: true });
    fs.writeFileSync(path.join(library, pseudonymKeyFile), 'a5'.repeat(32), { mode: 0o600 });
    const imported = runCli(['import', demoExport(60), '--library', library, '--json']);
    expect(imported.status, imported.stderr).toBe(0);
    server = await startServeProcess(library);
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    workspace.remove();
  });

  it('refuses settings that do not fit together before starting anything', async () => {
    const reply = await server.call('training.start', { options: { encoder: { width: 30 } } });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toMatch(/width 30 is not divisible by 4 heads/);
    const words = await server.call('training.start', { options: { objective: 'mr', wordPredictionWeight: 1 } });
    expect(words.status).toBe(400);
    expect(JSON.stringify(words.body)).toMatch(/contrastive objective only/);
    expect(await call<TrainingRun[]>('training.runs')).toEqual([]);
  });

  it('trains, cancels, resumes to the same final step, records its curves once per step, and registers a model', async () => {
    const started = await call<{ run: TrainingRun; job: Job }>('training.start', { name: 'small shared', options });
    expect(started.run.dataset.validationPairs).toBeGreaterThanOrEqual(2);
    await waitUntil(
      async () => ((await call<Job>('jobs.get', { jobId: started.job.id })).progress.done >= 4 ? true : null),
      120_000,
    );
    await call('jobs.cancel', { jobId: started.job.id });
    expect((await finished(started.job.id)).state).toBe('cancelled');
    const cancelled = (await call<{ run: TrainingRun }>('training.run', { runId: started.run.id })).run;
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.step).toBeGreaterThanOrEqual(4);
    expect(cancelled.step).toBeLessThan(cancelled.totalSteps!);

    const resumed = await call<{ run: TrainingRun; job: Job }>('training.resume', { runId: started.run.id });
    const job = await finished(resumed.job.id);
    expect(job.state, job.error ?? '').toBe('succeeded');
    const { run, metrics } = await call<{ run: TrainingRun; metrics: TrainingMetric[] }>('training.run', {
      runId: started.run.id,
    });
    expect(run.state).toBe('succeeded');
    expect(run.step).toBe(run.totalSteps);
    const trainSteps = metrics.filter((metric) => metric.kind === 'train').map((metric) => metric.step);
    expect(trainSteps).toEqual(Array.from({ length: run.totalSteps! }, (_, index) => index + 1));
    expect(metrics.filter((metric) => metric.kind === 'validation')).toHaveLength(options.epochs);
    expect(run.test!.textToImage.chance['10']).toBeCloseTo(Math.min(1, 10 / run.test!.pairs), 6);
    expect(run.backend).toMatch(/wasm|cpu|tensorflow/);
    await expect(server.call('training.resume', { runId: run.id })).resolves.toMatchObject({ status: 409 });

    const models = await call<ModelRecord[]>('models.list');
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({
      runId: run.id,
      origin: 'trained',
      architecture: 'shared',
      embeddedImages: run.dataset.images,
    });
    expect(run.modelId).toBe(models[0]!.id);
    // The image-side probe ran on the library's manifest labels and is kept with the run and the model.
    expect(run.imageProbe!.map((probe) => probe.task)).toContain('abnormal');
    for (const probe of run.imageProbe!) {
      expect(probe.results.map((result) => result.labelFraction)).toEqual([0.01, 1]);
      for (const { auroc } of probe.results) expect(auroc.lower).toBeLessThanOrEqual(auroc.upper);
    }
    expect(models[0]!.metrics.imageProbe).toEqual(run.imageProbe);
    expect(metrics.filter((metric) => metric.kind === 'image-probe')).toHaveLength(1);
  }, 400_000);

  it('exports a model as one file and imports it again; a damaged file is refused with the reason', async () => {
    const [trained] = await call<ModelRecord[]>('models.list');
    const file = path.join(workspace.path, 'exported.unisight');
    const exported = await call<{ file: string; bytes: number }>('models.export', { modelId: trained!.id, file });
    expect(exported.bytes).toBe(fs.statSync(file).size);
    const imported = await call<ModelRecord>('models.import', { file, name: 'colleague' });
    expect(imported).toMatchObject({
      origin: 'imported',
      name: 'colleague',
      config: trained!.config,
      tokenizerFingerprint: trained!.tokenizerFingerprint,
      metrics: trained!.metrics,
    });
    expect(imported.weightsFile.startsWith(library)).toBe(true);

    const truncated = path.join(workspace.path, 'truncated.unisight');
    fs.writeFileSync(truncated, fs.readFileSync(file).subarray(0, exported.bytes - 100));
    const refused = await server.call('models.import', { file: truncated });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/truncated/);
    expect(await call<ModelRecord[]>('models.list')).toHaveLength(2);
  });

  it('refuses a FIFO, a device or a relative path to import, and exports that would overwrite a file or the library', async () => {
    const [trained] = await call<ModelRecord[]>('models.list');
    const fifo = path.join(workspace.path, 'model.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
      ['models.import', { file: fifo }, /is a named pipe, not a file/],
      ['models.import', { file: '/dev/zero' }, /is a device, not a file/],
      ['models.import', { file: 'exported.unisight' }, /must be an absolute path/],
      ['models.export', { modelId: trained!.id, file: path.join(library, 'catalog.sqlite') }, /inside the library/],
      ['models.export', { modelId: trained!.id, file: path.join(library, 'new.unisight') }, /inside the library/],
      ['models.export', { modelId: trained!.id, file: workspace.path }, /is a folder; name the file/],
      [
        'models.export',
        { modelId: trained!.id, file: path.join(workspace.path, 'exported.unisight') },
        /already exists/,
      ],
      ['models.export', { modelId: trained!.id, file: 'relative.unisight' }, /must be an absolute path/],
    ];
    for (const [method, input, message] of refusals) {
      const refused = await server.call(method, input);
      expect(refused.status, `${method} ${JSON.stringify(input)}`).toBe(400);
      expect(JSON.stringify(refused.body)).toMatch(message);
    }
    // The server still answers, the library still opens, and nothing half-written was left anywhere.
    expect(await call<ModelRecord[]>('models.list')).toHaveLength(2);
    expect(fs.readdirSync(workspace.path).filter((name) => name.endsWith('.partial'))).toEqual([]);
    expect(fs.readdirSync(library).filter((name) => name.endsWith('.partial'))).toEqual([]);

    const replaced = path.join(workspace.path, 'exported.unisight');
    fs.writeFileSync(replaced, 'an older export');
    const overwritten = await call<{ bytes: number }>('models.export', {
      modelId: trained!.id,
      file: replaced,
      overwrite: true,
    });
    expect(fs.statSync(replaced).size).toBe(overwritten.bytes);
    expect(overwritten.bytes).toBe(trained!.weightsBytes);
  });
});
