import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PretrainOptions } from '../../../common/contract/index.js';
import { SeededRandom } from '../../../common/seeded-random.js';
import type { PretrainingItem } from '../../../ml/data/pretraining-dataset.js';
import { readTensorBundle } from '../../../ml/model/tensor-bundle.js';
import { reportWordTensors } from '../../../ml/model/model-file.js';
import {
  pretrainRunFiles,
  pretrainTask,
  type PretrainMetrics,
  type PretrainTaskParameters,
} from '../../../common/engine/pretrain-task.js';
import { runPretraining } from '../../../ml/tasks/pretrain.js';
import type { TaskContext } from '../../../common/engine/engine-task.js';
import { EncoderConfig } from '../../../common/encoder-config.js';

const imageSize = 32;
const sides = ['left', 'right'] as const;
const zones = ['upper', 'lower'] as const;

/** Pairs whose report names where a bright blob sits: learnable in a few steps by a tiny model. */
function writeDataset(directory: string, count: number): string {
  const random = new SeededRandom('pretrain-test');
  const items: PretrainingItem[] = [];
  for (let index = 0; index < count; index++) {
    const side = random.pick(sides);
    const zone = random.pick(zones);
    const pixels = new Uint8Array(imageSize * imageSize);
    for (let pixel = 0; pixel < pixels.length; pixel++) pixels[pixel] = Math.floor(random.next() * 40);
    const centreX = side === 'left' ? 8 : 24;
    const centreY = zone === 'upper' ? 8 : 24;
    for (let y = centreY - 4; y < centreY + 4; y++)
      for (let x = centreX - 4; x < centreX + 4; x++) pixels[y * imageSize + x] = 230;
    // One pack of images, as the importer writes them.
    const imageFile = path.join(directory, 'images.pack');
    fs.appendFileSync(imageFile, pixels);
    const imageOffset = index * pixels.length;
    items.push({
      imageId: index + 1,
      studyId: index + 1,
      patientKey: `P${Math.floor(index / 2)}`,
      imageFile,
      imageOffset,
      imageSize,
      reportText: `Opacity in the ${side} ${zone} zone.`,
      reportId: index + 1,
      viewPosition: null,
      seriesId: null,
      // As the core would find them asserted; `marked` in a quarter of the reports, something to predict for sure.
      reportWords: ['in', 'opacity', side, 'the', zone, 'zone', ...(index % 4 === 0 ? ['marked'] : [])],
    });
  }
  const datasetFile = path.join(directory, 'dataset.json');
  fs.writeFileSync(datasetFile, JSON.stringify({ items }));
  return datasetFile;
}

const encoder = EncoderConfig.parse({
  architecture: 'shared',
  width: 32,
  heads: 2,
  sharedLayers: 2,
  earlyLayers: 0,
  lateLayers: 0,
  frozenSharedLayers: 0,
  mlpRatio: 2,
  modalityIdentifier: { kind: 'feature', featureWidth: 4, initialStandardDeviation: 0.02 },
  imageSize: 16,
  patchSize: 8,
  vocabularySize: 64,
  maximumTextTokens: 12,
  embeddingSize: 16,
  initialTemperature: 0.07,
  maximumLogitScale: 100,
});

function context(
  cancelAfterSteps = Number.POSITIVE_INFINITY,
): TaskContext<PretrainMetrics> & { metrics: PretrainMetrics[] } {
  const metrics: PretrainMetrics[] = [];
  let steps = 0;
  return {
    metrics,
    reportProgress: (done) => (steps = done),
    reportMetrics: (entry) => metrics.push(entry),
    log: () => undefined,
    isCancelled: () => steps >= cancelAfterSteps,
    yieldToEvents: async () => undefined,
    backend: 'cpu',
  };
}

