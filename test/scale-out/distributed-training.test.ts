import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultTextSampling,
  noTextSampling,
  TextSamplingSettings,
} from '../../common/contract/text-sampling-settings.js';
import { textSamplingAtStep } from '../../ml/data/text-sampling.js';
import { reportWordTensors } from '../../ml/model/model-file.js';
import { readTensorBundle } from '../../ml/model/tensor-bundle.js';
import { demoExport, runCli } from '../support/demo-export.js';
import { debianPython, missingOutsideTool } from '../support/outside-tools.js';
import { temporaryLibrary } from '../support/temporary-library.js';

const missing = missingOutsideTool('the scale-out trainer tests (distributed-training.test.ts)', 'pytorch');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function python(args: string[], cwd: string) {
  // torchrun's own output stays out of the way; the trainer's JSON lines and errors are what the test reads.
  const run = spawnSync(debianPython, args, {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (run.status !== 0) throw new Error(`python3 ${args.join(' ')} failed:\n${run.stdout}\n${run.stderr}`);
  return run;
}

describe.skipIf(missing !== null)('training on a cluster and bringing the model back', () => {
  const library = temporaryLibrary();
  const bundle = path.join(library.path, 'bundle');
  afterAll(() => library.remove());

  beforeAll(() => {
    const imported = runCli(['import', demoExport(60, 'scale-out'), '--library', library.path, '--json']);
    if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}`);
  });

  it('exports a bundle: the manifest first, shards by the desktop split, the trainer, the tokenizer and settings', () => {
    const exported = runCli([
      'export-training',
      bundle,
      '--preset',
      'cpu-fast',
      '--width',
      '16',
      '--image-size',
      '32',
      '--patch-size',
      '16',
      '--batch-size',
      '8',
      '--epochs',
      '3',
      // The runs below train with word prediction, so two processes and a resume are checked with its head too.
      '--word-prediction',
      '10',
      '--library',
      library.path,
      '--json',
    ]);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/carries off this machine:\n {2}- report text of \d+ image–report pairs/);
    const result = exported.json() as { files: string[]; manifest: { pairs: Record<string, number> } };
    expect(result.files).toEqual(
      expect.arrayContaining([
        'train-000000.tar',
        'validation-000000.tar',
        'test-000000.tar',
        'train.py',
        'bundle.json',
      ]),
    );
    const manifest = JSON.parse(fs.readFileSync(path.join(bundle, 'bundle.json'), 'utf8'));
    expect(manifest.encoder).toMatchObject({ width: 16, imageSize: 32, patchSize: 16 });
    expect(manifest.training).toMatchObject({
      batchSize: 8,
      epochs: 3,
      seed: 'unisight',
      wordPredictionWeight: 10,
      textSampling: defaultTextSampling,
    });
    expect(manifest.reportWords.words.length).toBeGreaterThan(0);
    expect(manifest.reportWords.shares).toHaveLength(manifest.reportWords.words.length);
    expect(manifest.dataset.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.dataset.split.trainingPairs).toBe(result.manifest.pairs.train);
  });

  it('samples one image a study each epoch, each series with equal chance under series, as the desktop does', () => {
    // A CT study of a 300-slice series and a one-image scout, then 20 single films; 200 epochs.
    const check = `
import json, sys
sys.path.insert(0, ${JSON.stringify(path.resolve('scale-out'))})
from unisight_train.data import epoch_order, pairs_per_epoch
samples = [{"meta": {"studyId": 1, "series": 10}} for _ in range(300)] + [{"meta": {"studyId": 1, "series": 11}}]
samples += [{"meta": {"studyId": 2 + k, "series": 20 + k}} for k in range(20)]
counts = {"scout": 0, "scoutUnderOne": 0, "unique": True}
for epoch in range(200):
    order = epoch_order(samples, "seed", epoch, "series")
    counts["unique"] &= len(order) == 21 == len({samples[i]["meta"]["studyId"] for i in order})
    counts["scout"] += 300 in order
    counts["scoutUnderOne"] += 300 in epoch_order(samples, "seed", epoch, "one")
counts["pairs"] = pairs_per_epoch(samples, "series")
print(json.dumps(counts))`;
    const counts = JSON.parse(python(['-c', check], library.path).stdout) as Record<string, number | boolean>;
    expect(counts).toMatchObject({ unique: true, pairs: 21 });
    expect(counts.scout).toBeGreaterThan(70);
    expect(counts.scout).toBeLessThan(130);
    expect(counts.scoutUnderOne).toBeLessThan(10);
  });

  it('reads whole reports for the same first steps as the desktop, then samples', () => {
    const cases = [
      { settings: defaultTextSampling, totalSteps: 2700 },
      { settings: { ...defaultTextSampling, wholeReportsFirst: 0.5 }, totalSteps: 45 },
      { settings: { ...defaultTextSampling, wholeReportsFirst: 0.1 }, totalSteps: 25 },
      { settings: noTextSampling, totalSteps: 10 },
      { settings: { sentenceProbability: 0.3, phraseProbability: 0.2 }, totalSteps: 10 },
    ];
    const firstSampled = (settings: TextSamplingSettings, totalSteps: number) =>
      Array.from({ length: totalSteps }, (_, step) => textSamplingAtStep(settings, step, totalSteps) !== null).indexOf(
        true,
      );
    const check = `
import json, sys
sys.path.insert(0, ${JSON.stringify(path.resolve('scale-out'))})
from unisight_train.data import text_sampling_at_step
cases = json.loads(sys.argv[1])
print(json.dumps([next((step for step in range(case["totalSteps"])
                        if text_sampling_at_step(case["settings"], step, case["totalSteps"]) is not None), -1)
                  for case in cases]))`;
    const scaleOut = JSON.parse(python(['-c', check, JSON.stringify(cases)], library.path).stdout) as number[];
    const desktop = cases.map(({ settings, totalSteps }) =>
      firstSampled(TextSamplingSettings.parse(settings), totalSteps),
    );
    expect(desktop).toEqual([810, 23, 3, -1, 0]);
    expect(scaleOut).toEqual(desktop);
  });

  it('trains the same with torchrun on two processes (gloo) as in one process with the whole batch', async () => {
    const single = python(['train.py', '--out', 'single', '--max-steps', '4'], bundle);
    const lines = single.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { parts?: { contrastive: number; wordPrediction: number }; loss: number });
    const { parts, loss } = lines.at(-1)!;
    expect(parts!.wordPrediction).toBeGreaterThan(0);
    expect(loss).toBeCloseTo(parts!.contrastive + 10 * parts!.wordPrediction, 4);
    const port = await freePort();
    // --redirects/--tee: torchrun 1.13 misreads their default ("0") on Python 3.11; 1 keeps stdout visible.
    python(
      [
        '-m',
        'torch.distributed.run',
        '--nproc_per_node',
        '2',
        '--master_addr',
        '127.0.0.1',
        '--master_port',
        String(port),
        '--redirects',
        '1',
        '--tee',
        '1',
        'train.py',
        '--out',
        'distributed',
        '--max-steps',
        '4',
      ],
      bundle,
    );
    const whole = readTensorBundle(path.join(bundle, 'single', 'model.unisight-tensors'));
    const distributed = readTensorBundle(path.join(bundle, 'distributed', 'model.unisight-tensors'));
    expect(distributed.metadata).toMatchObject({ worldSize: 2, step: 4 });
    const singleLosses = whole.metadata.losses as number[];
    const distributedLosses = distributed.metadata.losses as number[];
    expect(singleLosses).toHaveLength(4);
    distributedLosses.forEach((loss, step) => expect(Math.abs(loss - singleLosses[step]!)).toBeLessThan(1e-4));
    let largest = 0;
    let moved = 0;
    for (const [name, tensor] of whole.tensors) {
      const other = distributed.tensors.get(name)!.values;
      tensor.values.forEach((value, index) => (largest = Math.max(largest, Math.abs(value - other[index]!))));
      moved = Math.max(moved, ...Array.from(tensor.values, (value) => Math.abs(value)));
    }
    expect(largest).toBeLessThan(1e-4);
    expect(moved).toBeGreaterThan(0);
  });

  it('stops at a step with a checkpoint and resumes to the same weights as a run never stopped', () => {
    const stopped = python(['train.py', '--out', 'resumed', '--max-steps', '4', '--until-step', '2'], bundle);
    expect(stopped.stdout).toContain('"stopped": 2');
    expect(fs.existsSync(path.join(bundle, 'resumed', 'model.unisight-tensors'))).toBe(false);
    const resumed = python(['train.py', '--out', 'resumed', '--max-steps', '4'], bundle);
    expect(resumed.stdout).toContain('"resumed": 2');
    const whole = readTensorBundle(path.join(bundle, 'single', 'model.unisight-tensors'));
    const again = readTensorBundle(path.join(bundle, 'resumed', 'model.unisight-tensors'));
    expect(again.metadata.losses).toEqual(whole.metadata.losses);
    for (const [name, tensor] of whole.tensors)
      expect(Array.from(again.tensors.get(name)!.values)).toEqual(Array.from(tensor.values));
  });

  it('imports the result as a model judged on the desktop test split, and searches by it', () => {
    const imported = runCli([
      'models',
      'import',
      path.join(bundle, 'distributed', 'model.unisight-tensors'),
      '--library',
      library.path,
      '--json',
    ]);
    expect(imported.status, imported.stderr).toBe(0);
    const { modelId, model } = imported.json() as {
      modelId: string;
      model: { origin: string; embeddedImages: number; metrics: { test: { pairs: number; textToImage: object } } };
    };
    expect(model.origin).toBe('imported');
    expect(model.embeddedImages).toBe(60);
    expect(model.metrics.test.pairs).toBeGreaterThan(1);
    expect(model.metrics.test.textToImage).toHaveProperty('chance');
    // The trainer's word head came with the model, with the words of its columns.
    const modelFile = readTensorBundle(path.join(library.path, 'models', `${modelId}.unisight`));
    const words = modelFile.metadata.reportWords as string[];
    expect(modelFile.tensors.get(reportWordTensors.weight)!.shape).toEqual([
      (modelFile.metadata.config as { embeddingSize: number }).embeddingSize,
      words.length,
    ]);
    expect(words.length).toBeGreaterThan(0);
    const search = runCli([
      'search',
      'pleural effusion',
      '--mode',
      'semantic',
      // Four steps leave the model near chance, where the calibrated cut-off rightly drops every image: rank them all.
      '--meaning-cut-off',
      'none',
      '--model',
      modelId,
      '--library',
      library.path,
      '--json',
    ]);
    expect(search.status, search.stderr).toBe(0);
    const { results } = search.json() as {
      results: Array<{ score: number; why: { semantic: { similarity: number } | null } }>;
    };
    expect(results.length).toBeGreaterThan(0);
    // Meaning's order (the cosine, and the head's evidence where its words are reliable: search.test.ts).
    const scores = results.map((result) => result.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });
});
