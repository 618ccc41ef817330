import Database from 'better-sqlite3';
import { buildPretrainingDataset } from '../../../../main/core/training/pretraining-dataset-builder.js';
import { pseudonymKeyFile } from '../../../../main/core/library/pseudonymiser.js';
import { splitByPatient } from '../../../../ml/data/pretraining-dataset.js';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../../../common/contract/index.js';
import type { ClassifierMetric, ClassifierRun, LabelTask } from '../../../../common/contract/finetune.js';
import { importedAndPretrained } from '../../../support/demo-export.js';
import {
  callOk,
  jobFinished,
  startServeProcess,
  waitUntil,
  type ServeProcess,
} from '../../../support/serve-process.js';
import { temporaryLibrary } from '../../../support/temporary-library.js';

// A small encoder and short stages so each run takes seconds; the split, label budget, TD-Calib, GM-Coord, the
// engine process, checkpoints and the catalog are the real ones.
const short = {
  tdCalibEpochs: 2,
  tdCalibBatchSize: 8,
  epochs: 1,
  minimumSteps: 8,
  maximumSteps: 8,
  checkpointEverySteps: 2,
  adaptorEpochs: 3,
  adaptorBatchSize: 8,
  labelFraction: 0.5,
};

describe('fine-tuning runs through the core API', () => {
  const workspace = temporaryLibrary();
  const library = path.join(workspace.path, 'library');
  let server: ServeProcess;

  const call = <T>(method: string, input: Record<string, unknown> = {}) => callOk<T>(server, method, input);
  const finished = (jobId: string) => jobFinished(server, jobId);

  beforeAll(async () => {
    // Splits go by the keyed hash of each patient's pseudonym, so a fixed key keeps this small library's splits (and
    // the classes each test split holds) the same on every run; a new random key failed one CI run in many.
    fs.mkdirSync(library, { recursive: true });
    fs.writeFileSync(path.join(library, pseudonymKeyFile), 'a5'.repeat(32), { mode: 0o600 });
    importedAndPretrained(library, 120, 2);
    server = await startServeProcess(library);
  }, 400_000);
  afterAll(async () => {
    await server?.stop();
    workspace.remove();
  });

  it('lists labelled tasks and refuses a task without labels, naming the ones that have them', async () => {
    const tasks = await call<LabelTask[]>('finetune.tasks');
    const abnormal = tasks.find((task) => task.task === 'abnormal')!;
    expect(abnormal.expert.positive).toBeGreaterThan(0);
    expect(abnormal.expert.negative).toBeGreaterThan(0);
    const refused = await server.call('finetune.start', { options: { task: 'fracture' } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/No expert labels for task \\"fracture\\".*abnormal/);
  });

  it('runs TD-Calib then GM-Coord, survives a cancel, resumes, and stores metrics with intervals and a score for every image', async () => {
    const started = await call<{ run: ClassifierRun; job: Job }>('finetune.start', {
      options: { task: 'abnormal', method: 'gmcoord', tdCalib: true, ...short },
    });
    await waitUntil(
      async () => ((await call<Job>('jobs.get', { jobId: started.job.id })).progress.done >= 3 ? true : null),
      120_000,
    );
    await call('jobs.cancel', { jobId: started.job.id });
    expect((await finished(started.job.id)).state).toBe('cancelled');
    expect((await call<{ run: ClassifierRun }>('finetune.run', { runId: started.run.id })).run.state).toBe('cancelled');

    const resumed = await call<{ run: ClassifierRun; job: Job }>('finetune.resume', { runId: started.run.id });
    const job = await finished(resumed.job.id);
    expect(job.state, job.error ?? '').toBe('succeeded');
    const { run, metrics } = await call<{ run: ClassifierRun; metrics: ClassifierMetric[] }>('finetune.run', {
      runId: started.run.id,
    });
    expect(run).toMatchObject({ state: 'succeeded', method: 'gmcoord', tdCalib: true });
    expect(run.description!.budgetImages).toBeGreaterThanOrEqual(2);
    expect(run.test!.binary!.positives).toBeGreaterThan(0);
    // The test split always has both classes (a run refuses to start otherwise); a small validation split may not.
    for (const evaluation of [run.validation!, run.test!].filter(
      (candidate) => candidate.binary!.positives > 0 && candidate.binary!.positives < candidate.examples,
    )) {
      const { estimate, lower, upper } = evaluation.metrics.auroc;
      expect(estimate).not.toBeNull();
      expect(lower!).toBeLessThanOrEqual(estimate!);
      expect(upper!).toBeGreaterThanOrEqual(estimate!);
      const { truePositive, falsePositive, trueNegative, falseNegative } = evaluation.binary!.confusion;
      expect(truePositive + falsePositive + trueNegative + falseNegative).toBe(evaluation.examples);
      expect(evaluation.confusionMatrix).toEqual([
        [trueNegative, falsePositive],
        [falseNegative, truePositive],
      ]);
      expect(evaluation.binary!.roc.at(-1)).toEqual({ falsePositiveRate: 1, truePositiveRate: 1 });
    }
    const supervised = metrics.filter((metric) => metric.kind === 'train' && metric.values.stage === 'supervised');
    expect(supervised.map((metric) => metric.step)).toEqual(Array.from({ length: 8 }, (_, index) => index + 1));
    for (const metric of supervised)
      expect(Math.min(metric.values.textCoefficient as number, metric.values.imageCoefficient as number)).toBeLessThan(
        1,
      );
    expect(metrics.some((metric) => metric.values.stage === 'td-calib')).toBe(true);
    expect(metrics.filter((metric) => metric.kind === 'test')).toHaveLength(1);

    const predictions = await call<Array<{ score: number; split: string; sopInstanceUid: string }>>(
      'finetune.predictions',
      { runId: run.id },
    );
    expect(predictions).toHaveLength(run.predictions);
    expect(predictions.length).toBeGreaterThan(50);
    for (let index = 1; index < predictions.length; index++)
      expect(predictions[index]!.score).toBeLessThanOrEqual(predictions[index - 1]!.score);
    expect(new Set(predictions.map((prediction) => prediction.split))).toEqual(
      new Set(['train', 'validation', 'test']),
    );
    await expect(server.call('finetune.resume', { runId: run.id })).resolves.toMatchObject({ status: 409 });

    const flagged = new Set(
      predictions
        .filter((prediction) => prediction.score >= 0.5)
        .map((prediction) => (prediction as unknown as { studyInstanceUid: string }).studyInstanceUid),
    );
    const filtered = await call<{ total: number }>('library.studies', {
      filter: { predictionRunId: run.id, minimumPredictionScore: 0.5 },
      limit: 1,
    });
    expect(filtered.total).toBe(flagged.size);
  }, 400_000);

  it('takes manual labels, which outrank the manifest for the same study and task', async () => {
    const before = (await call<LabelTask[]>('finetune.tasks')).find((task) => task.task === 'abnormal')!;
    const queue = await call<{
      total: number;
      unlabelled: number;
      items: Array<{ studyId: number; manualValue: string | null; reportText: string }>;
    }>('labels.queue', { task: 'abnormal', limit: 5 });
    expect(queue.unlabelled).toBe(queue.total);
    const study = queue.items[0]!;
    const manifestValue = (
      await call<{ labels: Array<{ task: string; value: string; source: string }> }>('library.study', {
        studyId: study.studyId,
      })
    ).labels.find(
      (label) => label.task === 'abnormal' && label.source !== 'manual' && label.source !== 'report-rules',
    )!.value;
    const flipped = manifestValue === '1' ? 'negative' : 'positive';
    await call('labels.set', { studyId: study.studyId, task: 'abnormal', value: flipped });
    const after = (await call<LabelTask[]>('finetune.tasks')).find((task) => task.task === 'abnormal')!;
    expect(after.expert.positive - before.expert.positive).toBe(flipped === 'positive' ? 1 : -1);
    expect(after.expert.positive + after.expert.negative).toBe(before.expert.positive + before.expert.negative);
    const requeued = await call<{ unlabelled: number; items: Array<{ studyId: number; manualValue: string | null }> }>(
      'labels.queue',
      { task: 'abnormal', limit: 500 },
    );
    expect(requeued.unlabelled).toBe(queue.total - 1);
    expect(requeued.items.at(-1)).toMatchObject({ studyId: study.studyId, manualValue: flipped });
    await call('labels.set', { studyId: study.studyId, task: 'abnormal', value: null });
    expect((await call<LabelTask[]>('finetune.tasks')).find((task) => task.task === 'abnormal')).toEqual(before);
    expect((await server.call('labels.set', { studyId: 999_999, task: 'abnormal', value: 'positive' })).status).toBe(
      404,
    );
  });

  it('fine-tunes a multi-class task from a manifest-like column, with macro metrics and a confusion matrix', async () => {
    // A three-valued task as a manifest column would carry it. The values cycle through each split as the engine will
    // split the images (same function, same seed), so every class is in the test split of this small library.
    const catalog = new Database(path.join(library, 'catalog.sqlite'));
    catalog.pragma('busy_timeout = 5000');
    const { items } = buildPretrainingDataset(catalog, library);
    const split = splitByPatient(items, { validation: 0.1, test: 0.1 }, 'unisight', {
      includeImagesWithoutReports: true,
    });
    const values = ['effusion', 'none', 'other finding'];
    const insert = catalog.prepare(
      "INSERT OR REPLACE INTO labels (study_id, task, value, source) VALUES (?, 'dominant finding', ?, 'manifest:test')",
    );
    catalog.transaction(() => {
      for (const indices of [split.train, split.validation, split.test])
        indices.forEach((index, position) => insert.run(items[index]!.studyId, values[position % values.length]!));
    })();
    catalog.close();
    for (const method of ['linear', 'gmcoord'] as const) {
      const started = await call<{ run: ClassifierRun; job: Job }>('finetune.start', {
        options: { task: 'dominant finding', method, tdCalib: false, ...short, labelFraction: 0.6 },
      });
      const job = await finished(started.job.id);
      expect(job.state, job.error ?? '').toBe('succeeded');
      const { run } = await call<{ run: ClassifierRun }>('finetune.run', { runId: started.run.id });
      const test = run.test!;
      expect(test.classes).toEqual(['effusion', 'none', 'other finding']);
      expect(test.binary).toBeNull();
      expect(test.confusionMatrix).toHaveLength(3);
      expect(test.confusionMatrix.flat().reduce((sum, count) => sum + count, 0)).toBe(test.examples);
      expect(test.confusionMatrix.map((row) => row.reduce((sum, count) => sum + count, 0))).toEqual(test.classCounts);
      expect(test.metrics.accuracy.estimate).toBeCloseTo(
        test.confusionMatrix.reduce((sum, row, index) => sum + row[index]!, 0) / test.examples,
        10,
      );
      const predictions = await call<Array<{ predictedClass: string | null; score: number }>>('finetune.predictions', {
        runId: run.id,
      });
      expect(predictions).toHaveLength(run.predictions);
      for (const prediction of predictions)
        expect(['effusion', 'none', 'other finding']).toContain(prediction.predictedClass);
      const predicted = predictions[0]!.predictedClass!;
      const studies = new Set(
        predictions
          .filter((prediction) => prediction.predictedClass === predicted)
          .map((prediction) => (prediction as unknown as { studyInstanceUid: string }).studyInstanceUid),
      );
      const filtered = await call<{ total: number }>('library.studies', {
        filter: { predictionRunId: run.id, predictedClass: predicted },
        limit: 1,
      });
      expect(filtered.total).toBe(studies.size);
    }
  }, 300_000);

  it('reads the image alone for weak labels (they came from the reports), and can be asked to for expert ones', async () => {
    expect((await call<{ labelsWritten: number }>('labels.fromReports')).labelsWritten).toBeGreaterThan(0);
    for (const [options, expected] of [
      [{ labelSource: 'weak', method: 'linear' }, 'image'],
      [{ labelSource: 'weak', method: 'adaptor' }, 'image'],
      [{ labelSource: 'expert', method: 'gmcoord', inputs: 'image' }, 'image'],
    ] as const) {
      const started = await call<{ run: ClassifierRun; job: Job }>('finetune.start', {
        options: { task: 'abnormal', tdCalib: false, ...short, ...options },
      });
      const job = await finished(started.job.id);
      expect(job.state, job.error ?? '').toBe('succeeded');
      const { run, metrics } = await call<{ run: ClassifierRun; metrics: ClassifierMetric[] }>('finetune.run', {
        runId: started.run.id,
      });
      expect(run.options.inputs).toBe(expected);
      if (options.method === 'linear') expect(run.parameterCount!.trainable).toBe(128 + 1);
      if (options.method === 'gmcoord')
        expect(
          metrics
            .filter((metric) => metric.values.stage === 'supervised')
            .every((metric) => metric.values.textCoefficient === undefined),
        ).toBe(true);
    }
  }, 300_000);

  it('calibrates once: a later run with the same encoder, images and TD-Calib settings reuses the calibration', async () => {
    const run = async (options: Record<string, unknown>) => {
      const started = await call<{ run: ClassifierRun; job: Job }>('finetune.start', {
        options: { task: 'abnormal', tdCalib: true, ...short, tdCalibEpochs: 1, ...options },
      });
      const job = await finished(started.job.id);
      expect(job.state, job.error ?? '').toBe('succeeded');
      return call<{ run: ClassifierRun; metrics: ClassifierMetric[] }>('finetune.run', { runId: started.run.id });
    };
    const cached = () =>
      fs.existsSync(path.join(library, 'cache', 'td-calib'))
        ? fs.readdirSync(path.join(library, 'cache', 'td-calib')).length
        : 0;
    const before = cached();
    const first = await run({ method: 'linear' });
    expect(first.run.description).toMatchObject({ calibration: 'computed' });
    expect(first.metrics.some((metric) => metric.values.stage === 'td-calib')).toBe(true);
    expect(cached()).toBe(before + 1);

    // Another budget and method: the calibration never reads labels, so it is the same one.
    const second = await run({ method: 'adaptor', labelFraction: 0.25 });
    expect(second.run.description).toMatchObject({ calibration: 'reused', calibrationSteps: 0 });
    expect(second.metrics.some((metric) => metric.values.stage === 'td-calib')).toBe(false);
    expect(cached()).toBe(before + 1);

    // A setting the calibration reads makes it calibrate again.
    const third = await run({ method: 'linear', tdCalibLearningRate: 2e-4 });
    expect(third.run.description).toMatchObject({ calibration: 'computed' });
    expect(cached()).toBe(before + 2);
  }, 300_000);

  it('cancels a run queued behind another, and fails a resumed run whose encoder is gone with the reason', async () => {
    const start = () =>
      call<{ run: ClassifierRun; job: Job }>('finetune.start', {
        options: { task: 'abnormal', method: 'linear', tdCalib: false, ...short },
      });
    const first = await start();
    const second = await start();
    // The engine runs one job at a time: the second waits in the queue, and is cancelled there.
    expect((await call<Job>('jobs.cancel', { jobId: second.job.id })).state).toBe('cancelled');
    expect((await call<{ run: ClassifierRun }>('finetune.run', { runId: second.run.id })).run.state).toBe('cancelled');
    await call('jobs.cancel', { jobId: first.job.id });
    await finished(first.job.id);

    // No API deletes a model yet; the catalog's ON DELETE SET NULL leaves a run in this state when one goes.
    const catalog = new Database(path.join(library, 'catalog.sqlite'));
    catalog.prepare('UPDATE classifier_runs SET model_id = NULL WHERE id = ?').run(second.run.id);
    catalog.close();
    const resumed = await call<{ run: ClassifierRun; job: Job }>('finetune.resume', { runId: second.run.id });
    expect((await finished(resumed.job.id)).state).toBe('failed');
    const { run } = await call<{ run: ClassifierRun }>('finetune.run', { runId: second.run.id });
    expect(run.state).toBe('failed');
    expect(run.error).toMatch(/encoder .* has been deleted/);
  }, 120_000);

  it.each(['linear', 'adaptor', 'full'])(
    'fits the %s method on the frozen or trained encoder and reports its parameter counts',
    async (method) => {
      const started = await call<{ run: ClassifierRun; job: Job }>('finetune.start', {
        options: { task: 'abnormal', method, tdCalib: false, ...short, frozenSharedLayers: method === 'full' ? 1 : 0 },
      });
      const job = await finished(started.job.id);
      expect(job.state, job.error ?? '').toBe('succeeded');
      const { run } = await call<{ run: ClassifierRun }>('finetune.run', { runId: started.run.id });
      expect(run.test!.metrics.auroc.estimate).not.toBeNull();
      expect(run.parameterCount!.trainable).toBeGreaterThan(0);
      if (method === 'linear') expect(run.parameterCount!.trainable).toBe(2 * 128 + 1);
      if (method !== 'full') expect(run.parameterCount!.frozen).toBeGreaterThan(0);
      expect(fs.existsSync(path.join(library, 'finetune-runs', run.id, 'predictions.bin'))).toBe(true);
    },
    300_000,
  );
});