describe('pretraining task', () => {
  let root: string;
  let datasetFile: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'unisight-pretrain-'));
    datasetFile = writeDataset(root, 80);
  });

  const parameters = (
    runDirectory: string,
    objective: PretrainOptions['objective'] = 'contrastive',
    wordPredictionWeight = 0,
  ): PretrainTaskParameters => ({
    runDirectory,
    datasetFile,
    encoder,
    options: PretrainOptions.parse({
      objective,
      wordPredictionWeight,
      epochs: 3,
      batchSize: 8,
      peakLearningRate: 3e-3,
      checkpointEverySteps: 4,
      metricsEverySteps: 2,
      validationFraction: 0.15,
      testFraction: 0.15,
    }),
  });

  it('trains, evaluates, exports the model and embeds every image and report, leaving no tensor behind', async () => {
    const runDirectory = path.join(root, 'whole');
    fs.mkdirSync(runDirectory);
    const tensorsBefore = tf.memory().numTensors;
    const progress = context();
    const outcome = await runPretraining(parameters(runDirectory), progress);
    expect(outcome.outcome).toBe('succeeded');
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const result = outcome.result!;
    expect(result.step).toBe(result.totalSteps);
    // What the core will parse is what the task sends: the declaration drops nothing and refuses nothing.
    expect(pretrainTask.result.parse(result)).toEqual(result);
    for (const entry of progress.metrics) expect(pretrainTask.metrics.parse(entry)).toEqual(entry);
    expect(new Set(progress.metrics.map((entry) => entry.kind))).toEqual(
      new Set(['run', 'train', 'validation', 'test', 'image-probe']),
    );
    const train = progress.metrics.filter((entry) => entry.kind === 'train');
    expect(train.length).toBeGreaterThan(2);
    expect(new Set(train.map((entry) => entry.tensorCount)).size).toBe(1);
    expect(progress.metrics.filter((entry) => entry.kind === 'validation')).toHaveLength(3);
    const test = progress.metrics.find((entry) => entry.kind === 'test')!.retrieval as {
      pairs: number;
      textToImage: { chance: Record<string, number> };
    };
    expect(test.textToImage.chance['1']).toBeCloseTo(1 / test.pairs);

    const model = readTensorBundle(path.join(runDirectory, pretrainRunFiles.model));
    expect(model.metadata.format).toBe('unisight-model');
    const embeddings = readTensorBundle(path.join(runDirectory, pretrainRunFiles.embeddings));
    expect(embeddings.tensors.get('image')!.shape).toEqual([80, 16]);
    expect(embeddings.tensors.get('report')!.shape).toEqual([80, 16]);
    const first = embeddings.tensors.get('image')!.values.slice(0, 16);
    expect(Math.hypot(...first)).toBeCloseTo(1, 4);
  }, 120_000);

  it('resumes a cancelled run from its checkpoint to the same weights as an uninterrupted run', async () => {
    const whole = readTensorBundle(path.join(root, 'whole', pretrainRunFiles.model));
    const runDirectory = path.join(root, 'interrupted');
    fs.mkdirSync(runDirectory);
    const cancelled = await runPretraining(parameters(runDirectory), context(5));
    expect(cancelled.outcome).toBe('cancelled');
    expect(cancelled.result!.step).toBe(5);
    const resumed = await runPretraining(parameters(runDirectory), context());
    expect(resumed.outcome).toBe('succeeded');
    const again = readTensorBundle(path.join(runDirectory, pretrainRunFiles.model));
    for (const [name, tensor] of whole.tensors)
      expect([...again.tensors.get(name)!.values], name).toEqual([...tensor.values]);
  }, 120_000);

  it('validates an epoch the cancel interrupted when the run resumes, and still ends at the same weights', async () => {
    const whole = readTensorBundle(path.join(root, 'whole', pretrainRunFiles.model));
    const probe = context(1);
    fs.mkdirSync(path.join(root, 'probe'));
    await runPretraining(parameters(path.join(root, 'probe')), probe);
    const stepsPerEpoch = (probe.metrics.find((entry) => entry.kind === 'run') as { stepsPerEpoch: number })
      .stepsPerEpoch;
    // Checkpointed at the end of the first epoch, then cancelled while that epoch's validation embeds.
    const runDirectory = path.join(root, 'cancelled-in-validation');
    fs.mkdirSync(runDirectory);
    const atEpochEnd = (): PretrainTaskParameters => {
      const base = parameters(runDirectory);
      return { ...base, options: { ...base.options, checkpointEverySteps: stepsPerEpoch } };
    };
    const interrupted = context(stepsPerEpoch);
    await expect(runPretraining(atEpochEnd(), interrupted)).rejects.toThrow(/Cancelled while embedding/);
    expect(interrupted.metrics.filter((entry) => entry.kind === 'validation')).toEqual([]);
    const resumed = context();
    expect((await runPretraining(atEpochEnd(), resumed)).outcome).toBe('succeeded');
    expect(resumed.metrics.filter((entry) => entry.kind === 'validation').map((entry) => entry.step)).toEqual([
      stepsPerEpoch,
      2 * stepsPerEpoch,
      3 * stepsPerEpoch,
    ]);
    const again = readTensorBundle(path.join(runDirectory, pretrainRunFiles.model));
    for (const [name, tensor] of whole.tensors)
      expect([...again.tensors.get(name)!.values], name).toEqual([...tensor.values]);
  }, 120_000);

  it('runs MR-Pretrain with the contrastive loss, reports every objective, leaks nothing, and resumes to the same weights', async () => {
    const whole = path.join(root, 'mr-whole');
    const interrupted = path.join(root, 'mr-interrupted');
    fs.mkdirSync(whole);
    fs.mkdirSync(interrupted);
    const tensorsBefore = tf.memory().numTensors;
    const progress = context();
    const outcome = await runPretraining(parameters(whole, 'mr+contrastive'), progress);
    expect(outcome.outcome).toBe('succeeded');
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const train = progress.metrics.filter((entry) => entry.kind === 'train');
    for (const key of [
      'maskedImage',
      'maskedLanguage',
      'textFeature',
      'imageFeature',
      'imageTextMatching',
      'contrastive',
    ])
      expect(train.at(-1)![key], key).toEqual(expect.any(Number));
    expect(new Set(train.map((entry) => entry.tensorCount)).size).toBe(1);

    expect((await runPretraining(parameters(interrupted, 'mr+contrastive'), context(5))).outcome).toBe('cancelled');
    expect((await runPretraining(parameters(interrupted, 'mr+contrastive'), context())).outcome).toBe('succeeded');
    const expected = readTensorBundle(path.join(whole, pretrainRunFiles.model));
    const again = readTensorBundle(path.join(interrupted, pretrainRunFiles.model));
    for (const [name, tensor] of expected.tensors)
      expect([...again.tensors.get(name)!.values], name).toEqual([...tensor.values]);
  }, 180_000);

  it('adds word prediction to the contrastive loss, reports both parts, leaks nothing, and resumes to the same weights', async () => {
    const whole = path.join(root, 'words-whole');
    const interrupted = path.join(root, 'words-interrupted');
    fs.mkdirSync(whole);
    fs.mkdirSync(interrupted);
    const tensorsBefore = tf.memory().numTensors;
    const progress = context();
    expect((await runPretraining(parameters(whole, 'contrastive', 1), progress)).outcome).toBe('succeeded');
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const run = progress.metrics.find((entry) => entry.kind === 'run') as { predictedWords?: number };
    // Words in every report (in, opacity, the, zone) say nothing about one image: left out.
    expect(run.predictedWords).toBeGreaterThanOrEqual(1);
    expect(run.predictedWords).toBeLessThanOrEqual(5);
    const train = progress.metrics.filter((entry) => entry.kind === 'train');
    for (const key of ['contrastive', 'wordPrediction']) expect(train.at(-1)![key], key).toEqual(expect.any(Number));
    expect(train.at(-1)!.loss).toBeCloseTo(
      (train.at(-1)!.contrastive as number) + (train.at(-1)!.wordPrediction as number),
      1,
    );
    expect(new Set(train.map((entry) => entry.tensorCount)).size).toBe(1);
    // The word head changes the training: the weights differ from the contrastive run's.
    const plain = readTensorBundle(path.join(root, 'whole', pretrainRunFiles.model));
    const expected = readTensorBundle(path.join(whole, pretrainRunFiles.model));
    // The model file keeps the word head beside the encoder, with the words of its columns (search reads them).
    expect([...expected.tensors.keys()]).toEqual([
      ...plain.tensors.keys(),
      reportWordTensors.weight,
      reportWordTensors.bias,
    ]);
    const words = expected.metadata.reportWords as string[];
    expect(words).toHaveLength(run.predictedWords!);
    expect(expected.tensors.get(reportWordTensors.weight)!.shape).toEqual([
      (expected.metadata.config as { embeddingSize: number }).embeddingSize,
      words.length,
    ]);
    expect(plain.metadata.reportWords).toBeUndefined();
    expect(
      [...plain.tensors].some(([name, tensor]) =>
        tensor.values.some((value, at) => value !== expected.tensors.get(name)!.values[at]),
      ),
    ).toBe(true);

    expect((await runPretraining(parameters(interrupted, 'contrastive', 1), context(5))).outcome).toBe('cancelled');
    expect((await runPretraining(parameters(interrupted, 'contrastive', 1), context())).outcome).toBe('succeeded');
    const again = readTensorBundle(path.join(interrupted, pretrainRunFiles.model));
    for (const [name, tensor] of expected.tensors)
      expect([...again.tensors.get(name)!.values], name).toEqual([...tensor.values]);
  }, 180_000);

  it('trains on the contrastive loss alone where no word is asserted by enough reports, and says so', async () => {
    const { items } = JSON.parse(fs.readFileSync(datasetFile, 'utf8')) as { items: PretrainingItem[] };
    const commonWordsFile = path.join(root, 'dataset-common-words.json');
    // Words every report asserts say nothing about one image: none can be predicted.
    const commonWords = items.map((item) => ({ ...item, reportWords: ['in', 'opacity', 'the', 'zone'] }));
    fs.writeFileSync(commonWordsFile, JSON.stringify({ items: commonWords }));
    const run = async (name: string, wordPredictionWeight: number, warnings: string[] = []) => {
      const runDirectory = path.join(root, name);
      fs.mkdirSync(runDirectory);
      const progress = context();
      progress.log = (level, message) => void (level === 'warn' && warnings.push(message));
      const outcome = await runPretraining(
        { ...parameters(runDirectory, 'contrastive', wordPredictionWeight), datasetFile: commonWordsFile },
        progress,
      );
      expect(outcome.outcome).toBe('succeeded');
      return { progress, model: readTensorBundle(path.join(runDirectory, pretrainRunFiles.model)) };
    };
    const warnings: string[] = [];
    const asked = await run('words-none', 1, warnings);
    expect(warnings).toEqual([expect.stringMatching(/no word asserted by enough training reports/)]);
    const described = asked.progress.metrics.find((entry) => entry.kind === 'run') as { predictedWords?: number };
    expect(described.predictedWords).toBe(0);
    const train = asked.progress.metrics.filter((entry) => entry.kind === 'train');
    expect(train.at(-1)!.wordPrediction).toBeUndefined();
    const plain = await run('words-none-plain', 0);
    for (const [name, tensor] of plain.model.tensors)
      expect([...asked.model.tensors.get(name)!.values], name).toEqual([...tensor.values]);
  }, 180_000);

  it('refuses word prediction beside MR-Pretrain, saying so', async () => {
    const runDirectory = path.join(root, 'words-mr');
    fs.mkdirSync(runDirectory);
    await expect(runPretraining(parameters(runDirectory, 'mr', 1), context())).rejects.toThrow(
      /Word prediction is added to the contrastive objective only/,
    );
  });
});
